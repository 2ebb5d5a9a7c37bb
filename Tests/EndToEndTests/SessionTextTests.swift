import Foundation
import ParleyTestSupport
import Testing

/// What Parley says about the session, through the built `parley`: the start line after
/// `--continue`, short session ids, and a conversation's cost that survives a crash restart.
@Suite(.serialized, .timeLimit(.minutes(3))) struct SessionTextTests {
    @Test func continueSaysItContinuesAndSessionIdsAreShort() async throws {
        let fixture = InteractiveTests.Fixture()
        defer { fixture.directory.remove() }
        let first = try await fixture.start()
        first.type("remember this", enter: true)
        try await first.waitFor("Echo: remember this")
        first.send("C-d")
        try await first.waitFor("PARLEY-EXITED")
        first.close()

        let terminal = try await fixture.start("--continue")
        defer { terminal.close() }
        try await terminal.waitFor("● claude started")
        terminal.type("and now", enter: true)
        let after = try await terminal.waitFor("Echo: and now")
        #expect(after.contains("continuing the most recent conversation"), "screen:\n\(after)")
        #expect(!after.contains("new session"), "screen:\n\(after)")
        // The status line names the session by a short prefix; `/status` has the whole id.
        #expect(after.firstMatch(of: /· session [0-9a-f-]{36}/) == nil, "screen:\n\(after)")
        #expect(after.firstMatch(of: /· session [0-9a-f]{8}…/) != nil, "screen:\n\(after)")
        terminal.send("C-d")
        try await terminal.waitFor("PARLEY-EXITED")
    }

    @Test func theConversationCostSurvivesACrashRestart() throws {
        let fixture = PipedFixture()
        defer { fixture.directory.remove() }
        let outcome = try fixture.run("one\ntwo\n/status\ncut fc:kill fc:once\nthree\n/status\n", timeout: 60)
        let costs = outcome.stderr.matches(of: /cost \$([0-9.]+)/).compactMap { Double($0.output.1) }
        #expect(costs.count == 2, "stderr: \(outcome.stderr)")
        #expect(fixture.record.starts.count == 2, "the crash restarted claude once")
        guard costs.count == 2 else { return }
        #expect(costs[0] > 0, "stderr: \(outcome.stderr)")
        // Turns one and two ran on the first process, three on the second: the total only grows.
        #expect(costs[1] > costs[0], "the cost dropped after the restart: \(costs)")
    }
}
