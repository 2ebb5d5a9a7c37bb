import Testing
import Terminal
@testable import ParleyApp

@Suite struct CommandTests {
    @Test func classifiesInput() {
        #expect(SubmittedInput(line: "   ") == .empty)
        #expect(SubmittedInput(line: "hello") == .message("hello"))
        #expect(SubmittedInput(line: "/queue drop 2") == .command(name: "queue", arguments: ["drop", "2"], raw: "/queue drop 2"))
        #expect(SubmittedInput(line: "/Status") == .command(name: "status", arguments: [], raw: "/Status"))
        #expect(SubmittedInput(line: "//tmp is a dir") == .message("/tmp is a dir"))
        #expect(SubmittedInput(line: "/ not a command") == .message("/ not a command"))
        #expect(SubmittedInput(line: "multi\nline") == .message("multi\nline"))
    }

    @Test func everyRequiredCommandExists() {
        for name in ["help", "quit", "exit", "restart", "new", "queue", "persona", "model", "interrupt", "status", "permissions", "retry"] {
            #expect(CommandRegistry.standard.command(named: name) != nil, "/\(name) missing")
        }
    }

    @Test func suggestsTheNearestCommand() {
        let registry = CommandRegistry.standard
        #expect(registry.nearestName(to: "stauts") == "status")
        #expect(registry.nearestName(to: "restrat") == "restart")
        #expect(registry.nearestName(to: "qeue") == "queue")
        #expect(registry.nearestName(to: "xyzzyplugh") == nil)
    }

    @Test func completesCommandsAndTheirArguments() {
        let registry = CommandRegistry.standard
        var sources = CompletionSources()
        sources.personaNames = ["default", "reviewer", "rust"]
        sources.models = ["default", "sonnet", "opus"]
        sources.queueLength = 3
        sources.cliCommands = ["compact", "cost"]
        #expect(texts(registry.completions(for: "/st", sources: sources)) == ["/status"])
        #expect(texts(registry.completions(for: "/co", sources: sources)) == ["/compact", "/context", "/copy", "/cost"])
        #expect(texts(registry.completions(for: "/persona r", sources: sources)) == ["reviewer", "rust"])
        #expect(texts(registry.completions(for: "/persona reviewer ", sources: sources)) == ["--fresh"])
        #expect(texts(registry.completions(for: "/model s", sources: sources)) == ["sonnet"])
        #expect(texts(registry.completions(for: "/queue ", sources: sources)) == ["drop", "edit", "clear", "restore"])
        #expect(texts(registry.completions(for: "/queue drop ", sources: sources)) == ["1", "2", "3"])
        #expect(texts(registry.completions(for: "/permissions acc", sources: sources)) == ["acceptEdits"])
        #expect(texts(registry.completions(for: "hello", sources: sources)).isEmpty)
        // Commands come with what they do; claude's with the description its initialize gave.
        sources.cliDescriptions = ["cost": "Show the total cost"]
        #expect(registry.completions(for: "/st", sources: sources).map(\.description) == ["process, session, model, persona, queue, turns, cost"])
        #expect(registry.completions(for: "/cos", sources: sources).map(\.description) == ["Show the total cost"])
    }

    func texts(_ candidates: [CompletionCandidate]) -> [String] { candidates.map(\.text) }

    @Test func autoApprovePolicies() {
        let write = PermissionRequestFixture.write
        let bash = PermissionRequestFixture.bash
        if case .deny(let message, _) = AutoApprovePolicy.none.decision(for: write) { #expect(message.contains("none")) }
        else { Issue.record("none must deny") }
        if case .allow = AutoApprovePolicy.edits.decision(for: write) {} else { Issue.record("edits must allow Write") }
        if case .deny = AutoApprovePolicy.edits.decision(for: bash) {} else { Issue.record("edits must deny Bash") }
        if case .allow = AutoApprovePolicy.all.decision(for: bash) {} else { Issue.record("all must allow Bash") }
    }

    @Test func alwaysUsesTheCLIsOwnSuggestion() {
        let decision = PermissionAnswer.allowAlways.decision(for: PermissionRequestFixture.write)
        guard case .allow(_, let permissions) = decision else { Issue.record("not allowed"); return }
        #expect(permissions == PermissionRequestFixture.write.suggestions)
        guard case .deny(let message, _) = PermissionAnswer.deny(reason: "too risky").decision(for: PermissionRequestFixture.write) else {
            Issue.record("not denied"); return
        }
        #expect(message.contains("too risky"))
    }

    @Test func versionCheck() {
        #expect(ParleyVersion.compatibilityWarning(for: "2.1.331") == nil)
        #expect(ParleyVersion.compatibilityWarning(for: "2.2.0")?.contains("newer than") == true)
        #expect(ParleyVersion.compatibilityWarning(for: "2.0.9")?.contains("older than") == true)
    }
}

import StreamJSON

enum PermissionRequestFixture {
    static let write = PermissionRequest(
        toolName: "Write", input: ["file_path": "/tmp/x", "content": "hi"],
        suggestions: [["type": "setMode", "mode": "acceptEdits", "destination": "session"]])
    static let bash = PermissionRequest(toolName: "Bash", input: ["command": "rm -rf /tmp/x"])
}

@Suite struct SessionTuningTests {
    @Test func secondsAreFiniteAndBounded() throws {
        #expect(try SessionTuning.seconds("2.5", name: "x") == .milliseconds(2500))
        #expect(try SessionTuning.seconds("0", name: "x") == .zero)
        #expect(try SessionTuning.seconds("86400", name: "x") == .seconds(86_400))
        for bad in ["inf", "-inf", "nan", "1e300", "99999999999999999999", "-1", "86400.5", "", "soon"] {
            #expect(throws: SessionTuning.InvalidSeconds.self, "\(bad)") { try SessionTuning.seconds(bad, name: "x") }
        }
    }

    @Test func argumentErrorsNameTheUsage() {
        let registry = CommandRegistry.standard
        let sources = CompletionSources()
        #expect(registry.command(named: "thinking")?.argumentError(["maybe"], sources: sources)
            == "/thinking: unexpected “maybe”; usage: /thinking [on|off]")
        #expect(registry.command(named: "thinking")?.argumentError(["on"], sources: sources) == nil)
        #expect(registry.command(named: "restart")?.argumentError(["--frsh"], sources: sources)
            == "/restart: unexpected “--frsh” (did you mean --fresh?); usage: /restart [--fresh]")
        #expect(registry.command(named: "quit")?.argumentError(["now"], sources: sources) == "/quit takes no arguments")
    }
}
