import AgentSession
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

    // MARK: The queue
    var queuedMessages: [QueuedMessage] { get async }
    func dropQueued(at index: Int) async -> QueuedMessage?
    func clearQueue() async -> [QueuedMessage]

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
    /// Shows thinking in full (`true`) or as an indicator; `nil` toggles. Returns the new setting.
    func setShowThinking(_ show: Bool?) async -> Bool
}

extension CommandContext {
    /// Writes one plain information line.
    func note(_ text: StyledText) async { await say(text, kind: .info) }
    /// Writes one status line (dim in a terminal, stderr when scripted).
    func status(_ text: String) async { await say(StyledText(text, .dim), kind: .status) }
}
