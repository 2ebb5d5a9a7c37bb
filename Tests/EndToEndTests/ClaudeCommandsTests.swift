import Foundation
import ParleyTestSupport
import Testing

/// `claude`'s own commands (issue 13.13) and a CLI without credentials (13.14), through the
/// built `parley`.
@Suite(.serialized, .timeLimit(.minutes(3))) struct ClaudeCommandsTests {
    @Test func interfaceOnlyCommandsGetAnInstructionNotAPrompt() async throws {
        let fixture = PipedFixture()
        defer { fixture.directory.remove() }
        let outcome = try await fixture.run("hi\n/login\n/doctor\n/config\n/heapdump\n/__remote-workflow\n/compact\n", timeout: 60)
        let stderr = outcome.stderr
        #expect(stderr.contains("/login works only in Claude Code's own interface: run `claude` once in a shell to log in "
            + "(or set ANTHROPIC_API_KEY), then /restart"), "stderr: \(stderr)")
        #expect(stderr.contains("/doctor works only in Claude Code's own interface: run `claude doctor` in a shell"), "stderr: \(stderr)")
        #expect(stderr.contains("/config works only in Claude Code's own interface"), "stderr: \(stderr)")
        #expect(stderr.contains("unknown command /heapdump") && stderr.contains("unknown command /__remote-workflow"), "stderr: \(stderr)")
        // Only the message and /compact reached claude.
        #expect(fixture.record.userTexts == ["hi", "/compact"], "sent: \(fixture.record.userTexts)")
    }

    /// Nobody completes in a script: `list_models` (for `/model` completion) is not asked.
    @Test func aScriptDoesNotAskForTheModelCatalog() async throws {
        let fixture = PipedFixture()
        defer { fixture.directory.remove() }
        let outcome = try await fixture.run("hi\n/model sonnet\n", timeout: 60)
        #expect(outcome.status == 0, "stderr: \(outcome.stderr)")
        let subtypes = fixture.record.stdinLines.compactMap { $0["request"]?["subtype"]?.stringValue }
        #expect(subtypes.contains("initialize") && subtypes.contains("set_model") && !subtypes.contains("list_models"), "\(subtypes)")
    }

    @Test func helpListsClaudesCommandsWithDescriptionsAndHidesInternalOnes() async throws {
        let fixture = PipedFixture()
        defer { fixture.directory.remove() }
        let outcome = try await fixture.run("hi\n/help\n", timeout: 60)
        let stderr = outcome.stderr
        // In the summaries' column; a name too long for it has its summary on the next line.
        #expect(stderr.contains("/compact <optional custom summarization instructions>\n" + String(repeating: " ", count: 27)
            + "Free up context by summarizing"), "stderr: \(stderr)")
        #expect(stderr.contains("/cost                      Show the total cost and duration of the current session"), "stderr: \(stderr)")
        #expect(!stderr.contains("heapdump") && !stderr.contains("__remote") && !stderr.contains("/doctor"), "stderr: \(stderr)")
    }

    @Test func notLoggedInIsOneClearInstruction() async throws {
        let fixture = PipedFixture()
        defer { fixture.directory.remove() }
        let outcome = try await fixture.run("hi fc:notloggedin\n", timeout: 60)
        let stderr = outcome.stderr
        #expect(outcome.status == 1)
        #expect(stderr.components(separatedBy: "Not logged in").count == 2, "the CLI's text once: \(stderr)")
        #expect(stderr.contains("claude is not logged in: run `claude` once in a shell to log in (or set ANTHROPIC_API_KEY), then /restart"),
                "stderr: \(stderr)")
    }

    @Test func completionOffersNoInternalCommands() async throws {
        let fixture = InteractiveTests.Fixture()
        defer { fixture.directory.remove() }
        let terminal = try await fixture.start()
        defer { terminal.close() }
        terminal.type("hi", enter: true)
        try await terminal.waitFor("Echo: hi")
        terminal.type("/comp")
        terminal.send("Tab")
        try await terminal.waitFor("/compact")
        terminal.send("C-u")
        terminal.type("/heap")
        terminal.send("Tab")
        terminal.type("X")
        let after = try await terminal.waitFor(awaiting: "/heapX or /heapdump") { $0.contains("/heapX") || $0.contains("/heapdump") }
        #expect(after.contains("/heapX") && !after.contains("/heapdump"), "screen:\n\(after)")
        terminal.send("C-u")
        terminal.send("C-d")
        try await terminal.waitFor("PARLEY-EXITED")
    }
}
