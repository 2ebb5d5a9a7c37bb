import Foundation
import ParleyTestSupport
import StreamJSON
import Testing

/// `--output-format json`, through the built `parley`: fields a script can use instead of
/// parsing text (issue 13, "JSON output, while here"). Fields are only added.
@Suite(.serialized, .timeLimit(.minutes(3))) struct JSONFieldsTests {
    private func objects(_ stdout: String) -> [JSONValue] {
        stdout.split(separator: "\n").compactMap { try? JSONValue.parse(Data($0.utf8)) }
    }

    @Test func statusIsOneObjectWithFields() async throws {
        let fixture = PipedFixture()
        defer { fixture.directory.remove() }
        let outcome = try await fixture.run("hi\n/status\n", ["--output-format", "json"], timeout: 60)
        let status = objects(outcome.stdout).first { $0["type"] == "session_status" }
        #expect(status != nil, "stdout: \(outcome.stdout)")
        #expect(status?["state"] == "idle" && status?["persona"] == "default" && status?["model"] == "claude-opus-5-5")
        #expect(status?["completed_turns"]?.doubleValue == 1 && status?["queue_length"]?.doubleValue == 0)
        #expect((status?["total_cost_usd"]?.doubleValue ?? 0) > 0)
        #expect(status?["claude_version"] == "2.1.331")
        #expect(status?["session_id"]?.stringValue?.count == 36 && status?["pid"]?.doubleValue != nil)
        // The three text lines are still there (fields are only added).
        #expect(objects(outcome.stdout).filter { $0["type"] == "info" }.count == 3)
    }

    @Test func denialsNotSentLinesAndAPIErrorsHaveAKind() async throws {
        let fixture = PipedFixture()
        defer { fixture.directory.remove() }
        let outcome = try await fixture.run("write fc:permission=Write\nboom fc:error=500\n", ["--output-format", "json"], timeout: 90)
        let errors = objects(outcome.stdout).filter { $0["type"] == "error" }
        let denial = errors.first { $0["kind"] == "auto_approve_denied" }
        #expect(denial?["tool"] == "Write" && denial?["policy"] == "none", "stdout: \(outcome.stdout)")
        #expect(errors.contains { $0["kind"] == "api_error" && ($0["message"]?.stringValue ?? "").hasPrefix("API Error: 500") },
                "stdout: \(outcome.stdout)")
        let ends = objects(outcome.stdout).filter { $0["type"] == "turn_end" }
        #expect(ends.count == 2)
        #expect(ends.last?["is_error"] == .bool(true) && ends.last?["succeeded"] == .bool(false))

        let missing = try await fixture.run("lost\n", ["--output-format", "json", "--claude", "/nonexistent/claude"], timeout: 30)
        let notSent = objects(missing.stdout).first { $0["kind"] == "not_sent" }
        #expect(notSent?["type"] == "error" && notSent?["text"] == "lost", "stdout: \(missing.stdout)")
    }

    @Test func succeededIsTrueOnlyForARealSuccess() async throws {
        let fixture = PipedFixture()
        defer { fixture.directory.remove() }
        let outcome = try await fixture.run("hello\n", ["--output-format", "json"], timeout: 60)
        let end = objects(outcome.stdout).first { $0["type"] == "turn_end" }
        #expect(end?["succeeded"] == .bool(true) && end?["subtype"] == "success", "stdout: \(outcome.stdout)")
    }
}
