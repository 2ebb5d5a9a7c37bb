import Foundation
import ParleyTestSupport
import Testing

/// Being told (issue 14, point 7), through the built `parley` in a terminal against `fake-claude`:
/// the bytes parley writes are recorded by `script(1)` between parley and tmux, so the controls
/// that draw nothing (bell, notifications, title, OSC 133 marks) can be checked.
@Suite(.serialized, .timeLimit(.minutes(3))) struct AttentionTerminalTests {
    typealias Fixture = InteractiveTests.Fixture

    /// parley under `script`, which copies everything parley writes to `typescript`.
    func start(_ fixture: Fixture, config: String? = nil, extra: [String: String] = [:]) async throws -> TmuxTerminal {
        var arguments = ""
        if let config {
            let path = fixture.directory.file("config.toml")
            FileManager.default.createFile(atPath: path, contents: Data(config.utf8))
            arguments = " --config \(path)"
        }
        let command = "cd \(fixture.directory.path) && /usr/bin/script -qfe -c "
            + TmuxTerminal.quote(TestBinaries.parley + arguments) + " typescript; echo PARLEY-EXITED"
        let terminal = try TmuxTerminal(command: command, environment: fixture.environment(extra))
        try await terminal.waitFor("parley ›")
        return terminal
    }

    func written(_ fixture: Fixture) -> String { fixture.file("typescript") }

    @Test func aLongTurnRingsAndNotifiesTheTitleFollowsAndPromptsAreMarked() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let terminal = try await start(fixture, config: "notify_after_seconds = 1\n")
        defer { terminal.close() }
        // The title is saved, then set; the prompt carries the OSC 133 A/B marks.
        let start = written(fixture)
        let push = try #require(start.range(of: "\u{1B}[22;0t"), "\(start.debugDescription)")
        let title = try #require(start.range(of: "\u{1B}]2;parley - idle\u{07}"), "\(start.debugDescription)")
        #expect(push.upperBound <= title.lowerBound, "saved before it is set")
        #expect(written(fixture).contains("\u{1B}]133;A\u{07}"))
        #expect(written(fixture).contains("\u{1B}]133;B\u{07}"))
        terminal.type("quick", enter: true)
        try await terminal.waitFor("Echo: quick")
        try await terminal.waitFor("─ ")
        try await Task.sleep(for: .milliseconds(300))
        let afterQuick = written(fixture)
        #expect(afterQuick.contains("\u{1B}]133;C\u{07}") && afterQuick.contains("\u{1B}]133;D\u{07}"))
        #expect(afterQuick.contains("\u{1B}]2;parley - running\u{07}"))
        #expect(!afterQuick.contains("\u{1B}]9;"), "a quick turn is not announced")
        terminal.type("slow fc:toolsleep=1500", enter: true)
        try await terminal.waitFor(awaiting: "the notification", timeout: .seconds(15)) { _ in
            self.written(fixture).contains("\u{1B}]9;Parley · parley: turn finished after 1s\u{07}")
        }
        let afterSlow = written(fixture)
        #expect(afterSlow.contains("\u{07}\u{1B}]9;Parley · parley: turn finished after 1s\u{07}"
            + "\u{1B}]777;notify;Parley · parley;turn finished after 1s\u{07}"), "the bell, OSC 9 and OSC 777")
        terminal.send("C-d")
        try await terminal.waitFor("PARLEY-EXITED")
        #expect(written(fixture).hasSuffix("\u{1B}[23;0t") || written(fixture).contains("\u{1B}[23;0t"), "the title is restored")
    }

    @Test func aWaitingQuestionRingsAndSetsTheTitleButZeroTurnsLongTurnNoticesOff() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let terminal = try await start(fixture, config: "notify_after_seconds = 0\n")
        defer { terminal.close() }
        terminal.type("write fc:permission=Bash", enter: true)
        try await terminal.waitFor("allow? [y/n/a]")
        try await terminal.waitFor(awaiting: "the question's notification") { _ in
            self.written(fixture).contains("\u{1B}]9;Parley · parley: claude asks to use ")
        }
        #expect(written(fixture).contains("\u{07}\u{1B}]9;Parley · parley: claude asks to use Bash\u{07}"),
                "\(written(fixture).debugDescription)")
        #expect(written(fixture).contains("\u{1B}]2;parley - waiting for you\u{07}"))
        try await Task.sleep(for: .milliseconds(700))
        terminal.type("n")
        try await terminal.waitFor("reason for no")
        terminal.send("Enter")
        try await terminal.waitFor("─ ")
        try await Task.sleep(for: .milliseconds(300))
        #expect(!written(fixture).contains("turn finished"))
        #expect(written(fixture).hasSuffix("") && written(fixture).components(separatedBy: "\u{1B}]2;parley - idle\u{07}").count >= 3)
        terminal.send("C-d")
        try await terminal.waitFor("PARLEY-EXITED")
    }

    @Test func aHostilePersonaNameCannotEscapeTheTitle() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        // Persona names are restricted by the configuration, so the hostile text comes in as a tool name.
        let terminal = try await start(fixture, config: "notify_after_seconds = 0\n")
        defer { terminal.close() }
        terminal.type("write fc:permission=Evil\u{1B}]0;PWNED\u{07}", enter: true)
        try await terminal.waitFor(awaiting: "the question's notification") { _ in
            self.written(fixture).contains("\u{1B}]9;Parley · parley: claude asks to use ")
        }
        #expect(!written(fixture).contains("]0;PWNED"))
        terminal.send("C-c")
        // The denied call's turn may still be running: quitParley answers the Ctrl-D warning.
        try await quitParley(terminal)
    }

    @Test func scriptsGetNoneOfThem() async throws {
        let fixture = PipedFixture()
        defer { fixture.directory.remove() }
        let config = fixture.writeConfig("notify_after_seconds = 1\n")
        let outcome = try await fixture.run("slow fc:toolsleep=1200\nwrite fc:permission=Bash\n", ["--config", config])
        #expect(outcome.stdout.contains("Echo: "), "stderr: \(outcome.stderr)")
        for output in [outcome.stdout, outcome.stderr] {
            #expect(!output.contains("\u{07}") && !output.contains("\u{1B}]"), "\(output.debugDescription)")
        }
    }
}
