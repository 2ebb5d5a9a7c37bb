import StreamJSON

/// A message the user asked to send, with the id that ties it to its turn.
public struct QueuedMessage: Sendable, Equatable, Identifiable {
    /// The `uuid` written with the line; the CLI echoes it in `result.user_message_uuids`.
    public let id: String
    /// The text exactly as given.
    public let text: String
    /// 1 for the first message of the session, then counting up.
    public let sequenceNumber: Int
    /// Images sent with the text, or a record-only line (``UserMessageExtras``).
    public let extras: UserMessageExtras

    public init(id: String, text: String, sequenceNumber: Int, extras: UserMessageExtras = .none) {
        self.id = id
        self.text = text
        self.sequenceNumber = sequenceNumber
        self.extras = extras
    }
}

/// How a child process ended.
public enum ExitStatus: Sendable, Equatable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    public var description: String {
        switch self {
        case .exited(let code): "exited with status \(code)"
        case .signaled(let signal): "killed by signal \(signal)\(Self.signalName(signal).map { " (\($0))" } ?? "")"
        }
    }

    static func signalName(_ signal: Int32) -> String? {
        switch signal {
        case 1: "SIGHUP"
        case 2: "SIGINT"
        case 6: "SIGABRT"
        case 9: "SIGKILL"
        case 11: "SIGSEGV"
        case 15: "SIGTERM"
        default: nil
        }
    }
}

/// Why a message did not get an answer.
public enum NotAnsweredReason: Sendable, Equatable, CustomStringConvertible {
    /// The process died during the message's turn. The resumed session holds the prompt
    /// followed by an empty answer; `/retry` sends it again.
    case processCrashed
    /// The user restarted the session (or switched persona) during the turn.
    case restarted
    /// The session was closed before the message could be sent or answered.
    case sessionClosed
    /// An interrupt did not settle and Parley had to stop the process.
    case interruptEscalated
    /// The turn was silent past the stall timeout, so Parley stopped it (scripted use).
    case stalled
    /// `claude` cannot run (it cannot be started, keeps crashing, or does not answer);
    /// nothing is sent until `/restart`.
    case sessionFailed

    public var description: String {
        switch self {
        case .processCrashed: "the claude process died during its turn"
        case .restarted: "the session was restarted during its turn"
        case .sessionClosed: "the session was closed"
        case .interruptEscalated: "the interrupt did not settle, so the process was stopped"
        case .stalled: "claude gave no output for too long (the stall timeout), so the turn was stopped"
        case .sessionFailed: "claude is not available (see the error above); /restart tries again"
        }
    }
}

/// What the CLI reported about itself in answer to `initialize`.
public struct SessionCapabilities: Sendable, Equatable {
    /// One of the CLI's own slash commands, as `initialize` describes it.
    public struct Command: Sendable, Equatable {
        public var name: String
        public var description: String
        public var argumentHint: String
        public init(name: String, description: String = "", argumentHint: String = "") {
            self.name = name
            self.description = description
            self.argumentHint = argumentHint
        }
    }

    /// Slash commands the CLI itself understands (without the slash).
    public var commands: [String]
    /// The same commands with their descriptions and argument hints.
    public var commandDetails: [Command] = []
    /// Model names a user can pick (`value` fields, e.g. `sonnet`).
    public var models: [String]
    public var claudeCodeVersion: String?
    public var permissionMode: String?

    public init(commands: [String] = [], models: [String] = [], claudeCodeVersion: String? = nil,
                permissionMode: String? = nil) {
        self.commands = commands
        self.models = models
        self.claudeCodeVersion = claudeCodeVersion
        self.permissionMode = permissionMode
    }
}

/// A `can_use_tool` question waiting for ``AgentSession/answerPermission(requestID:decision:)``.
public struct PendingPermission: Sendable, Equatable {
    public let requestID: String
    public let request: PermissionRequest

    public init(requestID: String, request: PermissionRequest) {
        self.requestID = requestID
        self.request = request
    }
}

/// The end of one user turn.
public struct TurnSummary: Sendable, Equatable {
    public let message: QueuedMessage
    public let result: TurnResult
    /// Wall time from writing the message to its `result`, measured by Parley.
    public let elapsed: Duration

