// A tiny REPL over the Terminal module's LineEditor, for pseudo-terminal tests
// and for trying the editor by hand. Not part of Parley.
//
//   terminal-demo [--history PATH] [--no-color]
//
// Commands: /stream N [DELAY_MS]  streams N words above the prompt, then "[done]"
//           /bench MB             writes MB megabytes in 64-byte deltas, exits and reports the rate
//           /quit                 stops
// Anything else is echoed as "got: <line>" (newlines shown as ⏎).
import Foundation
import Terminal

let arguments = CommandLine.arguments
let historyPath = arguments.firstIndex(of: "--history").flatMap { arguments.indices.contains($0 + 1) ? arguments[$0 + 1] : nil }
let useColor = !arguments.contains("--no-color")
let commands = ["/bench", "/hello", "/help", "/history", "/quit", "/stream"]

let editor: LineEditor
do {
    editor = try LineEditor(
        prompt: StyledText("demo", Style(foreground: .cyan, bold: true)) + StyledText("› "),
        historyPath: historyPath, historySize: 100, useColor: useColor,
        completion: { line, cursor in
            let before = String(String.UnicodeScalarView(line.unicodeScalars.prefix(cursor)))
            let word = before.split(separator: " ", omittingEmptySubsequences: false).last.map(String.init) ?? ""
            return commands.filter { $0.hasPrefix(word) }.map { CompletionCandidate($0) }
        })
} catch {
    FileHandle.standardError.write(Data("terminal-demo: \(error)\n".utf8))
    exit(2)
}

func stream(words: Int, delay: Duration) async {
    editor.keepsLineOnInterrupt = true
    for index in 0..<words {
        editor.write(StyledText("word\(index) ", index % 3 == 0 ? .bold : .plain))
        try? await Task.sleep(for: delay)
    }
    editor.write("\n")
    editor.writeStatus(StyledText("[done]", .dim))
    editor.keepsLineOnInterrupt = false
}

/// Writes `megabytes` in 64-byte deltas (mid-line splits included), stops the
/// editor once everything is rendered and reports the rate on standard error.
func bench(megabytes: Int) -> Never {
    let deltas = [StyledText("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", .bold), StyledText("yyyyyyyyyyyyyyyy\n")]
    let count = megabytes * 1_048_576 / 64
    let start = ContinuousClock.now
    for index in 0..<count * 2 { editor.write(deltas[index % 2]) }
    let queued = ContinuousClock.now - start
    editor.stop()
    FileHandle.standardError.write(Data("bench: queued in \(queued)\n".utf8))
    let seconds = Double((ContinuousClock.now - start).components.attoseconds) / 1e18
        + Double((ContinuousClock.now - start).components.seconds)
    FileHandle.standardError.write(Data("bench: \(megabytes) MB in \(seconds) s = \(Double(megabytes) / seconds) MB/s\n".utf8))
    exit(0)
}

var exitCode: Int32 = 0
loop: for await input in editor.inputs {
    switch input {
    case .line(let line):
        let words = line.split(separator: " ")
        if line == "/quit" {
            break loop
        } else if words.first == "/stream" {
            let count = words.count > 1 ? Int(words[1]) ?? 20 : 20
            let delay = words.count > 2 ? Int(words[2]) ?? 100 : 100
            Task { await stream(words: count, delay: .milliseconds(delay)) }
        } else if words.first == "/bench" {
            bench(megabytes: words.count > 1 ? Int(words[1]) ?? 10 : 10)  // does not return
        } else {
            editor.write(StyledText("got: ", .dim) + StyledText(line.replacingOccurrences(of: "\n", with: "⏎")) + "\n")
        }
    case .interrupt:
        editor.writeStatus(StyledText("[interrupt]", .color(.yellow)))
    case .eof:
        break loop
    case .escapeTwice:
        break
    case .key, .shiftTab, .recallQueued, .command:
        continue
    case .terminate(let signal):
        exitCode = 128 + signal
        break loop
    }
}
editor.stop()
print("bye")
exit(exitCode)
