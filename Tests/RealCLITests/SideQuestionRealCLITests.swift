import Foundation
import ParleyTestSupport
import Testing

/// `/btw` in a real terminal against the real `claude` and the fake Messages API: the answer
/// shows as an aside and the next conversation request does not carry it (issue 16, point 7).
@Suite(.serialized, .timeLimit(.minutes(3))) struct SideQuestionRealCLITests {
    @Test func btwAnswerIsShownAndStaysOutOfTheConversation() async throws {
        let harness = try RealHarness()
        defer { harness.finish() }
        let terminal = try await harness.terminal()
        defer { terminal.close() }
        try await terminal.waitFor("parley ›", timeout: .seconds(20))
        terminal.type("first question", enter: true)
        try await terminal.waitFor("Echo: first question", timeout: .seconds(30))
        terminal.type("/btw quick aside zebra", enter: true)
        let screen = try await terminal.waitFor(awaiting: "the aside's answer", timeout: .seconds(30)) {
            $0.contains("✻ aside (not part of the conversation)") && $0.contains("│ ")
        }
        #expect(screen.contains("aside zebra"), "screen:\n\(screen)")
        let mainBefore = harness.api.mainRequests.count
        terminal.type("second question", enter: true)
        try await terminal.waitFor("Echo: second question", timeout: .seconds(30))
        let next = try #require(harness.api.mainRequests.dropFirst(mainBefore).last { APIRequest.latestPrompt($0) == "second question" }
            ?? harness.api.mainRequests.last)
        let texts = APIRequest.allTexts(next)
        #expect(texts.contains { $0.contains("first question") })
        #expect(!texts.contains { $0.contains("zebra") }, "the aside reached the conversation: \(texts)")
        // The turn has ended (its footer) before Ctrl-D, which would otherwise ask to confirm.
        try await terminal.waitFor(awaiting: "the second turn's footer", timeout: .seconds(30)) {
            $0.components(separatedBy: "\n─ ").count >= 3
        }
        try await quitParley(terminal)
    }
}
