import Foundation
import ParleyTestSupport
import Testing

import Glibc

/// Issue 16, point 8, at the keyboard against the real `claude` and the fake Messages API: Tab
/// after `/model ` lists the CLI's `list_models` catalog with what each model is for, and Tab
/// after `/rewind ` and `/resume ` lists the numbers the commands print, with prompts, names and
/// ages; picking one completes the line and the command then works.
@Suite(.serialized, .timeLimit(.minutes(3))) struct CompletionRealCLITests {
    /// The screen's rows that start with `text` (a listed candidate and its description).
    static func rows(_ screen: String, startingWith text: String) -> [Substring] {
        screen.split(separator: "\n").filter { $0.hasPrefix(text) }
    }

    /// Waits until the edit line is exactly `line`, cursor at its end (a completed word ends
    /// in a space, which only the cursor's column shows).
    static func waitForEditLine(_ terminal: TmuxTerminal, _ line: String) async throws {
        try await terminal.waitFor(awaiting: "the edit line “\(line)” with the cursor at its end") { _ in
            terminal.cursorLine() == line.trimmingCharacters(in: .whitespaces) && terminal.cursorColumn() == line.count
        }
    }

    @Test func modelCompletionShowsTheCatalogsDescriptionsAndThePickedModelIsUsed() async throws {
        let harness = try RealHarness()
        defer { harness.finish() }
        let terminal = try await harness.terminal()
        defer { terminal.close() }
        try await terminal.waitFor("● claude started", timeout: .seconds(30))

        // The catalog comes in the background after `initialize`: Tab again until it is there.
        try await terminal.waitFor(awaiting: "the models listed with their descriptions", timeout: .seconds(20)) { _ in
            terminal.send("C-u")
            terminal.type("/model ")
            terminal.send("Tab")
            usleep(300_000)
            return Self.rows(terminal.screen(), startingWith: "sonnet ").contains { $0.contains("Efficient for routine tasks") }
        }
        let screen = terminal.screen()
        #expect(Self.rows(screen, startingWith: "haiku ").contains { $0.contains("Fastest for quick answers") }, "screen:\n\(screen)")
        #expect(Self.rows(screen, startingWith: "default ").contains { $0.contains("Use the default model") }, "screen:\n\(screen)")

        // Picking one completes the line; the command then switches the model the API sees.
        terminal.type("so")
        terminal.send("Tab")
        try await Self.waitForEditLine(terminal, "parley › /model sonnet ")
        terminal.send("Enter")
        try await terminal.waitFor("● model ", timeout: .seconds(20))
        terminal.type("which model", enter: true)
        try await terminal.waitFor("Echo: which model", timeout: .seconds(30))
        #expect(harness.api.mainRequests.last.flatMap(APIRequest.model) == "claude-sonnet-5-5",
                "models: \(harness.api.mainRequests.map(APIRequest.model))")
        try await quitParley(terminal)
    }

    @Test func rewindAndResumeNumbersComeWithTheirPromptsAndTheChosenOneWorks() async throws {
        let harness = try RealHarness()
        defer { harness.finish() }
        // An earlier conversation in this directory, for /resume.
        let earlier = try await harness.parley("an earlier conversation\n")
        #expect(earlier.status == 0, "stderr: \(earlier.stderr)")
        let terminal = try await harness.terminal(width: 110)
        defer { terminal.close() }
        try await terminal.waitFor("parley ›", timeout: .seconds(20))
        terminal.type("first prompt", enter: true)
        try await terminal.waitFor("Echo: first prompt", timeout: .seconds(30))
        terminal.type("second prompt", enter: true)
        try await terminal.waitFor("Echo: second prompt", timeout: .seconds(30))

        // Tab after /rewind lists the prompts numbered as /rewind does.
        terminal.type("/rewind ")
        terminal.send("Tab")
        let prompts = try await terminal.waitFor(awaiting: "the numbered prompts") { screen in
            !Self.rows(screen, startingWith: "1  first prompt").isEmpty && !Self.rows(screen, startingWith: "2  second prompt").isEmpty
        }
        #expect(terminal.cursorLine() == "parley › /rewind", "screen:\n\(prompts)")
        terminal.type("2")
        terminal.send("Tab")
        try await Self.waitForEditLine(terminal, "parley › /rewind 2 ")
        terminal.send("Enter")
        try await terminal.waitFor("⏪ removed prompt 2 and everything after it", timeout: .seconds(20))
        try await terminal.waitFor(awaiting: "prompt 2 back on the edit line") { _ in
            terminal.cursorLine().contains("parley › second prompt")
        }
        terminal.send("C-u")

        // Tab after /resume lists the conversations as /resume numbers them: this one (newest),
        // then the earlier one, each with its first prompt and its age.
        terminal.type("/resume ")
        terminal.send("Tab")
        let conversations = try await terminal.waitFor(awaiting: "the numbered conversations") { screen in
            Self.rows(screen, startingWith: "1  first prompt · ").contains { $0.contains(" ago") || $0.contains("just now") }
                && !Self.rows(screen, startingWith: "2  an earlier conversation · ").isEmpty
        }
        #expect(terminal.cursorLine() == "parley › /resume", "screen:\n\(conversations)")
        terminal.type("2")
        terminal.send("Tab")
        try await Self.waitForEditLine(terminal, "parley › /resume 2 ")
        terminal.send("Enter")
        try await terminal.waitFor("› an earlier conversation\nEcho: an earlier conversation", timeout: .seconds(20))
        terminal.type("after resuming", enter: true)
        try await terminal.waitFor("Echo: after resuming", timeout: .seconds(30))
        let texts = APIRequest.allTexts(try #require(harness.api.mainRequests.last))
        #expect(texts.contains("an earlier conversation") && !texts.contains("first prompt"), "\(texts)")
        try await quitParley(terminal)
    }
}
