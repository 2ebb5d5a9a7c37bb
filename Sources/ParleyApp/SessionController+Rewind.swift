import AgentSession
import Conversations
import Foundation
import StreamJSON
import Terminal

/// The conversation's prompts and file changes: change receipts after a turn, and what
/// `/rewind` and `/undo` do (their command bodies are in `Commands/RewindCommands.swift`).
extension SessionController {
    /// Keeps ``ConversationHistory`` in step with the session.
    func trackConversation(_ event: SessionEvent) {
        switch event {
        case .turnStarted(let prompt):
            history.promptSent(prompt)
        case .toolUse(let use) where ConversationHistory.editTools.contains(use.name):
            history.turnUsedEditTool = true
        case .status(.conversationReset):
            history.reset()
        case .processStarted(_, resumedSessionID: nil):
            history.reset()
            // `--continue`: the conversation's id (and so its transcript) is known at `system/init`.
            history.readsTranscriptAtInit = !history.started && (overrides.continueMostRecent || baseLaunch.continueMostRecent)
            history.started = true
        case .processStarted(_, resumedSessionID: let id?) where id != history.sessionID:
            // A conversation Parley did not run until now (`--resume`): its prompts are on disk.
            history.started = true
            history.reset(to: transcriptPrompts(of: id), sessionID: id)
        case .sessionInitialized(let info) where history.readsTranscriptAtInit:
            history.readsTranscriptAtInit = false
            let earlier = transcriptPrompts(of: info.sessionID)
            let known = Set(earlier.map(\.id))
            history.reset(to: earlier + history.prompts.filter { !known.contains($0.id) }, sessionID: info.sessionID)
        case .sessionInitialized(let info):
            history.sessionID = info.sessionID
        default:
            break
        }
    }

    /// The prompts of a conversation as the CLI keeps it on disk (read by `TranscriptParser`);
    /// none when its transcript is missing or cannot be read.
    private func transcriptPrompts(of sessionID: String) -> [QueuedMessage] {
        let store = files.store(workingDirectory: workingDirectory)
        guard let transcript = try? store.load(store.find(sessionID)) else { return [] }
        return ConversationHistory.prompts(of: transcript)
    }

    /// The directory `claude` runs in: file paths are shown relative to it.
    var workingDirectory: String {
        baseLaunch.workingDirectory ?? FileManager.default.currentDirectoryPath
    }

    /// After a turn that used an edit tool: asks, in the background, what it changed, and
    /// says it in one line (a `files_changed` object in JSON output); nothing when it changed
    /// nothing or the CLI cannot tell. ``waitUntilSettled()`` waits for it.
    func startChangeReceipt(after summary: TurnSummary) {
        guard history.turnUsedEditTool else { return }
        history.turnUsedEditTool = false
        receiptsInFlight += 1
        Task {
            await showChangeReceipt(after: summary)
            receiptsInFlight -= 1
            let waiters = receiptWaiters
            receiptWaiters.removeAll()
            for waiter in waiters { waiter.resume() }
        }
    }

    private func showChangeReceipt(after summary: TurnSummary) async {
        guard let change = try? await fileChanges(since: summary.message), !change.isEmpty else { return }
        history.lastChange = ConversationHistory.FileChange(prompt: summary.message, summary: change)
        announce(type: "files_changed", fields: change.fields.merging(["prompt_uuid": .string(summary.message.id)]) { $1 },
                 line: StyledText("✎ " + change.line, .dim), kind: .status)
    }

    /// One line in a transcript, or one object of `type` in JSON output.
    func announce(type: String, fields: [String: JSONValue], line: StyledText, kind: ConsoleLineKind = .info) {
        if case .json = presentation {
            report(type: type, fields: fields)
        } else {
            say(line, kind: kind)
        }
    }

    // MARK: CommandContext

    public var conversationPrompts: [QueuedMessage] { history.prompts }

    public var lastFileChange: (prompt: QueuedMessage, change: FileChangeSummary)? {
        history.lastChange.map { ($0.prompt, $0.summary) }
    }

    public var isIdle: Bool {
        get async {
            if case .idle = await session.snapshot.phase { return true }
            return false
        }
    }

    public func fileChanges(since prompt: QueuedMessage) async throws(SessionError) -> FileChangeSummary {
        let receipt = try await session.request(RewindFilesRequest(userMessageID: prompt.id, dryRun: true))
        return FileChangeSummary(receipt, workingDirectory: workingDirectory)
    }

    public func restoreFiles(since prompt: QueuedMessage) async throws(SessionError) {
        _ = try await session.request(RewindFilesRequest(userMessageID: prompt.id, dryRun: false))
        if history.lastChange.map({ prompts(from: prompt).contains($0.prompt) }) == true { history.lastChange = nil }
    }

    public func rewindConversation(to prompt: QueuedMessage) async throws(SessionError) -> String {
        let text = try await session.request(RewindConversationRequest(targetMessageID: prompt.id,
                                                                           lastSeenMessageID: history.prompts.last?.id))
        if let index = history.prompts.firstIndex(where: { $0.id == prompt.id }) { history.rewound(toPromptAt: index) }
        return text ?? prompt.text
    }

    public func offerForEditing(_ text: String) -> Bool {
        guard let editLine else { return false }
        editLine.replaceLine(with: text)
        return true
    }

    /// `prompt` and the prompts after it.
    private func prompts(from prompt: QueuedMessage) -> ArraySlice<QueuedMessage> {
        guard let index = history.prompts.firstIndex(where: { $0.id == prompt.id }) else { return [] }
        return history.prompts[index...]
    }
}
