import Foundation
import ParleyTestSupport
import Testing

/// The living status row in a real terminal (tmux), against `fake-claude`: while a turn runs a
/// row above the prompt says so, for how long and in which tool; when it ends the row is gone.
@Suite(.serialized, .timeLimit(.minutes(3))) struct StatusRowTerminalTests {
    typealias Fixture = InteractiveTests.Fixture

    @Test func aRunningTurnShowsItsElapsedTimeAndToolAndTheRowGoesWhenItEnds() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let terminal = try await fixture.start()
        defer { terminal.close() }
        terminal.type("work fc:toolsleep=7000", enter: true)
        // The row counts up while the tool runs: it is redrawn, not appended. (Any second from 2
        // to 5: a loaded machine may look at the screen late.)
        let running = try await terminal.waitFor(awaiting: "the status row at 2s or later in Bash", timeout: .seconds(15)) {
            $0.contains(/● running [2-5]s · Bash/)
        }
        #expect(!running.contains("● running 1s"), "the row is rewritten in place:\n\(running)")
        let lines = running.split(separator: "\n", omittingEmptySubsequences: false)
        let rowIndex = try #require(lines.lastIndex { $0.contains("● running") })
        #expect(lines[(rowIndex + 1)...].first?.contains("parley ›") == true, "the row sits right above the prompt:\n\(running)")
        let ended = try await terminal.waitFor(awaiting: "the turn's footer", timeout: .seconds(15)) { $0.contains("─ ") }
        let settled = try await terminal.waitFor(awaiting: "the row gone") { !$0.contains("● running") }
        #expect(settled.contains("hello-from-tool") || ended.contains("hello-from-tool"))
        // At idle nothing redraws: the screen stays exactly as it is.
        try await Task.sleep(for: .milliseconds(1500))
        #expect(terminal.screen() == settled)
        terminal.send("C-d")
        try await terminal.waitFor("PARLEY-EXITED")
    }

    @Test func withoutColourAtSixtyColumnsTheRowIsPlainAndOneRow() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let command = "cd \(fixture.directory.path) && \(TestBinaries.parley); echo PARLEY-EXITED"
        let terminal = try TmuxTerminal(command: command, width: 60, environment: fixture.environment(["NO_COLOR": "1"]))
        defer { terminal.close() }
        try await terminal.waitFor("parley ›")
        terminal.type("work fc:toolsleep=6000", enter: true)
        let running = try await terminal.waitFor(awaiting: "the status row in Bash", timeout: .seconds(15)) {
            $0.contains(/● running [1-4]s · Bash/)
        }
        let row = try #require(running.split(separator: "\n").last { $0.contains("● running") })
        #expect(row.count < 60, "one row at 60 columns: \(row)")
        try await terminal.waitFor(awaiting: "the row gone", timeout: .seconds(15)) { !$0.contains("● running") }
        terminal.send("C-d")
        try await terminal.waitFor("PARLEY-EXITED")
    }

    @Test func theRowShowsContextUseAndAFullContextIsWarnedOnce() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let terminal = try await fixture.start(extra: ["FAKE_CLAUDE_CONTEXT_TOKENS": "150000"])
        defer { terminal.close() }
        terminal.type("one", enter: true)
        try await terminal.waitFor("⚠ context 83% full")
        terminal.type("two fc:toolsleep=2500", enter: true)
        // Asked after the first turn: the second turn's row carries it.
        try await terminal.waitFor(awaiting: "the row with the context's use", timeout: .seconds(15)) {
            $0.contains("● running") && $0.contains("· context 83%")
        }
        try await terminal.waitFor(awaiting: "the second turn's end", timeout: .seconds(15)) {
            $0.components(separatedBy: "─ ").count == 3 && !$0.contains("● running")
        }
        try await Task.sleep(for: .milliseconds(300))
        #expect(terminal.screen().components(separatedBy: "⚠ context").count == 2, "warned once:\n\(terminal.screen())")
        terminal.type("/context", enter: true)
        try await terminal.waitFor("  Free space      35,000  18%")
        terminal.send("C-d")
        try await terminal.waitFor("PARLEY-EXITED")
    }
}
