import Foundation
import ParleyTestSupport
import Testing

/// Drives the `terminal-demo` executable in a real pseudo-terminal through tmux
/// and asserts what the screen shows. tmux is required: these tests fail,
/// not skip, without it.
@Suite("Line editor in a pseudo-terminal", .serialized, .timeLimit(.minutes(2)))
struct PseudoTerminalTests {
    @Test func editingHistoryInterruptAndExitRestoreTheTerminal() async throws {
        let session = try TmuxSession()
        defer { session.close() }
        try await session.waitForScreen { $0.contains("demo›") }

        // UTF-8 input arrives intact.
        session.type("héllo wörld ✓")
        session.press("Enter")
        try await session.waitForScreen { $0.contains("got: héllo wörld ✓") }

        // Up-arrow recalls the previous line.
        session.press("Up")
        try await session.waitForScreen { $0.lastLine == "demo› héllo wörld ✓" }
        session.press("C-u")

        // Ctrl-C clears the line and is reported.
        session.type("discard me")
        try await session.waitForScreen { $0.lastLine == "demo› discard me" }
        session.press("C-c")
        try await session.waitForScreen { $0.contains("[interrupt]") && $0.lastLine == "demo›" }

        // A trailing backslash continues the message on the next line.
        session.type("first \\")
        session.press("Enter")
        session.type("second")
        session.press("Enter")
        try await session.waitForScreen { $0.contains("got: first ⏎second") }

        // Ctrl-D on the empty line ends the editor; the terminal is as before.
        session.press("C-d")
        let screen = try await session.waitForScreen { $0.contains("EXIT=0") }
        // The prompt is erased on exit: "bye" follows the last output directly.
        let byeRow = try #require(screen.rows.firstIndex(of: "bye"))
        #expect(screen.rows[byeRow - 1] == "got: first ⏎second")
        try await session.waitForFile("after")
        #expect(try session.file("before") == session.file("after"))

        // History was appended to a private file; a line starting with a space is not saved.
        let history = try session.file("history")
        #expect(history.hasPrefix("_HiStOrY_V2_\n"))
        #expect(history.contains("héllo\\040wörld\\040✓"))
        #expect(history.contains("first\\040\\012second"))
        let attributes = try FileManager.default.attributesOfItem(atPath: session.directory + "/history")
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }

    @Test func typingWhileAReplyStreamsKeepsTheTypedText() async throws {
        let session = try TmuxSession(width: 40)
        defer { session.close() }
        try await session.waitForScreen { $0.contains("demo›") }
        session.type("/stream 24 40")
        session.press("Enter")
        try await session.waitForScreen { $0.contains("word2 ") }
        // Long enough to wrap in 40 columns while output keeps arriving.
        let typed = "typed ahead while streaming, long enough to wrap ✓"
        for word in typed.split(separator: " ", omittingEmptySubsequences: false) {
            session.type(String(word) + " ")
            try await Task.sleep(for: .milliseconds(30))
        }
        let screen = try await session.waitForScreen { $0.contains("[done]") }
        // capture-pane drops trailing spaces of wrapped rows: compare without spaces.
        let joined = screen.joinedRows.replacingOccurrences(of: " ", with: "")
        #expect(joined.contains("word0word1word2"))
        #expect(joined.contains("word23"))
        // The typed text is intact, once, below the output.
        #expect(joined.components(separatedBy: "typedahead").count == 2)
        #expect(joined.hasSuffix("demo›" + typed.replacingOccurrences(of: " ", with: "")))
        let doneRow = screen.rows.lastIndex { $0.contains("[done]") } ?? 0
        let promptRow = screen.rows.lastIndex { $0.hasPrefix("demo› typed") } ?? 0
        #expect(doneRow < promptRow)
        session.press("Enter")
        try await session.waitForScreen {
            $0.joinedRows.replacingOccurrences(of: " ", with: "").contains("got:" + typed.replacingOccurrences(of: " ", with: ""))
        }
        session.type("/quit")
        session.press("Enter")
        try await session.waitForScreen { $0.contains("EXIT=0") }
        try await session.waitForFile("after")
        #expect(try session.file("before") == session.file("after"))
    }

