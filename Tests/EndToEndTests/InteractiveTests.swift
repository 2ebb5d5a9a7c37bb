import Foundation
import ParleyTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The built `parley` in a real terminal (tmux), against the `fake-claude` double: what a
/// person at the keyboard sees.
@Suite(.serialized) struct InteractiveTests {
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
        func start(_ arguments: String = "", extra: [String: String] = [:]) throws -> TmuxTerminal {
            let command = """
                cd \(directory.path) && stty -a > stty.before && \(TestBinaries.parley) \(arguments); \
                echo "exit=$?" > exit.status; stty -a > stty.after; echo PARLEY-EXITED
                """
            let terminal = try TmuxTerminal(command: command, environment: environment(extra))
            terminal.waitFor("parley ›")
            return terminal
        }

        func file(_ name: String) -> String {
            (try? String(contentsOfFile: directory.file(name), encoding: .utf8)) ?? ""
        }
    }

    @Test func aTypedMessageAndItsStreamedReply() throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let terminal = try fixture.start()
        defer { terminal.close() }
        terminal.type("héllo wörld ✓ **bold**", enter: true)
        let (ok, screen) = terminal.waitFor("Echo: héllo wörld ✓ bold")
        #expect(ok, "screen:\n\(screen)")
        #expect(!screen.contains("**bold**\n") || screen.contains("› héllo wörld ✓ **bold**"))
        #expect(fixture.record.userTexts == ["héllo wörld ✓ **bold**"])
        #expect(screen.contains("● claude started"))
        #expect(screen.contains("─ "))  // the turn footer
        terminal.send("C-d")
        #expect(terminal.waitFor("PARLEY-EXITED").0)
        #expect(fixture.file("exit.status").contains("exit=0"))
    }

    @Test func replyTextAppearsWhileItStreams() throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let terminal = try fixture.start()
        defer { terminal.close() }
        terminal.type("stream fc:slow=80 fc:words=80", enter: true)
        let (started, _) = terminal.waitFor("lorem ipsum")
        #expect(started)
        #expect(fixture.record.entries.allSatisfy { $0["event"] != "exit" })
        // Still streaming: the footer has not appeared yet.
        #expect(!terminal.screen().contains("─ "))
        terminal.send("C-c")
        terminal.waitFor("interrupted")
    }

    @Test func typingAheadDuringASlowReplyIsKeptAndQueued() throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let terminal = try fixture.start()
        defer { terminal.close() }
        terminal.type("first fc:slow=60 fc:words=60", enter: true)
        terminal.waitFor("lorem")
        terminal.type("typed ahead ✓")
        usleep(400_000)  // more output arrives while the line is half typed
        #expect(terminal.cursorLine().contains("parley › typed ahead ✓"), "cursor line: \(terminal.cursorLine())")
        terminal.send("Enter")
        let (queued, screen) = terminal.waitFor("queued (1): typed ahead ✓")
        #expect(queued, "screen:\n\(screen)")
        #expect(fixture.record.userTexts == ["first fc:slow=60 fc:words=60"])  // not sent early
        let (answered, final) = terminal.waitFor("Echo: typed ahead ✓", timeout: 20)
        #expect(answered, "screen:\n\(final)")
        #expect(fixture.record.userTexts == ["first fc:slow=60 fc:words=60", "typed ahead ✓"])
        // The reply on screen is exactly the reply, once: no row left behind or drawn twice
        // while the prompt was redrawn under it.
        let piped = try runProgram(TestBinaries.parley, stdin: "first fc:slow=1 fc:words=60\n",
                                   environment: fixture.environment(), workingDirectory: fixture.directory.path)
        let expectedWords = piped.stdout.split(whereSeparator: \.isWhitespace)
        let lines = final.split(separator: "\n").map(String.init)
        let start = try #require(lines.firstIndex { $0.hasPrefix("● model") })
        let end = try #require(lines.firstIndex { $0.hasPrefix("─ ") })
        let replyWords = lines[(start + 1)..<end].filter { !$0.hasPrefix("queued (") }
            .flatMap { $0.split(whereSeparator: \.isWhitespace) }
        #expect(replyWords == expectedWords, "screen:\n\(final)")
    }

    @Test func ctrlCInterruptsASlowTurnAndTheNextMessageWorks() throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let terminal = try fixture.start()
        defer { terminal.close() }
        terminal.type("long fc:slow=60 fc:words=400", enter: true)
        terminal.waitFor("lorem")
        terminal.type("half typed")
        terminal.send("C-c")
        let (interrupted, screen) = terminal.waitFor("⏹ interrupted")
        #expect(interrupted, "screen:\n\(screen)")
        // The half-typed line survived the interrupt; finish and send it.
        #expect(terminal.cursorLine().contains("half typed"), "cursor line: \(terminal.cursorLine())")
        terminal.type(" then sent", enter: true)
        #expect(terminal.waitFor("Echo: half typed then sent").0)
        #expect(fixture.record.starts.count == 1)  // the same process
        // At an idle prompt Ctrl-C clears the line instead.
        terminal.type("discard me")
        terminal.send("C-c")
        usleep(200_000)
        terminal.send("Enter")
        usleep(300_000)
        #expect(!fixture.record.userTexts.contains("discard me"))
    }

    @Test func queueListingAndDropping() throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let terminal = try fixture.start()
        defer { terminal.close() }
        // Long enough (≈ 10 s) for two commands typed during it, even on a loaded machine.
        terminal.type("slow fc:slow=60 fc:words=220", enter: true)
        terminal.waitFor("lorem")
        for text in ["alpha", "beta", "gamma"] { terminal.type(text, enter: true) }
        terminal.waitFor("queued (3): gamma")
        terminal.type("/queue", enter: true)
        #expect(terminal.waitFor("3. gamma").0)
        terminal.type("/queue drop 2", enter: true)
        #expect(terminal.waitFor("dropped 2: beta").0)
        let (done, screen) = terminal.waitFor("Echo: gamma", timeout: 40)
        #expect(done, "screen:\n\(screen)")
        #expect(fixture.record.userTexts.suffix(2) == ["alpha", "gamma"])
    }

    @Test func statusAndRestartKeepTheConversation() throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let terminal = try fixture.start()
        defer { terminal.close() }
        terminal.type("remember plums", enter: true)
        terminal.waitFor("Echo: remember plums")
        terminal.type("/status", enter: true)
        let (shown, screen) = terminal.waitFor("restarts 0")
        #expect(shown, "screen:\n\(screen)")
        #expect(screen.contains("persona default") && screen.contains("idle · queue 0 · turns 1"))
        terminal.type("/restart", enter: true)
        #expect(terminal.waitFor("resuming session").0)
        terminal.type("fc:history", enter: true)
        #expect(terminal.waitFor("remember plums", timeout: 10).1.components(separatedBy: "remember plums").count >= 3)
        #expect(fixture.record.starts.count == 2)
        #expect(fixture.record.argvs.last?.contains("--resume") == true)
    }

    @Test func aCrashIsAStatusLineAndTheConversationContinues() throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let terminal = try fixture.start()
        defer { terminal.close() }
        terminal.type("remember figs", enter: true)
        terminal.waitFor("Echo: remember figs")
        terminal.type("die now fc:kill", enter: true)
        let (shown, screen) = terminal.waitFor("restarting claude")
        #expect(shown, "screen:\n\(screen)")
        #expect(screen.contains("killed by signal 9"))
        #expect(screen.contains("not answered: “die now fc:kill”"))
        terminal.waitFor("resuming session")
        terminal.type("fc:history", enter: true)
        #expect(terminal.waitFor(timeout: 10) { $0.components(separatedBy: "remember figs").count >= 3 }.0)
    }

    @Test func historyIsRecalledAfterRestartingParley() throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let first = try fixture.start()
        first.type("a line worth remembering", enter: true)
        first.waitFor("Echo: a line worth remembering")
        first.type(" secret with a leading space", enter: true)
        first.waitFor("Echo:  secret")
        first.send("C-d")
        first.waitFor("PARLEY-EXITED")
        first.close()
        let history = fixture.directory.file("state/parley/history")
        let attributes = try FileManager.default.attributesOfItem(atPath: history)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let second = try fixture.start()
        defer { second.close() }
        second.send("Up")
        let (recalled, screen) = second.waitFor { _ in second.cursorLine().contains("a line worth remembering") }
        #expect(recalled, "screen:\n\(screen)")
        #expect(!(try String(contentsOfFile: history, encoding: .utf8)).contains("secret"))
    }

    @Test func theTerminalIsRestoredOnEveryExitPath() throws {
        for how in ["ctrl-d", "quit", "sigterm", "sighup"] {
            let fixture = Fixture()
            defer { fixture.directory.remove() }
            let terminal = try fixture.start()
            defer { terminal.close() }
            terminal.type("hello", enter: true)
            terminal.waitFor("Echo: hello")
            switch how {
            case "ctrl-d": terminal.send("C-d")
            case "quit": terminal.type("/quit", enter: true)
            default:
                let pid = try #require(fixture.record.starts.first?["ppid"]?.intValue)
                kill(pid_t(pid), how == "sigterm" ? SIGTERM : SIGHUP)
            }
            let (exited, screen) = terminal.waitFor("PARLEY-EXITED")
            #expect(exited, "\(how): screen:\n\(screen)")
            #expect(!fixture.file("stty.before").isEmpty)
            #expect(fixture.file("stty.before") == fixture.file("stty.after"), "\(how) left the terminal changed")
            let expected = ["ctrl-d": "exit=0", "quit": "exit=0", "sigterm": "exit=143", "sighup": "exit=129"][how]!
            #expect(fixture.file("exit.status").contains(expected), "\(how): \(fixture.file("exit.status"))")
            let claude = try #require(fixture.record.starts.first?["pid"]?.intValue)
            #expect(!ProcessInspector.isAlive(pid_t(claude)), "\(how): claude left running")
        }
    }

    @Test func aResizeRedrawsThePromptAndKeepsTheTypedLine() throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let terminal = try fixture.start()
        defer { terminal.close() }
        terminal.type("half of a message that is long enough to wrap once the terminal gets narrow")
        terminal.resize(width: 40, height: 20)
        usleep(300_000)
        terminal.type(" and the end", enter: true)
        let expected = "half of a message that is long enough to wrap once the terminal gets narrow and the end"
        let (answered, screen) = terminal.waitFor("Echo: half of a message")
        #expect(answered, "screen:\n\(screen)")
        #expect(fixture.record.userTexts == [expected])
        terminal.resize(width: 120, height: 30)
        terminal.type("still fine", enter: true)
        #expect(terminal.waitFor("Echo: still fine").0)
    }

    @Test func ctrlDDuringATurnAsksForASecondOne() throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let terminal = try fixture.start()
        defer { terminal.close() }
        terminal.type("long fc:slow=60 fc:words=400", enter: true)
        terminal.waitFor("lorem")
        terminal.send("C-d")
        #expect(terminal.waitFor("press Ctrl-D again to quit").0)
        terminal.send("C-d")
        #expect(terminal.waitFor("PARLEY-EXITED").0)
        #expect(fixture.file("stty.before") == fixture.file("stty.after"))
    }

    @Test func tabCompletesCommandsAndPersonas() throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let configDirectory = fixture.directory.file("config/parley")
        try FileManager.default.createDirectory(atPath: configDirectory, withIntermediateDirectories: true)
        try "[personas.reviewer]\nsystem_prompt = \"Review.\"\n".write(toFile: configDirectory + "/config.toml", atomically: true, encoding: .utf8)
        let terminal = try fixture.start()
        defer { terminal.close() }
        terminal.type("/sta")
        terminal.send("Tab")
        #expect(terminal.waitFor { _ in terminal.cursorLine().contains("/status") }.0, "line: \(terminal.cursorLine())")
        terminal.send("C-u")
        terminal.type("/persona rev")
        terminal.send("Tab")
        #expect(terminal.waitFor { _ in terminal.cursorLine().contains("/persona reviewer") }.0, "line: \(terminal.cursorLine())")
        terminal.send("Enter")
        #expect(terminal.waitFor("reviewer ›").0)  // the prompt shows the persona
    }

    @Test func aPermissionQuestionIsAnsweredWithOneKey() throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let terminal = try fixture.start()
        defer { terminal.close() }
        // y: one key, no Enter, allows.
        terminal.type("write it fc:permission=Write", enter: true)
        let (asked, screen) = terminal.waitFor("Allow Write(")
        #expect(asked, "screen:\n\(screen)")
        #expect(terminal.waitFor("allow? [y/n/a]").0)
        usleep(700_000)  // an answer is a key pressed once the question has been visible a moment
        terminal.type("y")
        #expect(terminal.waitFor("  allowed").0)
        terminal.waitFor { _ in terminal.cursorLine().hasPrefix("parley ›") }
        #expect(terminal.cursorLine().trimmingCharacters(in: .whitespaces) == "parley ›", "the key was not typed into the line")
        var answers = fixture.record.stdinLines.filter { $0["type"] == "control_response" }
        #expect(answers.last?["response"]?["response"]?["behavior"] == "allow")
        // n: one key, then a reason line that reaches the model.
        terminal.type("again fc:permission=Write", enter: true)
        terminal.waitFor("allow? [y/n/a]")
        usleep(700_000)
        terminal.type("n")
        #expect(terminal.waitFor("reason for no").0)
        terminal.type("not today", enter: true)
        #expect(terminal.waitFor("  denied").0)
        terminal.waitFor { _ in terminal.cursorLine().hasPrefix("parley ›") }
        answers = fixture.record.stdinLines.filter { $0["type"] == "control_response" }
        #expect(answers.last?["response"]?["response"]?["behavior"] == "deny")
        #expect(answers.last?["response"]?["response"]?["message"]?.stringValue?.contains("not today") == true)
        // Any other key is not an answer: it is typed into the line and the question stays.
        terminal.type("third fc:permission=Write", enter: true)
        terminal.waitFor("allow? [y/n/a]")
        usleep(700_000)
        terminal.type("x")
        #expect(terminal.waitFor { _ in terminal.cursorLine().contains("› x") }.0, "line: \(terminal.cursorLine())")
        terminal.send("C-u")
        usleep(700_000)
        terminal.type("a")
        #expect(terminal.waitFor("allowed for this session").0)
    }
}
