import AgentSession
import StreamJSON
import Terminal

/// The controller as commands see it: only what ``CommandContext`` lists.
extension SessionController: CommandContext {
    public nonisolated var commands: [SlashCommand] { registry.commands }

    public var claudeCommands: [SessionCapabilities.Command] { cliCommands.commands }

    public var snapshot: SessionSnapshot {
        get async { await session.snapshot }
    }

    public var conversationCostUSD: Double { cost.totalUSD }

    public func restart(fresh: Bool) async {
        await session.restart(fresh: fresh)
    }

    public func requestQuit() { quitRequested = true }

    public func report(type: String, fields: [String: JSONValue]) {
        guard !silenced, case .json = presentation else { return }
        console.json(JSONValue.object(fields.merging(["type": .string(type)]) { _, type in type }).compactText)
    }

    public func retryLastUnanswered() async {
        guard let message = lastUnanswered else {
            say(StyledText("nothing to retry", .dim))
            return
        }
        lastUnanswered = nil
        await session.send(message.text, extras: message.extras)
    }

    public var queuedMessages: [QueuedMessage] {
        get async { await session.queuedMessages }
    }

    public func dropQueued(at index: Int) async -> QueuedMessage? {
        defer { updateQueueLength() }
        let dropped = await session.dropQueued(at: index)
        if let dropped { journal(sent: dropped.id) }
        return dropped
    }

    public func clearQueue() async -> [QueuedMessage] {
        defer { updateQueueLength() }
        let dropped = await session.clearQueue()
        for message in dropped { journal(sent: message.id) }
        return dropped
    }

    public var hasEditLine: Bool { editLine != nil }

    public func putOnEditLine(_ text: String) {
        editLine?.replaceLine(with: text)
    }

    public func openExternalEditor() {
        editLine?.openExternalEditor()
    }

    public var personas: [Persona] {
        configuration.personaNames.compactMap { configuration.personas[$0] }
    }

    public func switchPersona(to name: String, fresh: Bool) async {
        guard configuration.personas[name] != nil else {
            let nearest = NearestName.suggestion(for: name, among: configuration.personaNames)
            sayError("no persona named \(name)" + (nearest.map { " (did you mean \($0)?)" } ?? "") + "; /persona lists them")
            return
        }
        do {
            let launch = try launchConfiguration(for: name)
            personaName = name
            if let policy = configuration.personas[name]?.autoApprove.flatMap(AutoApprovePolicy.init(rawValue:)),
               overrides.autoApprove == nil {
                autoApprove = policy
            }
            await session.reconfigure(launch, fresh: fresh)
            say(StyledText("● persona \(name)" + (fresh ? " (new conversation)" : " (conversation continues)"), .dim), kind: .status)
            for observer in personaObservers { observer(name) }
        } catch {
            sayError("persona \(name): \(error)")
        }
    }

    /// The launch configuration for a persona: the base, the persona, then command-line flags.
    func launchConfiguration(for personaName: String) throws(ConfigurationError) -> LaunchConfiguration {
        let persona = configuration.personas[personaName] ?? .default
        var launch = try persona.launchConfiguration(base: baseLaunch)
        try overrides.apply(to: &launch)
        return launch
    }

    public var knownModels: [String] { capabilities?.models ?? [] }

    public func setModel(_ name: String?) async throws(SessionError) -> String {
        expectModelEcho()
        let resolved = try await session.setModel(name)
        activity.withLock { $0.modelChanged(to: resolved) }
        return resolved
    }

    public func setPermissionMode(_ mode: String) async throws(SessionError) -> String {
        expectPermissionModeEcho(mode)
        return try await session.setPermissionMode(mode)
    }

    public func askSideQuestion(_ question: String) async throws(SessionError) -> String {
        try await session.request(SideQuestionRequest(question: question))
    }

    public func setShowThinking(_ show: Bool?) -> Bool {
        guard case .transcript(var presenter) = presentation else { return false }
        presenter.showThinking = show ?? !presenter.showThinking
        presentation = .transcript(presenter)
        return presenter.showThinking
    }

    public var lastDiff: [StyledText]? {
        guard case .transcript(let presenter) = presentation else { return nil }
        return presenter.lastDiffLines()?.map { $0.madeInert() }
    }

    /// Whether a turn or a `!command` runs, or messages wait for one: then Ctrl-D asks for a
    /// second press. Starting `claude` (its `initialize` not yet answered) is not such work.
    public var hasWorkInFlight: Bool {
        get async {
            guard localCommandsIdle else { return true }
            let snapshot = await session.snapshot
            switch snapshot.phase {
            case .busy, .interrupting: return true
            default: return snapshot.queueLength > 0
            }
        }
    }
}
