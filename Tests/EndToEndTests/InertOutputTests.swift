import Foundation
import ParleyTestSupport
import Testing

/// Issue 12, point 1: terminal escapes planted by the model, a tool, an error text or the CLI
/// (`fake-claude`'s `fc:hostile`: set the title, write the clipboard, clear the screen, move
/// up and erase lines, ask the terminal to type its cursor position, the same as C1 controls)
/// reach a real terminal (tmux) only in their visible, inert form.
@Suite(.serialized) struct InertOutputTests {
    struct Fixture {
        let directory = TemporaryDirectory("parley-inert")

        var environment: [String: String] {
            [
                "PATH": "/usr/bin:/bin", "HOME": directory.path, "TERM": "xterm-256color", "LANG": "C.UTF-8",
                "XDG_STATE_HOME": directory.file("state"), "XDG_CONFIG_HOME": directory.file("config"),
                "PARLEY_CLAUDE": TestBinaries.fakeClaude, "FAKE_CLAUDE_STATE_DIR": directory.path,
                "PARLEY_RESTART_DELAYS": "0.05,0.1,0.2",
            ]
        }

        static let title = "parley-test-title"

        /// `command` in a wide terminal that lets OSC 52 reach tmux's paste buffers (so a
        /// clipboard write would be seen), with a known title. The command waits until the
        /// terminal is set up, and the pane stays after it ends (a scripted run is quick).
        func start(_ command: String) throws -> TmuxTerminal {
            let terminal = try TmuxTerminal(
                command: "cd \(directory.path) && while [ ! -e ready ]; do sleep 0.05; done && "
                    + "printf '\\033]0;\(Self.title)\\007' && \(command); echo PARLEY-EXITED; sleep 600",
                width: 200, height: 45, environment: environment)
            terminal.catchClipboardWrites()
            FileManager.default.createFile(atPath: directory.file("ready"), contents: nil)
            return terminal
        }
    }

