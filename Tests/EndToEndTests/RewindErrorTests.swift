import Foundation
import ParleyTestSupport
import Testing

/// `/rewind` and `/undo` when `claude` refuses (fake-claude answers every rewind request with
/// an error): one line, nothing changed, the conversation goes on.
@Suite(.serialized, .timeLimit(.minutes(3))) struct RewindErrorTests {
    @Test func aCLIThatAnswersAnErrorGetsOneLineAndNothingChanges() async throws {
        let fixture = PipedFixture()
        defer { fixture.directory.remove() }
        let outcome = try await fixture.run("one\n/rewind 1\n/rewind 1 --keep-files\ntwo\n/rewind\n", timeout: 60)
        let errors = outcome.stderr.split(separator: "\n").filter { $0.hasPrefix("not rewound") || $0.hasPrefix("conversation not rewound") }
        #expect(errors.count == 2, "stderr: \(outcome.stderr)")
        #expect(errors.allSatisfy { $0.contains("Unsupported control request subtype: rewind_") }, "stderr: \(outcome.stderr)")
        // Both prompts are still this conversation's.
        #expect(outcome.stderr.contains("1. one\n2. two\n"), "stderr: \(outcome.stderr)")
        #expect(fixture.record.userTexts == ["one", "two"])
    }
}
