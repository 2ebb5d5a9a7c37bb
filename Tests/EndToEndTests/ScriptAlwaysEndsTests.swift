import Foundation
import ParleyTestSupport
import StreamJSON
import Testing

/// Issue 12, points 3 and 5, through the built `parley` in piped mode: whatever a broken
/// `claude` does, a script ends (status 1 when a message went unanswered), and a `result`
/// never ends the turn of another message. Each of these hung or misbehaved before.
@Suite(.serialized, .timeLimit(.minutes(3))) struct ScriptAlwaysEndsTests {
    /// Short stall, interrupt and `initialize` deadlines, so a hostile child costs seconds.
    static let fast = ["PARLEY_STALL_TIMEOUT": "0.5", "PARLEY_INTERRUPT_GRACE": "0.5", "PARLEY_INITIALIZE_TIMEOUT": "3"]

    /// Runs `input` against a double in `hostility` mode; the run is killed after 40 s.
    static func run(_ input: String, hostility: String, _ extra: [String: String] = fast,
                    _ arguments: [String] = []) async throws -> (ProcessOutcome, FaultFixture) {
        let fixture = FaultFixture()
        let environment = extra.merging(["FAKE_CLAUDE_HOSTILE": hostility]) { $1 }
        let outcome = try await fixture.run(input, arguments, environment: environment, timeout: 40)
        return (outcome, fixture)
    }

    static func tail(_ text: String) -> String { String(text.suffix(1500)) }

    @Test func aChildThatClosesStdoutAndStaysAliveEndsTheScript() async throws {
        let (outcome, fixture) = try await Self.run("hello\nagain\n", hostility: "close-stdout")
        defer { fixture.directory.remove() }
        #expect(outcome.status == 1, "stderr: \(Self.tail(outcome.stderr))")
        #expect(outcome.stderr.contains("no output from claude"), "stderr: \(Self.tail(outcome.stderr))")
        #expect(outcome.stderr.contains("not answered: “hello” — claude gave no output for too long"),
                "stderr: \(Self.tail(outcome.stderr))")
        // The script went on: the next line is reported too (the child never answers
        // `initialize` either, so by then the session may have failed).
        #expect(outcome.stderr.contains("“again”"), "stderr: \(Self.tail(outcome.stderr))")
    }

    @Test func aChildThatPrintsOnlyNonJSONEndsTheScript() async throws {
        let (outcome, fixture) = try await Self.run("hello\n", hostility: "non-json")
        defer { fixture.directory.remove() }
        #expect(outcome.status == 1, "stderr: \(Self.tail(outcome.stderr))")
        #expect(outcome.stderr.contains("not JSON"), "stderr: \(Self.tail(outcome.stderr))")
        #expect(outcome.stderr.contains("not answered: “hello”"), "stderr: \(Self.tail(outcome.stderr))")
        #expect(outcome.stdout.isEmpty)
    }

    @Test func aChildThatNeverAnswersAMessageEndsTheScriptAndItGoesOn() async throws {
        let (outcome, fixture) = try await Self.run("first\nsecond\n", hostility: "mute")
        defer { fixture.directory.remove() }
        #expect(outcome.status == 1, "stderr: \(Self.tail(outcome.stderr))")
        // Both lines were sent (the script went on after the first stalled) and reported.
        #expect(fixture.record.userTexts.contains("first") && fixture.record.userTexts.contains("second"))
        #expect(outcome.stderr.contains("not answered: “first”") && outcome.stderr.contains("not answered: “second”"),
                "stderr: \(Self.tail(outcome.stderr))")
        #expect(outcome.stderr.contains("gave no output for too long"), "stderr: \(Self.tail(outcome.stderr))")
    }

    @Test func aChildThatNeverAnswersInitializeIsOneClearError() async throws {
        let (outcome, fixture) = try await Self.run(
            "hello\nworld\n", hostility: "silent", ["PARLEY_INITIALIZE_TIMEOUT": "1", "PARLEY_STALL_TIMEOUT": "60"])
        defer { fixture.directory.remove() }
        #expect(outcome.status == 1, "stderr: \(Self.tail(outcome.stderr))")
        let errors = outcome.stderr.split(separator: "\n").filter { $0.contains("did not answer initialize within 1.0 s") }
        #expect(errors.count == 1, "stderr: \(Self.tail(outcome.stderr))")
        #expect(outcome.stderr.contains("“world”"), "stderr: \(Self.tail(outcome.stderr))")
    }

    @Test func aClaudeThatCannotStartFailsEvenAnEmptyScript() async throws {
        let fixture = FaultFixture()
        defer { fixture.directory.remove() }
        let outcome = try await fixture.run("", ["--claude", "/nonexistent/claude"], timeout: 30)
        #expect(outcome.status == 1, "stderr: \(Self.tail(outcome.stderr))")
        #expect(outcome.stderr.split(separator: "\n").filter { $0.contains("claude not found") }.count == 1,
                "stderr: \(Self.tail(outcome.stderr))")
    }

    @Test func aStrayResultDoesNotEndTheWrongTurn() async throws {
        let fixture = FaultFixture()
        defer { fixture.directory.remove() }
        let outcome = try await fixture.run("first fc:strayresult fc:slow=20\nsecond\nthird\n", timeout: 40)
        #expect(outcome.status == 0, "stderr: \(Self.tail(outcome.stderr))")
        #expect(outcome.stdout == "Echo: first fc:strayresult fc:slow=20\nEcho: second\nEcho: third\n",
                "stdout: \(outcome.stdout)")
        let warnings = outcome.stderr.split(separator: "\n").filter { $0.contains("ended the turn of another message") }
        #expect(warnings.count == 1, "stderr: \(Self.tail(outcome.stderr))")
    }

    /// The same in `--output-format json`, where each `turn_end` says which answer ended which
    /// message: every message ends with its own result, none with the one before.
    @Test func eachTurnEndsWithItsOwnResultDespiteAStrayOne() async throws {
        let fixture = FaultFixture()
        defer { fixture.directory.remove() }
        let outcome = try await fixture.run("first fc:strayresult fc:slow=20\nsecond\nthird\n", ["--output-format", "json"], timeout: 40)
        #expect(outcome.status == 0, "stderr: \(Self.tail(outcome.stderr))")
        let lines = outcome.stdout.split(separator: "\n").compactMap { try? JSONValue.parse(Data($0.utf8)) }
        let results = lines.filter { $0["type"] == "turn_end" }.compactMap { $0["result"]?.stringValue }
        #expect(results == ["Echo: first fc:strayresult fc:slow=20", "Echo: second", "Echo: third"], "stdout: \(outcome.stdout)")
        #expect(lines.contains { $0["type"] == "status" && $0["kind"] == "unmatched_result" })
    }
}
