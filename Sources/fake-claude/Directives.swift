/// Where in a turn a crash-type directive fires (`fc:crash=3@tool`).
enum CrashPoint: String {
    case start  // right after system/init, before any other line of the turn
    case stream  // after the first two text deltas (the default)
    case tool  // during the tool run (after the tool_use, before its tool_result)
    case end  // after the final assistant line, before the result
    case after  // after the result (and lifecycle), i.e. between turns
}

enum CrashKind {
    case exit(Int32)
    case signal(Int32)
}

/// Behaviour picked by `fc:` words in the prompt text (plus `FAKE_CLAUDE_DIRECTIVES`).
struct Directives {
    var slowMS = 0
    var delayMS = 0
    var words: Int?
    var numbered: Int?
    /// `fc:notloggedin`: answer as a CLI without credentials does.
    var notLoggedIn = false
    var tool = false
    var toolSleepMS = 0
    var crash: CrashKind?
    var crashPoint: CrashPoint?
    var garbage = false
    var hugeMB: Double?
    var stderrMB: Double?
    var hang = false
    var errorStatus: Int?
    var maxTurns = false
    var permissionTool: String?
    var thinking = false
    var retries = 0
    var tinyLines = 0
    var tinyRate = 0
    var bytewise = false
    var history = false
    var reply: String?
    /// `fc:hostile`: plant ``hostileText`` wherever the CLI passes on text it does not control.
    var hostile = false
    /// `fc:once`: crash-type directives fire only the first time this prompt is seen
    /// (needs FAKE_CLAUDE_STATE_DIR), so a prompt re-sent after recovery succeeds.
    var once = false
    /// `fc:parallel`: three tool calls in one message (two Bash, one Read), then their results.
    var parallel = false
    /// `fc:subagent`: a Task call whose subagent (in the background) runs a Bash call.
    var subagent = false
    /// `fc:table`: the reply is a Markdown table (``markdownTableReply``).
    var table = false
    /// `fc:lonesurrogate`: the reply ends with half an emoji, written as the escape `\ud83d`.
    var loneSurrogate = false
    /// `fc:strayresult`: a `result` for another message comes first (before `init`).
    var strayResult = false
    /// `fc:todo=STATES`: the tool is a TodoWrite of one step per state (`done`, `doing`, `todo`).
    var todo: [String]?
    /// `fc:bgtask`: a background task starts at the turn's start and runs until `stop_task`.
    var backgroundTask = false

    var usesTool: Bool { tool || toolSleepMS > 0 || permissionTool != nil || maxTurns }

    /// The point where a crash directive fires.
    var effectiveCrashPoint: CrashPoint {
        crashPoint ?? (tool || toolSleepMS > 0 ? .tool : .stream)
    }

    init(_ text: String) {
        for token in text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }) {
            guard token.hasPrefix("fc:") else { continue }
            var body = String(token.dropFirst(3))
            // Allow trailing punctuation such as "fc:tool," or "fc:slow=50."
            while let last = body.last, ",.;:!?)\"'".contains(last) { body.removeLast() }
            var at: CrashPoint?
            if let atIndex = body.firstIndex(of: "@") {
                at = CrashPoint(rawValue: String(body[body.index(after: atIndex)...]))
                body = String(body[..<atIndex])
            }
            let name: String
            let value: String?
            if let eq = body.firstIndex(of: "=") {
                name = String(body[..<eq])
                value = String(body[body.index(after: eq)...])
            } else {
                name = body
                value = nil
            }
            let int = value.flatMap { Int($0) }
            let double = value.flatMap { Double($0) }
            switch name {
            case "slow": slowMS = max(0, int ?? 100)
            case "delay": delayMS = max(0, int ?? 1000)
            case "words": words = max(0, int ?? 100)
            case "numbered": numbered = max(1, int ?? 100)
            case "tool": tool = true
            case "toolsleep": toolSleepMS = max(0, int ?? 1000); tool = true
            case "crash": crash = .exit(Int32(truncatingIfNeeded: int ?? 1)); crashPoint = at ?? crashPoint
            case "exit0": crash = .exit(0); crashPoint = at ?? crashPoint
            case "kill": crash = .signal(9); crashPoint = at ?? crashPoint
            case "signal": crash = .signal(Int32(truncatingIfNeeded: int ?? 9)); crashPoint = at ?? crashPoint
            case "garbage": garbage = true
            case "huge": hugeMB = double ?? 1
            case "stderr": stderrMB = double ?? 1
            case "hang": hang = true
            case "error": errorStatus = int ?? 500
            case "notloggedin": notLoggedIn = true
            case "maxturns": maxTurns = true
            case "permission": permissionTool = (value?.isEmpty == false) ? value : "Write"
            case "thinking": thinking = true
            case "retry": retries = max(0, int ?? 1)
            case "tinylines": tinyLines = max(0, int ?? 100)
            case "tinyrate": tinyRate = max(0, int ?? 10000)
            case "bytewise": bytewise = true
            case "history": history = true
            case "once": once = true
            case "hostile": hostile = true
            case "parallel": parallel = true
            case "subagent": subagent = true
            case "table": table = true
            case "lonesurrogate": loneSurrogate = true
            case "strayresult": strayResult = true
            case "todo": todo = (value ?? "doing,todo").split(separator: ",").map(String.init); tool = true
            case "bgtask": backgroundTask = true
            case "reply": reply = value.map { $0.replacingOccurrences(of: "_", with: " ") }
            default: break
            }
        }
    }
}

