import Foundation
import ParleyTestSupport
import Testing

/// Protocol edge cases through the built `parley` in piped mode, against `fake-claude`.
@Suite(.serialized, .timeLimit(.minutes(2))) struct ProtocolPipedTests {
    /// Issue 12, 3: a line with a lone surrogate escape (`"\ud83d"`, valid JSON that JavaScript
    /// writes for half an emoji) was refused as "not valid JSON", so the assistant and result
    /// lines were lost and the turn never ended. Now the text shows U+FFFD and the script ends.
    @Test func aLoneSurrogateEscapeEndsTheTurnAndShowsTheReplacementCharacter() async throws {
        let fixture = PipedFixture()
        defer { fixture.directory.remove() }
        let outcome: ProcessOutcome
        do {
            outcome = try await fixture.run("cut fc:lonesurrogate\nafter\n", timeout: 20)
        } catch let timedOut as TimedOut {
            Issue.record("the turn never ended: \(timedOut)")
            return
        }
        #expect(outcome.status == 0, "stderr: \(outcome.stderr)")
        #expect(outcome.stdout == "Echo: cut fc:lonesurrogate half \u{FFFD}\nEcho: after\n", "stdout: \(outcome.stdout)")
        #expect(!outcome.stderr.contains("not JSON"), "stderr: \(outcome.stderr)")
    }
}
