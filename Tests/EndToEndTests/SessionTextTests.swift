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

    @Test func theConversationCostSurvivesACrashRestart() async throws {
        let fixture = PipedFixture()
        defer { fixture.directory.remove() }
        let outcome = try await fixture.run("one\ntwo\n/status\ncut fc:kill fc:once\nthree\n/status\n", timeout: 60)
        let costs = outcome.stderr.matches(of: /cost \$([0-9.]+)/).compactMap { Double($0.output.1) }
        #expect(costs.count == 2, "stderr: \(outcome.stderr)")
        #expect(fixture.record.starts.count == 2, "the crash restarted claude once")
        guard costs.count == 2 else { return }
        #expect(costs[0] > 0, "stderr: \(outcome.stderr)")
        // Turns one and two ran on the first process, three on the second: the total only grows.
        #expect(costs[1] > costs[0], "the cost dropped after the restart: \(costs)")
    }
}

/// Issue 13.10: each change and each error is said once, in Parley's words.
@Suite(.serialized, .timeLimit(.minutes(3))) struct SaidOnceTests {
    @Test func changesAndErrorsAreSaidOnceWithoutInternalNames() async throws {
        let fixture = PipedFixture()
        defer { fixture.directory.remove() }
        let outcome = try await fixture.run("hi\n/permissions acceptEdits\n/model sonnet\n/model bogus\n/permissions yolo\n/compact\nboom fc:error=500\n",
                                      timeout: 90)
        let stderr = outcome.stderr
        func count(_ text: String) -> Int { stderr.components(separatedBy: text).count - 1 }
        #expect(count("permission mode") == 2, "one confirmation, one refusal: \(stderr)")
        #expect(stderr.contains("● permission mode acceptEdits\n"), "stderr: \(stderr)")
        #expect(!stderr.contains("Set model to") && !stderr.contains("`"), "the CLI's raw echo: \(stderr)")
        #expect(count("● model claude-sonnet-5-5") == 1, "stderr: \(stderr)")
        #expect(stderr.contains("model not changed: Model 'bogus' not found"), "stderr: \(stderr)")
        #expect(stderr.contains("permission mode not changed: “yolo” is not a mode"), "stderr: \(stderr)")
        #expect(!stderr.contains("set_model") && !stderr.contains("set_permission_mode"), "internal names: \(stderr)")
        #expect(count("API Error: 500") == 1, "the API error twice: \(stderr)")
        #expect(stderr.contains("✗ turn failed (api_error): API Error: 500"), "stderr: \(stderr)")
        #expect(stderr.contains("conversation compacted (12 tokens of conversation; 2548 tokens in context now)"), "stderr: \(stderr)")
        #expect(outcome.status == 1)
    }

    @Test func jsonOutputKeepsEveryEvent() async throws {
        let fixture = PipedFixture()
        defer { fixture.directory.remove() }
        let outcome = try await fixture.run("hi\n/permissions acceptEdits\nagain\n", ["--output-format", "json"], timeout: 60)
        #expect(outcome.stdout.contains("{\"kind\":\"permission_mode\",\"mode\":\"acceptEdits\",\"type\":\"status\"}"), "stdout: \(outcome.stdout)")
        #expect(outcome.stdout.contains("\"message\":\"● permission mode acceptEdits\""), "stdout: \(outcome.stdout)")
    }

    @Test func aCommandClaudeAnswersItselfHasNoTurnFooter() async throws {
        let fixture = InteractiveTests.Fixture()
        defer { fixture.directory.remove() }
        let terminal = try await fixture.start()
        defer { terminal.close() }
        terminal.type("hi", enter: true)
        try await terminal.waitFor("out tokens")
        terminal.type("/cost", enter: true)
        try await terminal.waitFor("Total duration (wall)")
        terminal.type("/status", enter: true)
        let after = try await terminal.waitFor("permission mode")
        #expect(after.components(separatedBy: "out tokens").count == 2, "a footer for /cost:\n\(after)")
        #expect(!after.contains("0 in · 0 out tokens"), "screen:\n\(after)")
        terminal.send("C-d")
        try await terminal.waitFor("PARLEY-EXITED")
    }
}
