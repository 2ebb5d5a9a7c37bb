import Foundation
import ParleyTestSupport
import Testing

/// `/rewind`, Esc Esc and change receipts in a real terminal (tmux) against the real `claude`
/// (issue 15, points 2 and 3).
@Suite(.serialized, .timeLimit(.minutes(3))) struct InteractiveRewindRealCLITests {
    @Test func receiptOnScreenRewindPutsThePromptBackOnTheEditLineAndEscEscOffersTheLastPrompt() async throws {
        let harness = try RealHarness()
        defer { harness.finish() }
        let terminal = try await harness.terminal()
        defer { terminal.close() }
        try await terminal.waitFor("parley ›", timeout: .seconds(20))

        terminal.type("first prompt", enter: true)
        try await terminal.waitFor("Echo: first prompt", timeout: .seconds(30))
        terminal.type("please mock-write=a.txt", enter: true)
        try await terminal.waitFor("allow? [y/n/a]", timeout: .seconds(30))
        usleep(700_000)  // a deliberate key, once the question has been visible a moment
        terminal.type("y")
        try await terminal.waitFor("✎ 1 file changed, +1 −0: a.txt", timeout: .seconds(30))

        // Esc Esc at the empty prompt: the choice for the last prompt, which changed a file.
        terminal.send("Escape")
        terminal.send("Escape")
        try await terminal.waitFor("files changed since prompt 2: 1 file changed, +1 −0: a.txt", timeout: .seconds(20))
        try await terminal.waitFor("/rewind 2 --files also restores them")

        // /rewind 1 --files: the prompt's text comes back on the edit line; Enter sends it again.
        terminal.type("/rewind 1 --files", enter: true)
        try await terminal.waitFor("⏪ removed prompt 1 and everything after it", timeout: .seconds(20))
        try await terminal.waitFor(awaiting: "the prompt back on the edit line") { _ in
            terminal.cursorLine().contains("parley › first prompt")
        }
        #expect(!FileManager.default.fileExists(atPath: harness.work + "/a.txt"))
        terminal.type(" again", enter: true)
        try await terminal.waitFor("Echo: first prompt again", timeout: .seconds(30))
        let requests = harness.api.mainRequests
        #expect(RealCLI.Rewind.prompts(requests.last ?? .null) == ["first prompt again"], "\(requests.map(RealCLI.Rewind.prompts))")
        try await quitParley(terminal)
    }
}
