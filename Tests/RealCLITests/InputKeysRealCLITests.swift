import Foundation
import ParleyTestSupport
import Testing

/// Issue 16's keys and pastes in a real terminal against the real `claude` and the fake
/// Messages API: what reaches the API.
@Suite(.serialized, .timeLimit(.minutes(3))) struct InputKeysRealCLITests {
    @Test func pasteEditorShiftTabAndEscWithTheRealCLI() async throws {
        let harness = try RealHarness(apiArguments: ["--slow-delay", "0.1"])
        defer { harness.finish() }
        let terminal = try await harness.terminal(extra: ["EDITOR": #"sh -c 'printf "edited in the editor\nsecond line\n" > "$1"' editor"#])
        defer { terminal.close() }
        try await terminal.waitFor("parley ›", timeout: .seconds(20))

        // Tab lists claude's commands with the descriptions its initialize answer gave.
        try await terminal.waitFor("● claude started", timeout: .seconds(20))
        try await terminal.waitFor(awaiting: "/compact listed with its description", timeout: .seconds(20)) { screen in
            terminal.send("C-u")
            terminal.type("/co")
            terminal.send("Tab")
            usleep(300_000)
            return terminal.screen().split(separator: "\n").contains { $0.hasPrefix("/compact  ") && $0.count > 20 }
        }
        terminal.send("C-u")

        // A long paste is a label on the line and reaches the API in full, once.
        let block = (1...40).map { "pasted row \($0)" }.joined(separator: "\n")
        terminal.type("summarize: ")
        terminal.paste(block)
        try await terminal.waitFor(awaiting: "the paste's label") { _ in
            terminal.cursorLine().contains("[Pasted text #1 +40 lines]")
        }
        terminal.send("Enter")
        try await terminal.waitFor("Echo: summarize: pasted row 1", timeout: .seconds(30))
        #expect(harness.api.mainRequests.compactMap(APIRequest.latestPrompt) == ["summarize: " + block])

        // Ctrl-X Ctrl-E: the editor's text is the next message, sent on Enter.
        terminal.send("C-x")
        terminal.send("C-e")
        try await terminal.waitFor(awaiting: "the edited text on the line") { _ in terminal.cursorLine().contains("second line") }
        terminal.send("Enter")
        try await terminal.waitFor("Echo: edited in the editor", timeout: .seconds(30))
        #expect(harness.api.mainRequests.compactMap(APIRequest.latestPrompt).last == "edited in the editor\nsecond line")

        // Shift-Tab: the real CLI confirms the new mode.
        terminal.send("BTab")
        try await terminal.waitFor("● permission mode acceptEdits", timeout: .seconds(20))

        // Esc interrupts a slow reply and keeps the half-typed line.
        terminal.type("a slow one mock-slow", enter: true)
        try await terminal.waitFor("slow0", timeout: .seconds(30))
        terminal.type("kept")
        terminal.send("Escape")
        try await terminal.waitFor("⏹ interrupted", timeout: .seconds(20))
        #expect(terminal.cursorLine().contains("parley › kept"), "cursor line: \(terminal.cursorLine())")
    }

    @Test func upTakesAQueuedMessageBackAndOnlyTheChangedOneReachesTheAPI() async throws {
        let harness = try RealHarness(apiArguments: ["--slow-delay", "0.15"])
        defer { harness.finish() }
        let terminal = try await harness.terminal()
        defer { terminal.close() }
        try await terminal.waitFor("parley ›", timeout: .seconds(20))
        terminal.type("a slow one mock-slow", enter: true)
        try await terminal.waitFor("slow0", timeout: .seconds(30))
        terminal.type("plum", enter: true)
        try await terminal.waitFor("queued (1): plum")
        terminal.send("Up")
        try await terminal.waitFor(awaiting: "plum back on the line") { _ in terminal.cursorLine().contains("parley › plum") }
        terminal.type(" tart", enter: true)
        try await terminal.waitFor("Echo: plum tart", timeout: .seconds(40))
        let prompts = harness.api.mainRequests.compactMap(APIRequest.latestPrompt)
        #expect(prompts.contains("plum tart") && !prompts.contains("plum"), "prompts: \(prompts)")
    }
}
