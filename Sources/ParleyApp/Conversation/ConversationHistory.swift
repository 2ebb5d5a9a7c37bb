import AgentSession
import Conversations
import StreamJSON
import Terminal

/// What Parley knows of the current conversation for `/rewind` and `/undo`: its prompts with
/// the uuids they were sent with, and the last turn that changed files. Pure; the controller
/// feeds it events (`SessionController+Rewind.swift`).
struct ConversationHistory: Sendable {
    /// The tools whose edits the CLI checkpoints; a change receipt is asked for only after a
    /// turn that used one (no extra request after other turns).
    static let editTools: Set<String> = ["Write", "Edit", "MultiEdit", "NotebookEdit"]

    /// One turn's file changes.
    struct FileChange: Sendable, Equatable {
        var prompt: QueuedMessage
        var summary: FileChangeSummary
    }

    /// This conversation's prompts, oldest first.
    private(set) var prompts: [QueuedMessage] = []
    /// The session these prompts belong to.
    var sessionID: String?
    /// A `claude` process has started (the first start may continue a conversation).
    var started = false
    /// `--continue`: the prompts so far are read from the transcript once `system/init` names
    /// the session.
    var readsTranscriptAtInit = false
    /// The running turn used an edit tool.
    var turnUsedEditTool = false
    /// The last turn that changed files (what `/undo` restores).
    var lastChange: FileChange?

    /// Keeps the prompt's id and text only: an attached image's data is not needed to rewind
    /// and would otherwise stay in memory for the whole conversation.
    mutating func promptSent(_ prompt: QueuedMessage) {
        prompts.append(QueuedMessage(id: prompt.id, text: prompt.text, sequenceNumber: prompt.sequenceNumber))
        turnUsedEditTool = false
    }

    /// A new conversation (`prompts` empty) or a resumed one (its prompts from the transcript).
    mutating func reset(to prompts: [QueuedMessage] = [], sessionID: String? = nil) {
        self.prompts = prompts
        self.sessionID = sessionID
        lastChange = nil
    }

    /// A transcript's prompts with the uuids of their user lines (what `rewind_conversation`
    /// takes), numbered from 1.
    static func prompts(of transcript: Transcript) -> [QueuedMessage] {
        transcript.turns.enumerated().map { QueuedMessage(id: $1.uuid, text: $1.prompt, sequenceNumber: $0 + 1) }
    }

    /// `prompts[index]` and everything after it were removed from the conversation.
    mutating func rewound(toPromptAt index: Int) {
        prompts.removeSubrange(index...)
        if let change = lastChange, !prompts.contains(where: { $0.id == change.prompt.id }) { lastChange = nil }
    }
}

/// What files changed since a prompt, from a `rewind_files` dry run, in the user's terms:
/// paths relative to the working directory, lines added and removed by the change.
public struct FileChangeSummary: Sendable, Equatable {
    /// Paths relative to the working directory (absolute when outside it).
    public var files: [String]
    public var added: Int
    public var removed: Int
    /// The CLI can restore them (`canRewind`; false when file checkpointing is off).
    public var canRestore: Bool

    /// The dry run counts what *restoring* would do (a file the turn created, 1 line long,
    /// reads `deletions: 1`), so the change itself is the other way round.
    init(_ receipt: RewindFilesReceipt, workingDirectory: String) {
        let base = workingDirectory.hasSuffix("/") ? workingDirectory : workingDirectory + "/"
        files = receipt.filesChanged.map { InertText.make($0.hasPrefix(base) ? String($0.dropFirst(base.count)) : $0) }
        added = receipt.deletions ?? 0
        removed = receipt.insertions ?? 0
        canRestore = receipt.canRewind
    }

    /// Nothing to show: no file changed, or the CLI keeps no checkpoints to tell.
    public var isEmpty: Bool { files.isEmpty || !canRestore }

    /// `2 files changed, +40 −12: a.swift, b.swift`
    public var line: String {
        "\(files.count) file\(files.count == 1 ? "" : "s") changed, +\(added) −\(removed): " + files.joined(separator: ", ")
    }

    /// The summary as JSON fields.
    var fields: [String: JSONValue] {
        ["files": .array(files.map(JSONValue.string)), "added": .number(Double(added)), "removed": .number(Double(removed))]
    }
}
