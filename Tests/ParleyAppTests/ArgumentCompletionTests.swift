import AgentSession
import Conversations
import Foundation
import ParleyTestSupport
import Testing
import Terminal
@testable import ParleyApp

/// Tab after `/model `, `/rewind ` and `/resume `: what is offered, with what beside it, and the
/// same numbers the commands list.
@Suite struct ArgumentCompletionTests {
    let registry = CommandRegistry.standard

    @Test func modelsFromTheCatalogComeWithWhatTheyAreForMadeInert() {
        let choices = StandardCommands.modelChoices([
            ModelOption(value: "sonnet", displayName: "Sonnet", description: "Sonnet 5.5 · Efficient for routine tasks"),
            ModelOption(value: "custom", displayName: "My custom model"),
            ModelOption(value: "evil", displayName: "Evil", description: "line one\nline two \u{1B}]0;title\u{07}"),
        ])
        #expect(choices.map(\.text) == ["sonnet", "custom", "evil"])
        #expect(choices[0].description == "Sonnet 5.5 · Efficient for routine tasks")
        #expect(choices[1].description == "My custom model")
        #expect(!choices[2].description.contains("\u{1B}") && !choices[2].description.contains("\n"), "\(choices[2].description)")
        var sources = CompletionSources()
        sources.models = choices
        #expect(registry.completions(for: "/model s", sources: sources) == [choices[0]])
    }

    @Test func rewindOffersThePromptsNumberedAsTheListIs() {
        let prompts = ["first prompt", "second\nprompt", "third \u{1B}[2J prompt"]
        #expect(RewindCommands.numbered(prompts).map(\.number) == [1, 2, 3])
        var sources = CompletionSources()
        sources.conversationPrompts = prompts
        let offered = registry.completions(for: "/rewind ", sources: sources)
        #expect(offered.map(\.text) == ["1", "2", "3"])
        #expect(offered.map(\.description) == RewindCommands.numbered(prompts).map(\.line))
        #expect(offered[1].description == "second↵prompt")
        #expect(offered[2].description == "third ␛[2J prompt")
        #expect(registry.completions(for: "/rewind 2", sources: sources).map(\.text) == ["2"])
        #expect(registry.completions(for: "/rewind 2 ", sources: sources).map(\.text) == ["--files", "--keep-files"])
        #expect(registry.completions(for: "/rewind ", sources: CompletionSources()).isEmpty)
    }

    @Test func ageSaysHowLongAgoInWords() {
        let now = Date(timeIntervalSince1970: 1_000_000)
        #expect(ConversationLines.age(of: now.addingTimeInterval(-20), now: now) == "just now")
        #expect(ConversationLines.age(of: now.addingTimeInterval(-300), now: now) == "5 min ago")
        #expect(ConversationLines.age(of: now.addingTimeInterval(-3 * 3600 - 5), now: now) == "3 h ago")
        #expect(ConversationLines.age(of: now.addingTimeInterval(-30 * 3600), now: now) == "yesterday")
        #expect(ConversationLines.age(of: now.addingTimeInterval(-5 * 86400), now: now) == "5 days ago")
        #expect(ConversationLines.age(of: now.addingTimeInterval(60), now: now) == "just now")
    }

    /// The numbers are those of `/resume`'s listing (newest first); each says its name, else
    /// its first prompt, and its age; an unreadable transcript says why.
    @Test func resumeOffersTheListedConversations() throws {
        let directory = TemporaryDirectory("arg-completion")
        defer { directory.remove() }
        let work = directory.file("work")
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let files = ConversationFiles(home: directory.file("home"), stateDirectory: directory.file("state"))
        let store = files.store(workingDirectory: work)
        try FileManager.default.createDirectory(atPath: store.directory, withIntermediateDirectories: true)
        func transcript(_ id: String, prompt: String, age: TimeInterval) throws {
            let line = #"{"type":"user","uuid":"u-\#(id)","parentUuid":null,"cwd":"\#(work)","message":{"role":"user","content":"\#(prompt)"}}"#
            let path = store.directory + "/\(id).jsonl"
            try (line + "\n").write(toFile: path, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-age)], ofItemAtPath: path)
        }
        try transcript("aaaa0000", prompt: "the older one", age: 7200)
        try transcript("bbbb0000", prompt: "the newer one", age: 120)
        try ("{\"type\":\"user\"\nnot json\n").write(toFile: store.directory + "/cccc0000.jsonl", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-86400 * 3)],
                                              ofItemAtPath: store.directory + "/cccc0000.jsonl")
        try files.names.setName("named \u{1B}[31mred", for: "aaaa0000")

        var sources = CompletionSources()
        sources.conversations = ConversationCatalog(store: store, files: files)
        let offered = registry.completions(for: "/resume ", sources: sources)
        let listing = ConversationCatalog(store: store, files: files).listing()
        #expect(offered.map(\.text) == listing.items.map { String($0.number) })
        #expect(offered.map(\.text) == ["1", "2", "3"])
        #expect(offered[0].description == "the newer one · 2 min ago")
        #expect(offered[1].description == "“named ␛[31mred” · 2 h ago")
        #expect(offered[2].description.contains("cannot be read") && offered[2].description.hasSuffix(" · 3 days ago"),
                "\(offered[2].description)")
        #expect(registry.completions(for: "/resume 2", sources: sources).map(\.text) == ["2"])
        #expect(registry.completions(for: "/resume ", sources: CompletionSources()).isEmpty)
    }
}
