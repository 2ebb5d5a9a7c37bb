import Foundation
import ParleyTestSupport
import StreamJSON
import Testing

/// The living status row and `/context` against the real `claude` and the fake Messages API
/// (issue 14, point 6).
@Suite(.serialized, .timeLimit(.minutes(3))) struct StatusRealCLITests {
    @Test func contextIsTheCLIsOwnCountShownByParley() async throws {
        let harness = try RealHarness()
        defer { harness.finish() }
        let outcome = try await harness.parley("hello\n/context\n")
        #expect(outcome.status == 0, "stderr: \(outcome.stderr)")
        let total = try #require(outcome.stderr.firstMatch(of: /context ([\d,]+) \/ ([\d,]+) tokens \((\d+(?:\.\d)?)%\)/),
                                 "stderr: \(outcome.stderr)")
        #expect(Int(total.output.2.replacingOccurrences(of: ",", with: "")) ?? 0 > 0)
        #expect(outcome.stderr.contains("  System prompt"), "stderr: \(outcome.stderr)")
        // Parley's table, not the CLI's text passed through, and no model request for it.
        #expect(harness.api.mainRequests.count == 1)

        let json = try await harness.parley("/context\n", ["--output-format", "json"])
        let usage = json.stdout.split(separator: "\n").compactMap { try? JSONValue.parse(Data($0.utf8)) }
            .first { $0["type"] == "context_usage" }
        #expect((usage?["max_tokens"]?.doubleValue ?? 0) > 0, "stdout: \(json.stdout)")
        #expect((usage?["categories"]?.arrayValue?.count ?? 0) > 1)
    }

    @Test func aSlowTurnShowsTheStatusRowWithModelAndModeAndItGoesAtTheEnd() async throws {
        let harness = try RealHarness(apiArguments: ["--slow-delay", "0.15"])
        defer { harness.finish() }
        let terminal = try await harness.terminal(extra: ["NO_COLOR": "1"], width: 60)
        defer { terminal.close() }
        try await terminal.waitFor("parley ›", timeout: .seconds(20))
        terminal.type("a slow one mock-slow", enter: true)
        let running = try await terminal.waitFor(awaiting: "the status row at 2s", timeout: .seconds(30)) {
            $0.contains("● running 2s ·")
        }
        let row = try #require(running.split(separator: "\n").last { $0.contains("● running") })
        #expect(row.contains("default"), "the permission mode: \(row)")
        #expect(row.count < 60, "one row at 60 columns: \(row)")
        try await terminal.waitFor(awaiting: "the turn's end without the row", timeout: .seconds(30)) {
            $0.contains("slow29.") && $0.contains("─ ") && !$0.contains("● running")
        }
        try await quitParley(terminal)
    }

    /// The output tokens in the row: `N` from `↓ N tokens` in the status row of `screen`.
    func tokens(_ screen: String) -> Int? {
        guard let row = screen.split(separator: "\n").last(where: { $0.contains("● running") }),
              let match = row.firstMatch(of: /↓ (\d+) tokens/) else { return nil }
        return Int(match.output.1)
    }

    @Test func theStatusRowCountsTheTurnsOutputTokens() async throws {
        let harness = try RealHarness(apiArguments: ["--slow-delay", "0.15"])
        defer { harness.finish() }
        let terminal = try await harness.terminal(extra: ["NO_COLOR": "1"], width: 60)
        defer { terminal.close() }
        try await terminal.waitFor("parley ›", timeout: .seconds(20))

        // While a message streams: an estimate that grows.
        terminal.type("a slow one mock-slow", enter: true)
        // (Any second: a loaded machine may look at the screen late.)
        let early = try await terminal.waitFor(awaiting: "a token count in the row", timeout: .seconds(30)) {
            (self.tokens($0) ?? 0) > 0
        }
        let first = try #require(tokens(early))
        let later = try await terminal.waitFor(awaiting: "a larger count", timeout: .seconds(30)) {
            (self.tokens($0) ?? 0) > first
        }
        let row = try #require(later.split(separator: "\n").last { $0.contains("● running") })
        #expect(row.count < 60, "one row at 60 columns: \(row)")
        try await terminal.waitFor(awaiting: "the turn's end", timeout: .seconds(30)) {
            $0.contains("slow29.") && $0.contains("─ ") && !$0.contains("● running")
        }

        // A finished message counts what the API said (4321 output tokens), while its tool runs.
        // (The real CLI runs this echo-and-sleep without asking.)
        terminal.type("wait mock-sleeptool=4 mock-usage=4321", enter: true)
        let running = try await terminal.waitFor(awaiting: "the exact count during the tool", timeout: .seconds(30)) {
            $0.contains("· Bash · ↓ 4.3k tokens ·")
        }
        #expect(running.contains("● running"), "screen:\n\(running)")
        try await terminal.waitFor(awaiting: "the turn's end", timeout: .seconds(40)) {
            $0.components(separatedBy: "─ ").count >= 3 && !$0.contains("● running")
        }
        terminal.send("C-d")
        try await terminal.waitFor("PARLEY-EXITED", timeout: .seconds(20))
    }
}
