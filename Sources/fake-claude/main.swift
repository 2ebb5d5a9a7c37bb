// fake-claude: a scripted double of the Claude Code CLI's headless stream-json mode.
// See Docs/FakeClaude.md for the directives and environment knobs.
import Dispatch
import Foundation

import Glibc

signal(SIGPIPE, SIG_IGN)

let environment = ProcessInfo.processInfo.environment

func recordStart(_ argv: [String]) {
    guard Recorder.shared.enabled else { return }
    let prefixes = ["ANTHROPIC_", "CLAUDE", "DISABLE_", "PARLEY_", "FAKE_CLAUDE_"]
    let selected = environment.keys.filter { key in prefixes.contains { key.hasPrefix($0) } }.sorted()
    Recorder.shared.record(.o([
        ("event", .safe("start")), ("pid", .i(Int(getpid()))), ("ppid", .i(Int(getppid()))), ("pgid", .i(Int(getpgrp()))),
        ("argv", .a(argv.map(J.s))), ("cwd", .s(FileManager.default.currentDirectoryPath)), ("t", .d(nowSeconds())),
        ("env", .o(selected.map { ($0, J.s(environment[$0]!)) })),
    ]))
}

func startupCrashes() {
    let stateDir = environment["FAKE_CLAUDE_STATE_DIR"].flatMap { $0.isEmpty ? nil : $0 }
    if let stateDir { try? FileManager.default.createDirectory(atPath: stateDir + "/sessions", withIntermediateDirectories: true) }
    let code = environment["FAKE_CLAUDE_CRASH_ON_START"].flatMap { Int32($0) }
    let limit = environment["FAKE_CLAUDE_CRASH_STARTS"].flatMap { Int($0) }
    guard code != nil || limit != nil else { return }
    if let limit {
        guard let stateDir else { return }
        let path = stateDir + "/crash-starts.count"
        let count = (try? String(contentsOfFile: path, encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0
        try? String(count + 1).write(toFile: path, atomically: true, encoding: .utf8)
        if count >= limit { return }
    }
    let exitCode = code ?? 1
    writeStderr("fake-claude: simulated crash on start (exit \(exitCode))\n")
    terminate(exitCode)
}

let argv = CommandLine.arguments
recordStart(argv)

if environment["FAKE_CLAUDE_REFUSE_NESTED"] == "1", environment["CLAUDECODE"] != nil {
    writeStderr("Error: Claude Code cannot be launched inside another Claude Code session.\nNested sessions share runtime resources and will crash all active sessions.\nTo bypass this check, unset the CLAUDECODE environment variable.\n")
    terminate(1)
}
startupCrashes()

let config: Config
do {
    config = try parseArguments(argv)
} catch {
    if case .message(let message) = error { writeStderr(message + "\n") }
    terminate(1)
}

// Session id and history.
var sessionID: String
var history: [String] = []
if let resume = config.resume {
    guard isUUID(resume) else {
        writeStderr("Error: --resume requires a valid session ID or session title when used with --print. Usage: claude -p --resume <session-id>\n")
        terminate(1)
    }
    let stored = loadHistory(config, resume)
    if stored == nil && config.strictResume && config.stateDir != nil {
        let message = "No conversation found with session ID: \(resume)"
        writeAll(1, J.o([
            ("type", .safe("result")), ("subtype", .safe("error_during_execution")), ("duration_ms", .i(0)),
            ("duration_api_ms", .i(0)), ("is_error", .b(true)), ("num_turns", .i(0)), ("stop_reason", .null),
            ("session_id", .s(resume)), ("total_cost_usd", .i(0)), ("errors", .a([.s(message)])), ("uuid", .safe(newUUID())),
        ]).line)
        writeStderr(message + "\n")
        terminate(1)
    }
    history = stored ?? []
    sessionID = config.forkSession ? newUUID() : resume
} else if config.continueSession, let path = lastSessionPath(config),
    let last = try? String(contentsOfFile: path, encoding: .utf8), isUUID(last)
{
    sessionID = last
    history = loadHistory(config, last) ?? []
} else if let id = config.sessionID {
    if config.stateDir != nil, loadHistory(config, id) != nil {
        writeStderr("Error: Session ID \(id) is already in use.\n")
        terminate(1)
    }
    sessionID = id
} else {
    sessionID = newUUID()
}
writeLastSession(config, sessionID)
if config.forkSession, let path = historyPath(config, sessionID), !history.isEmpty {
    try? history.map { jsonString($0) + "\n" }.joined().write(toFile: path, atomically: true, encoding: .utf8)
}

let output = Output()
let shared = Shared(cfg: config, out: output, sessionID: sessionID, history: history)

let signalSources = installSignalHandlers(shared)
if hostility == .closeStdout { close(1) }

if config.inputFormat == "stream-json" {
    let reader = StdinReader(shared)
    let thread = Thread { reader.run() }
    thread.stackSize = 1 << 20
    thread.start()
} else {
    let prompt = config.positionalPrompt.joined(separator: " ")
    shared.locked {
        shared.queue.append(UserMessage(text: prompt, uuid: nil, message: .object(["role": "user", "content": .string(prompt)]), arrivedWhileBusy: false))
        shared.eof = true
    }
}

let runner = TurnRunner(shared)
while true {
    let batch = shared.nextBatch()
    if batch.isEmpty { break }
    runner.run(batch)
    if shared.locked({ shared.exitAfterTurn }) { terminate(0) }
}
if hostility?.outlivesEOF == true {
    while true { pause() }
}
terminate(shared.locked { shared.lastResultIsError } ? 1 : 0)
