import AgentSession
import Conversations
import StreamJSON
import Terminal

/// What a slash command may read and do: the narrow view of the app a command runs against.
///
/// ``SessionController`` provides it; a command never sees the controller, the session or the
/// console. To add a command, add one ``SlashCommand`` to ``CommandRegistry/standard`` in
/// `Commands/StandardCommands.swift`; add a capability here only when no existing one fits.
public protocol CommandContext: Sendable {
    /// The commands `/help` lists.
    var commands: [SlashCommand] { get }
    /// `claude`'s own commands that are passed to it, for `/help`.
    var claudeCommands: [SessionCapabilities.Command] { get async }

    // MARK: Output
    /// Writes one line of command output.
    func say(_ text: StyledText, kind: ConsoleLineKind) async
    /// Writes one error line (red in a terminal, an `error` object in JSON output).
    func sayError(_ message: String) async
    /// In `--output-format json` only: writes one object of `type` with `fields` (a command's
    /// result as data, e.g. `/status`).
    func report(type: String, fields: [String: JSONValue]) async

    // MARK: The session
    /// What `/status` shows: process, session, model, queue, turns.
    var snapshot: SessionSnapshot { get async }
    /// The conversation's cost so far, across restarts of `claude`.
    var conversationCostUSD: Double { get async }
    /// Interrupts the running turn; false when no turn runs.
    func interrupt() async -> Bool
    /// Restarts `claude`; the conversation continues unless `fresh`.
    func restart(fresh: Bool) async
    /// Ends the session and Parley (`/quit`).
    func requestQuit() async
    /// Sends the last message that went unanswered again; says so when there is none.
    func retryLastUnanswered() async
    /// How full the conversation's context is (the CLI's `get_context_usage`).
    func contextUsage() async throws(SessionError) -> ContextUsage
    /// Warns (once, until it falls back under) when `usage` is past ``ContextReport/warningPercentage``.
    func warnIfContextFull(_ usage: ContextUsage) async

    // MARK: Tasks
    /// The model's plan and the background tasks, as `/tasks` shows them.
    var taskBoardLines: [StyledText] { get async }
    /// The same as fields (JSON output).
    var taskBoardFields: [String: JSONValue] { get async }
    /// Stops a running background task (`stop_task`).
    func stopTask(id: String) async throws(TaskStopError)

    // MARK: The conversation (`/rewind`, `/undo`)
    /// This conversation's prompts, oldest first, with the uuids they were sent with.
    var conversationPrompts: [QueuedMessage] { get async }
    /// The last turn that changed files and what it changed; `nil` when none did (or `/undo`
    /// or `/rewind` already restored them).
    var lastFileChange: (prompt: QueuedMessage, change: FileChangeSummary)? { get async }
    /// Whether a process is up and no turn runs (conversation surgery waits for that).
    var isIdle: Bool { get async }
    /// What the files changed since `prompt` (a `rewind_files` dry run; nothing changes).
    func fileChanges(since prompt: QueuedMessage) async throws(SessionError) -> FileChangeSummary
    /// Restores the files changed since `prompt` (`rewind_files`).
    func restoreFiles(since prompt: QueuedMessage) async throws(SessionError)
    /// Removes `prompt` and everything after it from the conversation (`rewind_conversation`);
    /// returns the prompt's text.
    func rewindConversation(to prompt: QueuedMessage) async throws(SessionError) -> String
    /// Puts `text` on the edit line to change and send again; false when there is none
    /// (scripted use).
    func offerForEditing(_ text: String) async -> Bool

    // MARK: The queue
    var queuedMessages: [QueuedMessage] { get async }
    func dropQueued(at index: Int) async -> QueuedMessage?
    func clearQueue() async -> [QueuedMessage]
    /// The messages an earlier run queued and never sent (it was killed), waiting for `/queue restore`.
    var unsentFromLastRunTexts: [String] { get async }
    /// Sends the messages an earlier run left unsent, except those the CLI already took
    /// (their uuid is in the transcript). Returns how many were sent and how many skipped.
    func restoreUnsentFromLastRun() async -> (sent: Int, alreadyTaken: Int)
    /// Whether a line is being edited that ``putOnEditLine(_:)`` can fill (the interactive prompt).
    var hasEditLine: Bool { get async }
    /// Replaces the line being edited with `text` (`/queue edit N`); no effect without an edit line.
    func putOnEditLine(_ text: String) async
    /// Opens the line being edited in `$VISUAL`/`$EDITOR` (`/edit`); no effect without an edit line.
    func openExternalEditor() async

    // MARK: Settings
    /// The active persona's name.
    var personaName: String { get async }
    /// The configured personas, `default` first.
    var personas: [Persona] { get async }
    /// Switches persona (restarting `claude`); reports an unknown name itself.
    func switchPersona(to name: String, fresh: Bool) async
    /// The model names the CLI offered in its `initialize` answer.
    var knownModels: [String] { get async }
    /// Switches the model (`nil`: the default); returns the CLI's name for it.
    func setModel(_ name: String?) async throws(SessionError) -> String
    /// Switches the permission mode; returns the mode the CLI confirmed.
    func setPermissionMode(_ mode: String) async throws(SessionError) -> String
    /// Asks `question` beside the conversation (`side_question`); returns the answer, which
    /// does not enter the conversation. Does not wait for a running turn.
    func askSideQuestion(_ question: String) async throws(SessionError) -> String
    /// Shows thinking in full (`true`) or as an indicator; `nil` toggles. Returns the new setting.
    func setShowThinking(_ show: Bool?) async -> Bool
    /// The last file change shown (Edit, MultiEdit, Write) as its whole diff, made inert; `nil`
    /// when there was none (or the output is JSON).
    var lastDiff: [StyledText]? { get async }

    // MARK: Conversations
    /// Where Parley keeps conversation names and what `/copy` could not put on the clipboard.
    var conversationFiles: ConversationFiles { get }
    /// The conversations of the directory `claude` runs in.
    var conversationStore: ConversationStore { get async }
    /// Switches to `transcript`'s conversation (`claude` restarts with `--resume`) and shows
    /// its last turns again.
    func resumeConversation(_ transcript: Transcript, name: String?) async
    /// The last answer given in this run of Parley, if any.
    var lastAnswer: String? { get async }
    /// Puts `text` on the terminal's clipboard (OSC 52); false when the terminal cannot take it.
    func copyToClipboard(_ text: String) async -> Bool
    /// Writes information lines, or in JSON output the one object `json` instead.
    func report(_ lines: [StyledText], json: JSONValue) async
    /// The width command output is cut to.
    var lineWidth: Int { get async }
}

extension CommandContext {
    /// Writes one plain information line.
    func note(_ text: StyledText) async { await say(text, kind: .info) }
    /// Writes one information line, or in JSON output the object `json` instead.
    func report(_ line: StyledText, json: JSONValue) async { await report([line], json: json) }
    /// Writes one status line (dim in a terminal, stderr when scripted).
    func status(_ text: String) async { await say(StyledText(text, .dim), kind: .status) }
}

/// The interactive edit line as commands may change it (``LineEditor`` is one).
public protocol EditLineControl: Sendable {
    /// Replaces the line being edited with `text`.
    func replaceLine(with text: String)
    /// Opens the line being edited in `$VISUAL`/`$EDITOR`.
    func openExternalEditor()
}

extension LineEditor: EditLineControl {}