    @Test func aHostileReplyToolNameAndToolResultStayInert() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let terminal = try fixture.start(TestBinaries.parley)
        defer { terminal.close() }
        try await terminal.waitFor("parley ›")
        terminal.type("first fc:reply=EarlierMarker", enter: true)
        try await terminal.waitFor("\nEarlierMarker\n")
        terminal.type("attack fc:hostile fc:tool", enter: true)
        try await terminal.waitFor { $0.contains("end of reply") && $0.components(separatedBy: "─ ").count >= 3 }
        // A command's lines carry the CLI's text too (the model it reported): made inert by the console.
        terminal.type("/status", enter: true)
        try await terminal.waitFor("· permission mode")
        usleep(500_000)  // time for a cursor position report to be typed, if one was asked for
        let seen = TerminalTakeover(terminal)
        #expect(seen.takeovers(expectedTitle: Fixture.title).isEmpty, "\(seen)")
        #expect(seen.visibleScreen.contains("· model claude-opus-5-5␛]0;…"), "\(seen)")
        // Nothing was cleared or overwritten: the earlier lines are still on the screen.
        #expect(seen.visibleScreen.contains("● claude started"), "\(seen)")
        #expect(seen.visibleScreen.contains("› first fc:reply=EarlierMarker"), "\(seen)")
        #expect(seen.visibleScreen.contains("\nEarlierMarker\n"), "\(seen)")
        // The escapes are shown, not obeyed, everywhere they came from.
        let shown = "␛]0;…␛]52;…␛[2J␛[3A␛[2K␛[6n␛[2J␛]0;…"
        #expect(seen.visibleScreen.contains("Hostile reply: \(shown) end of reply"), "\(seen)")
        #expect(seen.visibleScreen.contains("⏺ Bash\(shown)("), "\(seen)")
        #expect(seen.visibleScreen.contains("  ⎿  hello-from-tool\n     \(shown)\n     last line"), "\(seen)")
        #expect(seen.visibleScreen.split(separator: "\n").contains { $0.hasPrefix("● model ") && $0.contains(shown) }, "\(seen)")
        // `ESC[6n` made the terminal type nothing into the prompt.
        #expect(terminal.cursorLine().trimmingCharacters(in: .whitespaces) == "parley ›", "\(seen)")
        terminal.send("C-d")
        try await terminal.waitFor("PARLEY-EXITED")
    }

    @Test func hostileStderrAndErrorTextsStayInert() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let terminal = try fixture.start(TestBinaries.parley)
        defer { terminal.close() }
        try await terminal.waitFor("parley ›")
        terminal.type("crash fc:hostile fc:crash@end fc:once", enter: true)
        try await terminal.waitFor("stderr: fake-claude stderr: ␛]0;…␛]52;…␛[2J")
        try await terminal.waitFor("restarting claude")
        terminal.type("fail fc:hostile fc:error=400", enter: true)
        try await terminal.waitFor("✗ turn failed (api_error): API Error: 400 fake invalid_request_error (HTTP 400) ␛]0;…")
        usleep(300_000)
        let seen = TerminalTakeover(terminal)
        #expect(seen.takeovers(expectedTitle: Fixture.title).isEmpty, "\(seen)")
        #expect(seen.visibleScreen.contains("› crash fc:hostile"), "\(seen)")
        #expect(terminal.cursorLine().trimmingCharacters(in: .whitespaces) == "parley ›", "\(seen)")
        terminal.send("C-d")
        try await terminal.waitFor("PARLEY-EXITED")
    }

    @Test func aPermissionQuestionShowsTheRealToolAndItsInput() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let terminal = try fixture.start(TestBinaries.parley)
        defer { terminal.close() }
        try await terminal.waitFor("parley ›")
        terminal.type("run it fc:hostile fc:permission=Bash", enter: true)
        try await terminal.waitFor("allow? [y/n/a]")
        usleep(300_000)
        let seen = TerminalTakeover(terminal)
        #expect(seen.takeovers(expectedTitle: Fixture.title).isEmpty, "\(seen)")
        let question = "? Allow Bash(touch fake_claude_marker.txt␍␛[2K␛[1A)? [y]es / [n]o / [a]lways"
            + "  (claude calls it “Read”; ␛[1A␛[2K␍? Allow Read(notes.txt)? [y]es / [n]o / [a]lways)"
        #expect(seen.visibleScreen.contains(question), "\(seen)")
        #expect(!seen.visibleScreen.split(separator: "\n").contains { $0.hasPrefix("? Allow Read") }, "\(seen)")
        try await Task.sleep(for: .milliseconds(700))  // an answer is a deliberate key once the question is visible
        terminal.send("n")
        try await terminal.waitFor("reason for no")
        terminal.send("Enter")
        try await terminal.waitFor("Echo: denied")
        terminal.send("C-d")
        try await terminal.waitFor("PARLEY-EXITED")
    }

    @Test func scriptedOutputToATerminalIsInert() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let terminal = try fixture.start("printf 'attack fc:hostile fc:tool\\n' | \(TestBinaries.parley)")
        defer { terminal.close() }
        try await terminal.waitFor("PARLEY-EXITED", timeout: .seconds(30))
        let seen = TerminalTakeover(terminal)
        #expect(seen.takeovers(expectedTitle: Fixture.title).isEmpty, "\(seen)")
        #expect(seen.visibleScreen.contains("Hostile reply: ␛]0;…␛]52;…␛[2J␛[3A␛[2K␛[6n␛[2J␛]0;… end of reply"), "\(seen)")
        #expect(seen.visibleScreen.contains("⏺ Bash␛]0;…"), "\(seen)")
    }

    @Test func scriptedOutputToAPipeIsExactAndItsStatusLinesInert() async throws {
        let fixture = PipedFixture("parley-inert-piped")
        defer { fixture.directory.remove() }
        // `/status` shows the model the CLI reported: a command's line, made inert by the console.
        let outcome = try await fixture.run("attack fc:hostile fc:tool\n/status\n")
        #expect(outcome.status == 0, "stderr: \(outcome.stderr)")
        let hostile = "\u{1B}]0;PWNED-TITLE\u{07}\u{1B}]52;c;cm0gLXJmIH4v\u{07}\u{1B}[2J\u{1B}[3A\u{1B}[2K\u{1B}[6n"
            + "\u{9B}2J\u{9D}0;PWNED-C1\u{9C}"
        #expect(outcome.stdout.contains("Hostile reply: \(hostile) end of reply"), "stdout: \(outcome.stdout.debugDescription)")
        #expect(outcome.stderr.contains("⏺ Bash␛]0;…"), "stderr: \(outcome.stderr)")
        #expect(outcome.stderr.contains("model claude-opus-5-5␛]0;…"), "stderr: \(outcome.stderr)")
        #expect(!outcome.stderr.contains("\u{1B}") && !outcome.stderr.contains("\u{9B}") && !outcome.stderr.contains("\u{07}"),
                "stderr: \(outcome.stderr.debugDescription)")
    }
}
