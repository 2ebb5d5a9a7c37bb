import Foundation
import ParleyTestSupport
import StreamJSON
import Testing

/// `/context` through the built `parley`, against `fake-claude`'s `get_context_usage`: Parley's own
/// table (not the CLI's text), its fields in JSON output, and the warning once past 80%.
@Suite(.serialized, .timeLimit(.minutes(3))) struct ContextCommandTests {
    private func objects(_ stdout: String) -> [JSONValue] {
        stdout.split(separator: "\n").compactMap { try? JSONValue.parse(Data($0.utf8)) }
    }

    @Test func contextIsAnsweredNativelyByCategory() async throws {
        let fixture = PipedFixture()
        defer { fixture.directory.remove() }
        let outcome = try await fixture.run("hi\n/context\n")
        #expect(outcome.stderr.contains("context 16,000 / 200,000 tokens (8%)"), "stderr: \(outcome.stderr)")
        #expect(outcome.stderr.contains("  System prompt    3,000  2%"), "stderr: \(outcome.stderr)")
        #expect(outcome.stderr.contains("  Messages         1,000  0.5%"), "stderr: \(outcome.stderr)")
        #expect(!outcome.stderr.contains("⚠ context"))
        // Parley asked the CLI (a control request), it did not send `/context` as a message.
        #expect(fixture.record.userTexts == ["hi"])
        #expect(!outcome.stdout.contains("\u{1B}"))
    }

    @Test func jsonOutputCarriesTheFieldsAndTheWarningComesOnce() async throws {
        let fixture = PipedFixture()
        defer { fixture.directory.remove() }
        let outcome = try await fixture.run("/context\n/context\n", ["--output-format", "json"],
                                      environment: ["FAKE_CLAUDE_CONTEXT_TOKENS": "150000"])
        let usages = objects(outcome.stdout).filter { $0["type"] == "context_usage" }
        #expect(usages.count == 2, "stdout: \(outcome.stdout)")
        #expect(usages.first?["total_tokens"]?.doubleValue == 165_000 && usages.first?["max_tokens"]?.doubleValue == 200_000)
        #expect(usages.first?["percentage"]?.doubleValue == 82.5)
        #expect(usages.first?["categories"]?.arrayValue?.first?["name"] == "System prompt")
        let warnings = objects(outcome.stdout).filter { $0["kind"] == "context_full" }
        #expect(warnings.count == 1, "stdout: \(outcome.stdout)")
        #expect(warnings.first?["type"] == "error" && warnings.first?["percentage"]?.doubleValue == 82.5)
        // The text lines are still there (fields are only added).
        #expect(objects(outcome.stdout).contains { $0["type"] == "info" && $0["message"] == "context 165,000 / 200,000 tokens (83%)" })
    }
}