/// The reply of `fc:table`: a paragraph, a pipe table (alignments, inline code, a long cell to
/// wrap, an escaped pipe), and a paragraph.
let markdownTableReply = """
    Here are the options:
    | Option | Default | Meaning |
    |:-------|:-------:|--------:|
    | `--color` | auto | when to colour the output: auto, always or never, following NO_COLOR |
    | `--cwd` | . | the directory claude runs in \\| also for tools |
    That is all.
    """

/// Terminal escapes an attacker plants in model output, tool names, tool results, files and error
/// texts (issue 12): set the title (OSC 0), write the clipboard (OSC 52, "rm -rf ~/"), clear the
/// screen, move up and erase lines, ask the terminal to type its cursor position (DSR), and the
/// same as C1 controls (CSI, OSC as U+009B, U+009D).
let hostileText = "\u{1B}]0;PWNED-TITLE\u{07}\u{1B}]52;c;cm0gLXJmIH4v\u{07}\u{1B}[2J\u{1B}[3A\u{1B}[2K\u{1B}[6n"
    + "\u{9B}2J\u{9D}0;PWNED-C1\u{9C}"

/// `fc:hostile fc:permission=Bash`: a command that tries to hide itself (erase the line, go up),
/// and a reason that tries to redraw the question as a harmless Read.
let hostilePermissionCommand = "touch fake_claude_marker.txt\r\u{1B}[2K\u{1B}[1A"
let hostilePermissionReason = "\u{1B}[1A\u{1B}[2K\r? Allow Read(notes.txt)? [y]es / [n]o / [a]lways"

private let wordList = [
    "lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit", "sed", "do", "eiusmod",
    "tempor", "incididunt", "ut", "labore", "et", "dolore", "magna", "aliqua", "enim", "ad", "minim", "veniam",
]

/// `n` deterministic words, a newline after every 12th.
func makeWords(_ n: Int) -> String {
    var out = ""
    out.reserveCapacity(n * 7)
    for k in 0..<n {
        if k > 0 { out += (k % 12 == 0) ? "\n" : " " }
        out += wordList[k % wordList.count]
    }
    return out
}

/// `Echo: ` followed by an ASCII pattern, `megabytes` MiB in total.
func makeHuge(_ megabytes: Double) -> String {
    let total = max(16, Int(megabytes * 1024 * 1024))
    let pattern = Array("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_".utf8)
    var bytes = Array("Echo: ".utf8)
    bytes.reserveCapacity(total)
    var k = 0
    while bytes.count < total {
        bytes.append(pattern[k & 63])
        k += 1
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// Stands for half an emoji in reply text (`fc:lonesurrogate`): a noncharacter no prompt
/// holds, written out as the lone surrogate escape `\ud83d`, which a Swift string cannot hold.
let loneSurrogateMark: Character = "\u{FFFF}"

/// `line` with every `loneSurrogateMark` written as `\ud83d`, as JavaScript's `JSON.stringify`
/// writes a string cut between the two halves of an emoji.
func withLoneSurrogates(_ line: [UInt8]) -> [UInt8] {
    let mark = Array(String(loneSurrogateMark).utf8)
    var out: [UInt8] = []
    out.reserveCapacity(line.count + 8)
    var i = 0
    while i < line.count {
        if line[i] == mark[0], line[i...].starts(with: mark) {
            out.append(contentsOf: #"\ud83d"#.utf8)
            i += mark.count
        } else {
            out.append(line[i])
            i += 1
        }
    }
    return out
}
