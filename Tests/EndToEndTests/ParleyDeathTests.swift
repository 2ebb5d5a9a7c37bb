import Foundation
import ParleyTestSupport
import Testing

import Glibc

/// However `parley` ends (SIGKILL, its terminal closed, a signal while it is blocked on its
/// output), `claude` and the tool it runs end with it within a bound: the agent never runs
/// unattended. The double runs a long tool turn whose tool process starts a session of its own
/// (`setsid`), like the real CLI's Bash tool, out of reach of a process-group kill.
@Suite(.serialized, .timeLimit(.minutes(2))) struct ParleyDeathTests {
    /// A tool turn that would run for a minute.
    static let longToolTurn = "hi fc:toolsleep=60000"

    /// The double's pid and its tool's, once the tool runs.
    static func claudeAndTool(_ record: FakeClaudeRecord, timeout: Duration = .seconds(15)) async -> (claude: pid_t, tool: pid_t)? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let entries = record.entries
            if let start = entries.first(where: { $0["event"] == "start" }), let claude = start["pid"]?.intValue,
               let child = entries.first(where: { $0["event"] == "child" }), let tool = child["pid"]?.intValue {
                return (pid_t(claude), pid_t(tool))
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    /// Waits until neither process is alive (a zombie left to init counts as gone).
    static func bothGone(_ pids: (claude: pid_t, tool: pid_t), within timeout: Duration) async -> Bool {
        await ProcessInspector.eventually(timeout: timeout) {
            !ProcessInspector.isAlive(pids.claude) && !ProcessInspector.isAlive(pids.tool)
        }
    }

    @Test func sigkillOfParleyMidToolEndsClaudeAndItsTool() async throws {
        let fixture = PipedFixture("parley-death")
        defer { fixture.directory.remove() }
        let parley = try CleanSpawn.spawn(
            [TestBinaries.parley], environment: fixture.environment(["FAKE_CLAUDE_SPAWN_CHILD": "setsid"]),
            workingDirectory: fixture.directory.path, pipeStdin: true)
        defer { close(parley.stdinFD) }
        _ = Glibc.write(parley.stdinFD, Self.longToolTurn + "\n", Self.longToolTurn.utf8.count + 1)
        let found = await Self.claudeAndTool(fixture.record)
        let pids = try #require(found, "the tool never started; record: \(fixture.record.entries.suffix(5))")
        defer { kill(pids.claude, SIGKILL); kill(pids.tool, SIGKILL) }
        #expect(ProcessInspector.isAlive(pids.claude) && ProcessInspector.isAlive(pids.tool))

        kill(parley.pid, SIGKILL)
        #expect(CleanSpawn.wait(parley.pid, timeout: 5) == 128 + SIGKILL)
        // Before: claude ran on with PPID 1 for the rest of its turn and its tool with it.
        #expect(await Self.bothGone(pids, within: .seconds(5)),
                "left running: claude \(ProcessInspector.isAlive(pids.claude)), tool \(ProcessInspector.isAlive(pids.tool))")
    }

    @Test func closingTheTerminalMidToolEndsClaudeAndItsTool() async throws {
        let fixture = PipedFixture("parley-death-tty")
        defer { fixture.directory.remove() }
        var environment = fixture.environment(["FAKE_CLAUDE_SPAWN_CHILD": "setsid", "TERM": "xterm-256color"])
        environment["LANG"] = "C.UTF-8"
        let terminal = try TmuxTerminal(command: "cd \(fixture.directory.path) && exec \(TestBinaries.parley)",
                                        environment: environment)
        defer { terminal.close() }
        try await terminal.waitFor("parley ›")
        terminal.type(Self.longToolTurn, enter: true)
        let found = await Self.claudeAndTool(fixture.record)
        let pids = try #require(found, "the tool never started; screen:\n\(terminal.screen())")
        defer { kill(pids.claude, SIGKILL); kill(pids.tool, SIGKILL) }

        terminal.close()  // the terminal goes away: SIGHUP, and the tty is gone
        // Before: claude ran on until its turn ended (a minute here).
        #expect(await Self.bothGone(pids, within: .seconds(8)),
                "left running: claude \(ProcessInspector.isAlive(pids.claude)), tool \(ProcessInspector.isAlive(pids.tool))")
    }

    /// `… | parley | sleep 40`: Parley blocks writing a reply nobody reads; SIGTERM must still
    /// end it within the teardown time (EOF, 3 s, SIGTERM, 2 s, SIGKILL).
    @Test func sigtermEndsParleyBlockedOnAStdoutNobodyReads() async throws {
        let fixture = PipedFixture("parley-blocked-stdout")
        defer { fixture.directory.remove() }
        let parley = try CleanSpawn.spawn(
            [TestBinaries.parley], environment: fixture.environment(),
            workingDirectory: fixture.directory.path, pipeStdin: true, pipeStdout: true)
        defer {
            close(parley.stdinFD)
            close(parley.stdoutFD)
            kill(parley.pid, SIGKILL)
            _ = CleanSpawn.wait(parley.pid, timeout: 5)
        }
        let line = "hi fc:huge=1\n"  // a 1 MiB reply: far more than the pipe holds
        _ = Glibc.write(parley.stdinFD, line, line.utf8.count)
        let full = await ProcessInspector.eventually(timeout: .seconds(15)) { Self.unreadBytes(parley.stdoutFD) >= 60 * 1024 }
        try #require(full, "parley never filled its stdout (\(Self.unreadBytes(parley.stdoutFD)) bytes)")
        try await Task.sleep(for: .milliseconds(200))  // now waiting for room

        let began = ContinuousClock.now
        kill(parley.pid, SIGTERM)
        let status = CleanSpawn.wait(parley.pid, timeout: 10)
        let took = ContinuousClock.now - began
        #expect(status == 128 + SIGTERM, "still running \(took) after SIGTERM")
        #expect(took < .seconds(6))
    }

    /// Bytes written to the pipe `fd` reads from and not read yet.
    static func unreadBytes(_ fd: Int32) -> Int32 {
        var count: Int32 = 0
        return ioctl(fd, UInt(FIONREAD), &count) == 0 ? count : -1
    }
}
