import Foundation
import ParleyTestSupport
import Testing

import Glibc

/// The built `parley` in a real terminal (tmux), against the `fake-claude` double: what a
/// person at the keyboard sees.
@Suite(.serialized, .timeLimit(.minutes(3))) struct InteractiveTests {
    struct Fixture {
        let directory = TemporaryDirectory("parley-tty")
        var record: FakeClaudeRecord { FakeClaudeRecord(path: directory.file("record.jsonl")) }

        func environment(_ extra: [String: String] = [:]) -> [String: String] {
            [
                "PATH": "/usr/bin:/bin", "HOME": directory.path, "TERM": "xterm-256color", "LANG": "C.UTF-8",
                "XDG_STATE_HOME": directory.file("state"), "XDG_CONFIG_HOME": directory.file("config"),
                "PARLEY_CLAUDE": TestBinaries.fakeClaude, "FAKE_CLAUDE_RECORD": directory.file("record.jsonl"),
                "FAKE_CLAUDE_STATE_DIR": directory.path, "PARLEY_RESTART_DELAYS": "0.05,0.1,0.2",
            ].merging(extra) { $1 }
        }

        /// Runs parley in a terminal; `stty -a` is saved before and after, and the exit status.
        func start(_ arguments: String = "", extra: [String: String] = [:],
                   sourceLocation: SourceLocation = #_sourceLocation) async throws -> TmuxTerminal {
            let command = """
                cd \(directory.path) && stty -a > stty.before && \(TestBinaries.parley) \(arguments); \
                echo "exit=$?" > exit.status; stty -a > stty.after; echo PARLEY-EXITED
                """
            let terminal = try TmuxTerminal(command: command, environment: environment(extra))
            try await terminal.waitFor("parley ›", sourceLocation: sourceLocation)
            return terminal
        }

        /// The message that starts ``startDuringALongReply(sourceLocation:)``'s reply.
        static let longReplyPrompt = "long fc:slow=60 fc:words=400"

        /// Runs parley in a terminal and sends a message whose reply is long and slow enough
        /// (400 words, 60 ms apart) to type and press keys while it streams; returns once its
        /// first words are on the screen.
        func startDuringALongReply(sourceLocation: SourceLocation = #_sourceLocation) async throws -> TmuxTerminal {
            let terminal = try await start(sourceLocation: sourceLocation)
            terminal.type(Self.longReplyPrompt, enter: true)
            try await terminal.waitFor("lorem", sourceLocation: sourceLocation)
            return terminal
        }

        func file(_ name: String) -> String {
            (try? String(contentsOfFile: directory.file(name), encoding: .utf8)) ?? ""
        }
    }

    @Test func aTypedMessageAndItsStreamedReply() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let terminal = try await fixture.start()
        defer { terminal.close() }
        terminal.type("héllo wörld ✓ **bold**", enter: true)
        let screen = try await terminal.waitFor("Echo: héllo wörld ✓ bold")
        #expect(!screen.contains("**bold**\n") || screen.contains("› héllo wörld ✓ **bold**"))
        #expect(fixture.record.userTexts == ["héllo wörld ✓ **bold**"])
        #expect(screen.contains("● claude started"))
        #expect(screen.contains("─ "))  // the turn footer
        terminal.send("C-d")
        try await terminal.waitFor("PARLEY-EXITED")
        #expect(fixture.file("exit.status").contains("exit=0"))
    }

    @Test func replyTextAppearsWhileItStreams() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let terminal = try await fixture.start()
        defer { terminal.close() }
        terminal.type("stream fc:slow=80 fc:words=80", enter: true)
        try await terminal.waitFor("lorem ipsum")
        #expect(fixture.record.entries.allSatisfy { $0["event"] != "exit" })
        // Still streaming: the footer has not appeared yet.
        #expect(!terminal.screen().contains("─ "))
        terminal.send("C-c")
        try await terminal.waitFor("interrupted")
    }

    @Test func typingAheadDuringASlowReplyIsKeptAndQueued() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let terminal = try await fixture.start()
        defer { terminal.close() }
        terminal.type("first fc:slow=60 fc:words=60", enter: true)
        try await terminal.waitFor("lorem")
        terminal.type("typed ahead ✓")
        try await Task.sleep(for: .milliseconds(400))  // more output arrives while the line is half typed
        #expect(terminal.cursorLine().contains("parley › typed ahead ✓"), "cursor line: \(terminal.cursorLine())")
        terminal.send("Enter")
        try await terminal.waitFor("queued (1): typed ahead ✓")
        #expect(fixture.record.userTexts == ["first fc:slow=60 fc:words=60"])  // not sent early
        let final = try await terminal.waitFor("Echo: typed ahead ✓", timeout: .seconds(20))
        #expect(fixture.record.userTexts == ["first fc:slow=60 fc:words=60", "typed ahead ✓"])
        // The reply on screen is exactly the reply, once: no row left behind or drawn twice
        // while the prompt was redrawn under it.
        let piped = try await runProgram(TestBinaries.parley, stdin: "first fc:slow=1 fc:words=60\n",
                                   environment: fixture.environment(), workingDirectory: fixture.directory.path)
        let expectedWords = piped.stdout.split(whereSeparator: \.isWhitespace)
        let lines = final.split(separator: "\n").map(String.init)
        let start = try #require(lines.firstIndex { $0.hasPrefix("● model") })
        let end = try #require(lines.firstIndex { $0.hasPrefix("─ ") })
        let replyWords = lines[(start + 1)..<end].filter { !$0.hasPrefix("queued (") }
            .flatMap { $0.split(whereSeparator: \.isWhitespace) }
        #expect(replyWords == expectedWords, "screen:\n\(final)")
    }

    @Test func ctrlCInterruptsASlowTurnAndTheNextMessageWorks() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let terminal = try await fixture.startDuringALongReply()
        defer { terminal.close() }
        terminal.type("half typed")
        // Press Ctrl-C once the text is on the edit line, as a person does (text still unread
        // at the Ctrl-C is kept too: keysTypedJustBeforeCtrlCSurviveTheInterrupt).
        try await terminal.waitFor(awaiting: "the typed text on the edit line") { _ in
            terminal.cursorLine().contains("half typed")
        }
        terminal.send("C-c")
        try await terminal.waitFor("⏹ interrupted")
        // The half-typed line survived the interrupt; finish and send it.
        #expect(terminal.cursorLine().contains("half typed"), "cursor line: \(terminal.cursorLine())")
        terminal.type(" then sent", enter: true)
        try await terminal.waitFor("Echo: half typed then sent")
        #expect(fixture.record.starts.count == 1)  // the same process
        // At an idle prompt Ctrl-C clears the line instead: the prompt is empty again, Enter
        // on it sends nothing, and the next message is the next one claude receives.
        terminal.type("discard me")
        try await terminal.waitFor { _ in terminal.cursorLine().contains("parley › discard me") }
        terminal.send("C-c")
        try await terminal.waitFor(awaiting: "an empty prompt") { _ in
            terminal.cursorLine().trimmingCharacters(in: .whitespaces) == "parley ›"
        }
        terminal.send("Enter")
        terminal.type("after the discarded line", enter: true)
        try await terminal.waitFor("Echo: after the discarded line")
        #expect(fixture.record.userTexts == [Fixture.longReplyPrompt, "half typed then sent", "after the discarded line"])
    }

    /// Keys typed just before Ctrl-C, still unread by the editor when the terminal turns the
    /// Ctrl-C into SIGINT, stay typed: one burst of text and Ctrl-C (one write to the terminal,
    /// as a fast typist or a paste then Ctrl-C gives) interrupts the turn and leaves the text on
    /// the edit line. Without NOFLSH the tty discarded it.
    @Test func keysTypedJustBeforeCtrlCSurviveTheInterrupt() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let terminal = try await fixture.startDuringALongReply()
        defer { terminal.close() }
        terminal.send("quick words", "C-c")
        try await terminal.waitFor("⏹ interrupted")
        try await terminal.waitFor(awaiting: "the text typed before Ctrl-C on the edit line") { _ in
            terminal.cursorLine().contains("parley › quick words")
        }
        terminal.type(" sent", enter: true)
        try await terminal.waitFor("Echo: quick words sent")
        #expect(fixture.record.userTexts == [Fixture.longReplyPrompt, "quick words sent"])
    }

    /// Lines submitted while a running turn's status row is drawn above the prompt (a message
    /// typed while a permission question waits, then the reason after `n`) stay in the
    /// transcript, and the status row is never left behind in it: before, Enter put the line
    /// under the status row, which stayed there for good while the next redraw erased the line.
    @Test func linesSubmittedUnderTheStatusRowStayAndTheStatusRowGoes() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let terminal = try await fixture.start()
        defer { terminal.close() }
        terminal.type("write it fc:permission=Write", enter: true)
        try await terminal.waitFor("allow? [y/n/a]")
        try await terminal.waitFor("● running")
        terminal.type("queued words", enter: true)
        try await terminal.waitFor("queued (1): queued words")
        try await Task.sleep(for: .milliseconds(700))  // an answer is a key pressed once the question has been visible a moment
        terminal.type("n")
        try await terminal.waitFor("reason for no")
        terminal.type("not today", enter: true)
        let screen = try await terminal.waitFor("Echo: queued words")
        try await terminal.waitFor(awaiting: "the prompt back") { _ in terminal.cursorLine().hasPrefix("parley ›") }
        let shown = screen.split(separator: "\n").map(String.init)
        #expect(shown.contains("allow? [y/n/a] › queued words"), "screen:\n\(screen)")
        #expect(shown.contains("reason for no (Enter for none) › not today"), "screen:\n\(screen)")
        #expect(!terminal.screen().contains("● running"), "a status row was left in the transcript:\n\(terminal.screen())")
        #expect(fixture.record.userTexts == ["write it fc:permission=Write", "queued words"])
    }

    @Test func queueListingAndDropping() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let terminal = try await fixture.start()
        defer { terminal.close() }
        // Long enough (≈ 10 s) for two commands typed during it, even on a loaded machine.
        terminal.type("slow fc:slow=60 fc:words=220", enter: true)
        try await terminal.waitFor("lorem")
        for text in ["alpha", "beta", "gamma"] { terminal.type(text, enter: true) }
        try await terminal.waitFor("queued (3): gamma")
        terminal.type("/queue", enter: true)
        try await terminal.waitFor("3. gamma")
        terminal.type("/queue drop 2", enter: true)
        try await terminal.waitFor("dropped 2: beta")
        try await terminal.waitFor("Echo: gamma", timeout: .seconds(40))
        #expect(fixture.record.userTexts.suffix(2) == ["alpha", "gamma"])
    }

    @Test func statusAndRestartKeepTheConversation() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let terminal = try await fixture.start()
        defer { terminal.close() }
        terminal.type("remember plums", enter: true)
        try await terminal.waitFor("Echo: remember plums")
        terminal.type("/status", enter: true)
        let screen = try await terminal.waitFor("restarts 0")
        #expect(screen.contains("persona default") && screen.contains("idle · queue 0 · turns 1"))
        terminal.type("/restart", enter: true)
        try await terminal.waitFor("resuming session")
        terminal.type("fc:history", enter: true)
        try await terminal.waitFor(awaiting: "“remember plums” three times") {
            $0.components(separatedBy: "remember plums").count >= 3
        }
        #expect(fixture.record.starts.count == 2)
        #expect(fixture.record.argvs.last?.contains("--resume") == true)
    }

    @Test func aCrashIsAStatusLineAndTheConversationContinues() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let terminal = try await fixture.start()
        defer { terminal.close() }
        terminal.type("remember figs", enter: true)
        try await terminal.waitFor("Echo: remember figs")
        terminal.type("die now fc:kill", enter: true)
        let screen = try await terminal.waitFor("restarting claude")
        #expect(screen.contains("killed by signal 9"))
        #expect(screen.contains("not answered: “die now fc:kill”"))
        try await terminal.waitFor("resuming session")
        terminal.type("fc:history", enter: true)
        try await terminal.waitFor(awaiting: "“remember figs” three times") {
            $0.components(separatedBy: "remember figs").count >= 3
        }
    }

    @Test func historyIsRecalledAfterRestartingParley() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let first = try await fixture.start()
        first.type("a line worth remembering", enter: true)
        try await first.waitFor("Echo: a line worth remembering")
        first.type(" secret with a leading space", enter: true)
        try await first.waitFor("Echo:  secret")
        first.send("C-d")
        try await first.waitFor("PARLEY-EXITED")
        first.close()
        let history = fixture.directory.file("state/parley/history")
        let attributes = try FileManager.default.attributesOfItem(atPath: history)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let second = try await fixture.start()
        defer { second.close() }
        second.send("Up")
        try await second.waitFor(awaiting: "the recalled line") { _ in
            second.cursorLine().contains("a line worth remembering")
        }
        #expect(!(try String(contentsOfFile: history, encoding: .utf8)).contains("secret"))
    }

    @Test func theTerminalIsRestoredOnEveryExitPath() async throws {
        for how in ["ctrl-d", "quit", "sigterm", "sighup"] {
            let fixture = Fixture()
            defer { fixture.directory.remove() }
            let terminal = try await fixture.start()
            defer { terminal.close() }
            terminal.type("hello", enter: true)
            try await terminal.waitFor("Echo: hello")
            switch how {
            case "ctrl-d": terminal.send("C-d")
            case "quit": terminal.type("/quit", enter: true)
            default:
                let pid = try #require(fixture.record.starts.first?["ppid"]?.intValue)
                kill(pid_t(pid), how == "sigterm" ? SIGTERM : SIGHUP)
            }
            try await terminal.waitFor(awaiting: "parley to exit after \(how)") { $0.contains("PARLEY-EXITED") }
            #expect(!fixture.file("stty.before").isEmpty)
            #expect(fixture.file("stty.before") == fixture.file("stty.after"), "\(how) left the terminal changed")
            let expected = ["ctrl-d": "exit=0", "quit": "exit=0", "sigterm": "exit=143", "sighup": "exit=129"][how]!
            #expect(fixture.file("exit.status").contains(expected), "\(how): \(fixture.file("exit.status"))")
            let claude = try #require(fixture.record.starts.first?["pid"]?.intValue)
            #expect(!ProcessInspector.isAlive(pid_t(claude)), "\(how): claude left running")
        }
    }

    @Test func aResizeRedrawsThePromptAndKeepsTheTypedLine() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let terminal = try await fixture.start()
        defer { terminal.close() }
        terminal.type("half of a message that is long enough to wrap once the terminal gets narrow")
        terminal.resize(width: 40, height: 20)
        try await Task.sleep(for: .milliseconds(300))
        terminal.type(" and the end", enter: true)
        let expected = "half of a message that is long enough to wrap once the terminal gets narrow and the end"
        try await terminal.waitFor("Echo: half of a message")
        #expect(fixture.record.userTexts == [expected])
        terminal.resize(width: 120, height: 30)
        terminal.type("still fine", enter: true)
        try await terminal.waitFor("Echo: still fine")
    }

    @Test func ctrlDDuringATurnAsksForASecondOne() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let terminal = try await fixture.startDuringALongReply()
        defer { terminal.close() }
        terminal.send("C-d")
        try await terminal.waitFor("press Ctrl-D again to quit")
        terminal.send("C-d")
        try await terminal.waitFor("PARLEY-EXITED")
        #expect(fixture.file("stty.before") == fixture.file("stty.after"))
    }

    @Test func tabCompletesCommandsAndPersonas() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let configDirectory = fixture.directory.file("config/parley")
        try FileManager.default.createDirectory(atPath: configDirectory, withIntermediateDirectories: true)
        try "[personas.reviewer]\nsystem_prompt = \"Review.\"\n".write(toFile: configDirectory + "/config.toml", atomically: true, encoding: .utf8)
        let terminal = try await fixture.start()
        defer { terminal.close() }
        terminal.type("/sta")
        terminal.send("Tab")
        try await terminal.waitFor(awaiting: "“/status” completed") { _ in terminal.cursorLine().contains("/status") }
        terminal.send("C-u")
        terminal.type("/persona rev")
        terminal.send("Tab")
        try await terminal.waitFor(awaiting: "“/persona reviewer” completed") { _ in
            terminal.cursorLine().contains("/persona reviewer")
        }
        terminal.send("Enter")
        try await terminal.waitFor("reviewer ›")  // the prompt shows the persona
    }

    @Test func aPermissionQuestionIsAnsweredWithOneKey() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let terminal = try await fixture.start()
        defer { terminal.close() }
        // y: one key, no Enter, allows.
        terminal.type("write it fc:permission=Write", enter: true)
        try await terminal.waitFor("Allow Write(")
        try await terminal.waitFor("allow? [y/n/a]")
        try await Task.sleep(for: .milliseconds(700))  // an answer is a key pressed once the question has been visible a moment
        terminal.type("y")
        try await terminal.waitFor("  allowed")
        try await terminal.waitFor(awaiting: "the prompt back") { _ in terminal.cursorLine().hasPrefix("parley ›") }
        #expect(terminal.cursorLine().trimmingCharacters(in: .whitespaces) == "parley ›", "the key was not typed into the line")
        var answers = fixture.record.stdinLines.filter { $0["type"] == "control_response" }
        #expect(answers.last?["response"]?["response"]?["behavior"] == "allow")
        // n: one key, then a reason line that reaches the model.
        terminal.type("again fc:permission=Write", enter: true)
        try await terminal.waitFor("allow? [y/n/a]")
        try await Task.sleep(for: .milliseconds(700))
        terminal.type("n")
        try await terminal.waitFor("reason for no")
        terminal.type("not today", enter: true)
        try await terminal.waitFor("  denied")
        try await terminal.waitFor(awaiting: "the prompt back") { _ in terminal.cursorLine().hasPrefix("parley ›") }
        answers = fixture.record.stdinLines.filter { $0["type"] == "control_response" }
        #expect(answers.last?["response"]?["response"]?["behavior"] == "deny")
        #expect(answers.last?["response"]?["response"]?["message"]?.stringValue?.contains("not today") == true)
        // Any other key is not an answer: it is typed into the line and the question stays.
        terminal.type("third fc:permission=Write", enter: true)
        try await terminal.waitFor("allow? [y/n/a]")
        try await Task.sleep(for: .milliseconds(700))
        terminal.type("x")
        try await terminal.waitFor(awaiting: "x typed into the line") { _ in terminal.cursorLine().contains("› x") }
        terminal.send("C-u")
        try await Task.sleep(for: .milliseconds(700))
        terminal.type("a")
        try await terminal.waitFor("allowed for this session")
    }
}
