import Foundation
import ParleyTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 13, points 1-3, in a real terminal (tmux) against the real `claude` and the fake
/// Messages API: type-ahead and permission questions, feedback during a stream, resizes.
@Suite(.serialized) struct InteractiveTrustRealCLITests {
    private func start(_ harness: RealHarness) async throws -> TmuxTerminal {
        let terminal = try await harness.terminal()
        try await terminal.waitFor("parley ›", timeout: .seconds(20))
        // Keys are typed once the start-up lines are out (tmux's first resize redraws the prompt).
        try await terminal.waitFor("● claude started", timeout: .seconds(20))
        return terminal
    }

    private func typeLikeAPerson(_ terminal: TmuxTerminal, _ text: String) {
        for character in text {
            terminal.type(String(character))
            usleep(70_000)
        }
    }

    /// The tokens of the reply to `prompt` as the scrollback holds them: the rows between the
    /// submitted prompt and the turn footer that belong to the reply (not status lines).
    private func replyTokens(_ screen: String, prompt: String) -> [String] {
        let lines = screen.split(separator: "\n").map(String.init)
        guard let start = lines.firstIndex(where: { $0.hasSuffix("› " + prompt) }) else { return [] }
        let end = lines[start...].firstIndex { $0.hasPrefix("─ ") } ?? lines.endIndex
        return lines[(start + 1)..<end].filter { $0.contains("slow") || $0.contains("Echo:") }
            .flatMap { $0.split(whereSeparator: \.isWhitespace).map(String.init) }
    }

    /// What the fake API streams for a `mock-slow` prompt.
    private func slowReply(_ prompt: String) -> [String] {
        ("Echo: " + prompt + " " + (0..<30).map { String(format: "slow%02d.", $0) }.joined(separator: " "))
            .split(separator: " ").map(String.init)
    }

    @Test func typingAheadNeverAnswersTheRealCLIsQuestion() async throws {
        let harness = try RealHarness(apiArguments: ["--slow-delay", "0.1"])
        defer { harness.finish() }
        let terminal = try await start(harness)
        defer { terminal.close() }
        terminal.type("please mock-write now", enter: true)
        typeLikeAPerson(terminal, "you should also add a test")
        try await terminal.waitFor("allow? [y/n/a]", timeout: .seconds(30))
        #expect(terminal.cursorLine().contains("› you should also add a test"), "line: \(terminal.cursorLine())")
        terminal.send("Enter")
        try await terminal.waitFor("queued (1): you should also add a test", timeout: .seconds(5))
        usleep(500_000)
        let written = harness.work + "/mock_written.txt"
        #expect(!FileManager.default.fileExists(atPath: written), "type-ahead answered the question")
        usleep(500_000)
        terminal.type("y")
        try await terminal.waitFor("  allowed", timeout: .seconds(10))
        try await terminal.waitFor("Echo: you should also add a test", timeout: .seconds(60))
        #expect(FileManager.default.fileExists(atPath: written))
    }

    @Test func feedbackDuringARealStreamAppearsAtOnce() async throws {
        let harness = try RealHarness()
        defer { harness.finish() }
        let terminal = try await start(harness)
        defer { terminal.close() }
        let prompt = "a slow one mock-slow"
        terminal.type(prompt, enter: true)
        try await terminal.waitFor("slow02", timeout: .seconds(30))
        for (keys, shows) in [("next one", "queued (1): next one"), ("/status", "queue 1"), ("/queue drop 1", "dropped 1: next one")] {
            terminal.type(keys, enter: true)
            let screen = try await terminal.waitFor(shows, timeout: .seconds(2))
            #expect(!screen.contains("─ "), "the turn had already ended: the check proves nothing")
        }
        terminal.send("C-d")
        try await terminal.waitFor("press Ctrl-D again to quit", timeout: .seconds(2))
        try await terminal.waitFor(timeout: .seconds(30)) { $0.contains("─ ") }
        let scrollback = terminal.screen(history: 500)
        #expect(replyTokens(scrollback, prompt: prompt) == slowReply(prompt), "scrollback:\n\(scrollback)")
    }

    @Test func resizesDuringARealStreamKeepEveryWordOnce() async throws {
        let harness = try RealHarness()
        defer { harness.finish() }
        let terminal = try await start(harness)
        defer { terminal.close() }
        let prompt = "resize me mock-slow"
        terminal.type(prompt, enter: true)
        try await terminal.waitFor("slow01", timeout: .seconds(30))
        for (width, pause) in [(60, 0.6), (100, 0.5), (45, 0.4), (120, 0.6), (70, 0.3), (100, 0.5)] {
            terminal.resize(width: width, height: 30)
            usleep(useconds_t(pause * 1_000_000))
        }
        try await terminal.waitFor(timeout: .seconds(30)) { $0.contains("─ ") }
        let scrollback = terminal.screen(history: 500)
        #expect(replyTokens(scrollback, prompt: prompt) == slowReply(prompt), "scrollback:\n\(scrollback)")
        terminal.resize(width: 50, height: 30)
        usleep(400_000)
        terminal.resize(width: 100, height: 30)
        usleep(600_000)
        let idle = terminal.screen(history: 500).split(separator: "\n").map(String.init).drop { !$0.hasPrefix("─ ") }
        #expect(idle.filter { $0.contains("parley ›") }.count == 1, "screen:\n\(terminal.screen())")
    }

    /// Start-up and resizes at the idle prompt leave one prompt row in the whole scrollback: an erase
    /// from the screen's top-left corner made tmux scroll the prompt into its history.
    @Test func resizesAtTheIdlePromptLeaveOnePromptRowInTheScrollback() async throws {
        let harness = try RealHarness()
        defer { harness.finish() }
        let terminal = try await start(harness)
        defer { terminal.close() }
        terminal.type("a short line")
        try await terminal.waitFor { _ in terminal.cursorLine().contains("› a short line") }
        for width in [40, 120, 45, 100] {
            terminal.resize(width: width, height: 30)
            usleep(200_000)
        }
        usleep(500_000)
        let scrollback = terminal.screen(history: 10_000)
        #expect(scrollback.split(separator: "\n").filter { $0.contains("parley ›") }.count == 1, "scrollback:\n\(scrollback)")
        terminal.send("Enter")
        try await terminal.waitFor(awaiting: "the turn's footer", timeout: .seconds(30)) { $0.contains("─ ") }
    }
}
