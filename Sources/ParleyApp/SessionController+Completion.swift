import AgentSession
import Foundation
import Terminal

/// What Tab completion draws on (``CompletionSources``), kept current from the session: the
/// CLI's commands and models, this conversation's prompts, where its conversations live.
extension SessionController {
    /// Whether Tab after `/model ` offers the CLI's model catalog (`list_models`).
    enum ModelCatalog {
        /// Not asked for (scripted use: nobody completes).
        case unwanted
        /// Asked for once the next `initialize` is answered.
        case wanted
        /// Asked for; until the answer comes the `initialize` names are offered.
        case asking
        /// Kept for the rest of this run of Parley.
        case loaded
    }

    /// A thread-safe completion function for the line editor: `line` is the text before the
    /// cursor; paths are relative to the current directory (the conversation's).
    public nonisolated func completions(for line: String) -> [CompletionCandidate] {
        let completion = LineCompletion(registry: registry, directory: FileManager.default.currentDirectoryPath,
                                        home: ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory())
        return completion.candidates(for: line, sources: sources.withLock { $0 })
    }

    /// Keeps completion's sources current for a person pressing Tab (scripts never do, so they
    /// pay nothing for it): `/rewind`'s numbers follow the conversation's prompts, and Tab after
    /// `/model ` offers the CLI's model catalog with what each model is for, asked for
    /// (`list_models`) in the background once `initialize` is answered, so neither startup nor
    /// Tab waits for it, and kept for the rest of the run. Until it comes, or when the CLI does
    /// not answer it, the names of the `initialize` answer are offered.
    public func completeInteractively() {
        completesInteractively = true
        mirrorPromptsIfChanged()
        if case .unwanted = modelCatalog { modelCatalog = .wanted }
    }

    /// Takes what `initialize` said into completion, and asks for the model catalog if wanted.
    func learnCompletions(from learned: SessionCapabilities) {
        let names = cliCommands.names.sorted()
        let descriptions = Dictionary(cliCommands.commands.map { ($0.name, $0.description) }) { first, _ in first }
        let catalogLoaded = if case .loaded = modelCatalog { true } else { false }
        sources.withLock {
            if !learned.models.isEmpty && !catalogLoaded { $0.models = learned.models.map { CompletionCandidate($0) } }
            $0.cliCommands = names
            $0.cliDescriptions = descriptions
        }
        guard case .wanted = modelCatalog else { return }
        modelCatalog = .asking
        Task { await loadModelCatalog() }
    }

    private func loadModelCatalog() async {
        do {
            let models = try await session.request(ListModelsRequest())
            guard !models.isEmpty else {
                modelCatalog = .wanted
                return
            }
            sources.withLock { $0.models = StandardCommands.modelChoices(models) }
            modelCatalog = .loaded
        } catch {
            // The `initialize` names stay; the next start of `claude` asks again.
            modelCatalog = .wanted
        }
    }

    /// `/rewind`'s numbers follow the conversation's prompts (for a person only: see
    /// ``completeInteractively()``). Prompts are appended, cut (rewind) or replaced (resume),
    /// so their count and the last one's id tell whether they changed.
    func mirrorPromptsIfChanged() {
        let prompts = history.prompts
        guard prompts.count != mirroredPrompts.count || prompts.last?.id != mirroredPrompts.lastID else { return }
        mirroredPrompts = (prompts.count, prompts.last?.id)
        sources.withLock { $0.conversationPrompts = prompts.map(\.text) }
    }
}