    public init(message: QueuedMessage, result: TurnResult, elapsed: Duration) {
        self.message = message
        self.result = result
        self.elapsed = elapsed
    }
}

/// A status worth a line of its own.
public enum StatusUpdate: Sendable, Equatable {
    case apiRetry(APIRetry)
    case compacting
    case compacted(preTokens: Int?, postTokens: Int?)
    case permissionModeChanged(String)
    case permissionDenied(toolName: String, message: String?)
    case task(TaskEvent)
    case toolProgress(toolName: String?, elapsedSeconds: Double?)
    /// The CLI withdrew what it had streamed (an error mid-stream) and is asking again.
    case streamRestarted
    /// `/clear` started a new conversation; the next ``SessionEvent/sessionInitialized(_:)``
    /// carries its session id.
    case conversationReset
    /// Output of a CLI-local command such as `/compact` or a model change.
    case localCommandOutput(String)
    /// A `result` for other messages (`resultFor`, their uuids) arrived while `expected`'s
    /// turn ran; it was ignored, and the turn goes on.
    case unmatchedResult(expected: QueuedMessage, resultFor: [String])
}

/// Everything an ``AgentSession`` reports, in order, on ``AgentSession/events``.
public enum SessionEvent: Sendable, Equatable {
    /// A `claude` process was spawned. `resumedSessionID` is set when it resumes a conversation.
    case processStarted(pid: Int32, resumedSessionID: String?)
    /// The answer to `initialize`: commands, models, version.
    case capabilitiesLearned(SessionCapabilities)
    /// `system/init` (before every turn): session id, model, tools.
    case sessionInitialized(SessionInit)
    /// A message waits in Parley's queue behind a running turn.
    case messageQueued(QueuedMessage, position: Int)
    /// A message was written to the process and its turn began.
    case turnStarted(QueuedMessage)
    /// A piece of assistant text as it streams.
    case textDelta(String)
    /// A finished assistant text block. `alreadyStreamed` is true when its deltas were
    /// reported (so a renderer shows nothing new); `isError` marks synthetic API-error text.
    case assistantText(String, alreadyStreamed: Bool, isError: Bool)
    /// A thinking block began streaming.
    case thinkingStarted
    /// A finished text block of a subagent: its message's `parent_tool_use_id` names the
    /// Task/Agent call that runs it. Never streamed, never part of the reply.
    case subagentText(String, parentToolUseID: String)
    /// One model message of the running turn ended with this many output tokens (the API's
    /// count, from the `message_delta` stream event).
    case messageUsage(outputTokens: Int)
    /// A piece of thinking as it streams.
    case thinkingDelta(String)
    /// A finished thinking block.
    case thinking(String)
    /// The model called a tool.
    case toolUse(ToolUse)
    /// A tool finished.
    case toolResult(ToolResult)
    case status(StatusUpdate)
    /// The CLI asks whether a tool may run. Answer it, or the turn waits forever.
    case permissionRequested(PendingPermission)
    /// The CLI withdrew a permission question (the turn was interrupted).
    case permissionCancelled(requestID: String)
    /// A turn ended with its `result`.
    case turnCompleted(TurnSummary)
    /// A message that will get no answer, and why. Nothing is dropped silently.
    case messageNotAnswered(QueuedMessage, reason: NotAnsweredReason)
    /// A line on the child's stdout that was not JSON (reported, never fatal).
    case undecodableLine(UndecodableLine)
    /// No event for a while during a turn; the CLI may be hung.
    case stalled(silentFor: Duration, lastEvent: String)
    /// The process ended. `expected` is false for a crash; `stderrTail` holds its last stderr lines.
    case processExited(status: ExitStatus, expected: Bool, stderrTail: [String])
    /// Crash recovery: a new process starts after `delay` (attempt n of `maxAttempts`).
    case restarting(attempt: Int, maxAttempts: Int, delay: Duration)
    /// The session cannot go on without help (e.g. `claude` missing, or crashing on every start).
    case failed(SessionError)
    /// The session was terminated; no more events follow.
    case closed
}