    @Test func terminateSignalRestoresTheTerminal() async throws {
        let session = try TmuxSession()
        defer { session.close() }
        try await session.waitForScreen { $0.contains("demo›") }
        session.type("half typed")
        try await session.waitForScreen { $0.lastLine == "demo› half typed" }
        let pid = try #require(Int32(try session.file("pid").trimmingCharacters(in: .whitespacesAndNewlines)))
        kill(pid, SIGTERM)
        try await session.waitForScreen { $0.contains("EXIT=143") }
        try await session.waitForFile("after")
        #expect(try session.file("before") == session.file("after"))
    }

    @Test func refusesWithoutATerminal() throws {
        let demo = try SpawnedProgram([try TmuxSession.demoExecutable().path], environment: ProcessInfo.processInfo.environment,
                                      stdin: .null, stdout: .null, stderr: .pipe)
        #expect(demo.wait(timeout: 10) == 2)
        let message = demo.stderr
        #expect(message.contains("needs a terminal"))
    }
}

/// The text of a tmux pane.
struct Screen {
    let text: String
    var rows: [String] { text.components(separatedBy: "\n").map { $0.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) } }
    var lastLine: String { rows.last { !$0.isEmpty } ?? "" }
    /// The visible rows joined without breaks (wrapped lines become whole again).
    var joinedRows: String {
        let raw = text.components(separatedBy: "\n")
        var lastNonEmpty = raw.count - 1
        while lastNonEmpty > 0, raw[lastNonEmpty].trimmingCharacters(in: .whitespaces).isEmpty { lastNonEmpty -= 1 }
        return raw[...lastNonEmpty].joined()
    }
    func contains(_ text: String) -> Bool { self.text.contains(text) }
}

/// `terminal-demo` in a terminal (the shared `TmuxTerminal` driver), through a wrapper script
/// that records `stty -a` before and after, the demo's pid and its exit status.
final class TmuxSession: @unchecked Sendable {
    let directory: String
    private let terminal: TmuxTerminal

    init(width: Int = 100, height: Int = 30) throws {
        directory = NSTemporaryDirectory() + "parley-pty-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let script = directory + "/run.sh"
        try """
            #!/bin/sh
            cd "\(directory)"
            # Ctrl-C reaches the whole foreground group: keep this script alive.
            trap ':' INT
            stty -a > before
            sh -c 'echo $$ > pid; exec "$@"' sh "\(try Self.demoExecutable().path)" --history "\(directory)/history" 2>err
            echo EXIT=$?
            stty -a > after.tmp && mv after.tmp after
            sleep 120
            """.write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        terminal = try TmuxTerminal(
            command: script, width: width, height: height,
            environment: ["PATH": "/usr/bin:/bin", "HOME": directory, "LANG": "C.UTF-8", "TERM": "screen"])
    }

    static func demoExecutable() throws -> URL {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var directory = executable.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("terminal-demo")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        Issue.record("terminal-demo was not built next to the tests (\(executable.path))")
        throw CocoaError(.fileNoSuchFile)
    }

    func type(_ text: String) { terminal.type(text) }
    func press(_ key: String) { terminal.send(key) }
    func file(_ name: String) throws -> String { try String(contentsOfFile: directory + "/" + name, encoding: .utf8) }

    /// Waits until the screen satisfies `condition`; fails with the screen attached (`TmuxTerminal.waitFor`).
    @discardableResult
    func waitForScreen(
        timeout: Duration = .seconds(10), sourceLocation: SourceLocation = #_sourceLocation,
        _ condition: (Screen) -> Bool
    ) async throws -> Screen {
        Screen(text: try await terminal.waitFor(timeout: timeout, sourceLocation: sourceLocation) { condition(Screen(text: $0)) })
    }

    /// Waits until the wrapper script has written `name`; fails with the screen attached.
    func waitForFile(_ name: String, timeout: Duration = .seconds(5), sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let path = directory + "/" + name
        try await terminal.waitFor(awaiting: "\(name) to be written", timeout: timeout, sourceLocation: sourceLocation) { _ in
            FileManager.default.fileExists(atPath: path)
        }
    }

    func close() {
        terminal.close()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
