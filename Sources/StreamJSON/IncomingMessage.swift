/// One line the CLI wrote on stdout, decoded.
///
/// Every known `type` has a case with the fields a client needs; anything else is kept
/// whole in ``unknown(type:raw:)`` so that a newer CLI never breaks Parley. Known
/// messages also keep their raw JSON where a consumer may want more than is modelled.
public enum IncomingMessage: Sendable, Equatable {
    case system(SystemMessage)
    case streamEvent(StreamEvent)
    case assistant(AssistantMessage)
    case user(UserMessage)
    case result(TurnResult)
    case controlRequest(IncomingControlRequest)
    case controlResponse(ControlResponse)
    case controlCancelRequest(requestID: String)
    case commandLifecycle(CommandLifecycle)
    case conversationReset(newSessionID: String)
    case toolProgress(ToolProgress)
    /// A well-formed JSON object whose `type` Parley does not know.
    case unknown(type: String?, raw: JSONValue)
}

/// A line from the child that could not be decoded as a JSON object.
public struct UndecodableLine: Sendable, Equatable, Error {
    /// The line as text (invalid UTF-8 replaced), truncated to 4 KiB for display.
    public let text: String
    /// The line's full length in bytes.
    public let byteCount: Int
    /// Why it could not be decoded.
    public let reason: String

    public init(text: String, byteCount: Int, reason: String) {
        self.text = text
        self.byteCount = byteCount
        self.reason = reason
    }
}

// MARK: - system

/// A `system` line, by subtype.
public enum SystemMessage: Sendable, Equatable {
    case initialized(SessionInit)
    case status(SessionStatus)
    case apiRetry(APIRetry)
    case compactBoundary(preTokens: Int?, postTokens: Int?)
    case permissionDenied(toolName: String, toolUseID: String?, message: String?)
    case task(TaskEvent)
    case sessionStateChanged(state: String)
    case other(subtype: String?, raw: JSONValue)
}

/// `system/init`: sent before every turn.
public struct SessionInit: Sendable, Equatable {
    public var sessionID: String
    public var model: String
    public var permissionMode: String?
    public var tools: [String]
    public var cwd: String?
    public var slashCommands: [String]
    public var claudeCodeVersion: String?

    public init(sessionID: String, model: String, permissionMode: String? = nil, tools: [String] = [],
                cwd: String? = nil, slashCommands: [String] = [], claudeCodeVersion: String? = nil) {
        self.sessionID = sessionID
        self.model = model
        self.permissionMode = permissionMode
        self.tools = tools
        self.cwd = cwd
        self.slashCommands = slashCommands
        self.claudeCodeVersion = claudeCodeVersion
    }
}

/// `system/status`: `requesting`, `compacting`, `compact_result`, or a permission-mode change.
public struct SessionStatus: Sendable, Equatable {
    public var status: String?
    public var permissionMode: String?
    public init(status: String?, permissionMode: String?) {
        self.status = status
        self.permissionMode = permissionMode
    }
}

/// `system/api_retry`: the CLI is about to retry a failed API call.
public struct APIRetry: Sendable, Equatable {
    public var attempt: Int
    public var maxRetries: Int
    public var retryDelayMilliseconds: Double
    public var errorStatus: Int?
    public var error: String?
    public init(attempt: Int, maxRetries: Int, retryDelayMilliseconds: Double, errorStatus: Int?, error: String?) {
        self.attempt = attempt
        self.maxRetries = maxRetries
        self.retryDelayMilliseconds = retryDelayMilliseconds
        self.errorStatus = errorStatus
        self.error = error
    }
}

/// `system/task_started`, `task_updated`, `task_notification`: subagents and long tools.
public struct TaskEvent: Sendable, Equatable {
    public var kind: String
    public var taskID: String?
    public var description: String?
    public var status: String?
    public var taskType: String?
    public init(kind: String, taskID: String?, description: String?, status: String?, taskType: String?) {
        self.kind = kind
        self.taskID = taskID
        self.description = description
        self.status = status
        self.taskType = taskType
    }
}

/// `tool_progress`: a heartbeat for a long-running tool.
public struct ToolProgress: Sendable, Equatable {
    public var toolName: String?
    public var elapsedSeconds: Double?
    public init(toolName: String?, elapsedSeconds: Double?) {
        self.toolName = toolName
        self.elapsedSeconds = elapsedSeconds
    }
}

/// `command_lifecycle`: progress of an input line that carried a `uuid`.
public struct CommandLifecycle: Sendable, Equatable {
    public var commandUUID: String
    public var state: String
    public init(commandUUID: String, state: String) {
        self.commandUUID = commandUUID
        self.state = state
    }
}

// MARK: - stream_event

/// A raw Messages-API server-sent event, forwarded by `--include-partial-messages`.
public enum StreamEvent: Sendable, Equatable {
    case messageStart(messageID: String?)
    case contentBlockStart(index: Int, block: StreamedBlockKind)
    case contentBlockDelta(index: Int, delta: ContentDelta)
    case contentBlockStop(index: Int)
    /// The message's end: its stop reason and its `usage.output_tokens` (the API's count for the
    /// whole message).
    case messageDelta(stopReason: String?, outputTokens: Int?)
    /// `abandoned` is true when the CLI withdraws what was streamed for this message
    /// (an SSE error mid-stream); the authoritative `assistant` line follows.
    case messageStop(abandoned: Bool)
    case other(type: String?, raw: JSONValue)
}

/// The kind of a content block as announced by `content_block_start`.
public enum StreamedBlockKind: Sendable, Equatable {
    case text
    case thinking
    case toolUse(id: String, name: String)
    case other(String)
}

/// One incremental piece of a content block.
public enum ContentDelta: Sendable, Equatable {
    case text(String)
    case thinking(String)
    case inputJSON(String)
    case signature
    case other(String)
}

// MARK: - assistant / user

/// A content block of an assistant or user message.
public enum ContentBlock: Sendable, Equatable {
    case text(String)
    case thinking(String)
    case toolUse(ToolUse)
    case toolResult(ToolResult)
    case other(type: String, raw: JSONValue)
}

/// A tool call the model made.
public struct ToolUse: Sendable, Equatable {
    public var id: String
    public var name: String
    public var input: JSONValue
    /// The Task/Agent call whose subagent made this call (its message's `parent_tool_use_id`).
    public var parentToolUseID: String?
    public init(id: String, name: String, input: JSONValue, parentToolUseID: String? = nil) {
        self.id = id
        self.name = name
        self.input = input
        self.parentToolUseID = parentToolUseID
    }
}

/// The result of a tool call, as the CLI reports it.
public struct ToolResult: Sendable, Equatable {
    public var toolUseID: String
    /// The result flattened to text (text blocks joined; other blocks described).
    public var content: String
    public var isError: Bool
    /// The Task/Agent call whose subagent made the call (its message's `parent_tool_use_id`).
    public var parentToolUseID: String?
    public init(toolUseID: String, content: String, isError: Bool, parentToolUseID: String? = nil) {
        self.toolUseID = toolUseID
        self.content = content
        self.isError = isError
        self.parentToolUseID = parentToolUseID
    }
}

/// An `assistant` line: one finished content block (several share a message id).
public struct AssistantMessage: Sendable, Equatable {
    public var messageID: String?
    public var model: String?
    public var content: [ContentBlock]
    /// Set for synthetic error messages (`server_error`, `rate_limit`, …).
    public var error: String?
    public var parentToolUseID: String?
    public init(messageID: String?, model: String?, content: [ContentBlock], error: String?, parentToolUseID: String?) {
        self.messageID = messageID
        self.model = model
        self.content = content
        self.error = error
        self.parentToolUseID = parentToolUseID
    }
}

/// A `user` line: tool results, interrupt markers, replays and local-command output.
public struct UserMessage: Sendable, Equatable {
    public var content: [ContentBlock]
    public var isReplay: Bool
    public var uuid: String?
    public var parentToolUseID: String?
    public init(content: [ContentBlock], isReplay: Bool, uuid: String?, parentToolUseID: String?) {
        self.content = content
        self.isReplay = isReplay
        self.uuid = uuid
        self.parentToolUseID = parentToolUseID
    }
}

// MARK: - result

/// The `result` line that ends a turn.
public struct TurnResult: Sendable, Equatable {
    /// `success`, `error_during_execution`, `error_max_turns`, …
    public var subtype: String
    /// True for every failure, including API errors reported with subtype `success`.
    public var isError: Bool
    /// The final text (absent for some error subtypes).
    public var text: String?
    public var stopReason: String?
    /// `completed`, `api_error`, `aborted_streaming`, `aborted_tools`, `max_turns`, …
    public var terminalReason: String?
    public var numberOfTurns: Int
    public var durationMilliseconds: Double
    public var apiDurationMilliseconds: Double
    /// Accumulated over the whole session, not per turn.
    public var totalCostUSD: Double
    public var inputTokens: Int
    public var outputTokens: Int
    public var sessionID: String?
    public var userMessageUUIDs: [String]
    public var errors: [String]
    public var apiErrorStatus: Int?

    public init(subtype: String, isError: Bool, text: String? = nil, stopReason: String? = nil,
                terminalReason: String? = nil, numberOfTurns: Int = 0, durationMilliseconds: Double = 0,
                apiDurationMilliseconds: Double = 0, totalCostUSD: Double = 0, inputTokens: Int = 0,
                outputTokens: Int = 0, sessionID: String? = nil, userMessageUUIDs: [String] = [],
                errors: [String] = [], apiErrorStatus: Int? = nil) {
        self.subtype = subtype
        self.isError = isError
        self.text = text
        self.stopReason = stopReason
        self.terminalReason = terminalReason
        self.numberOfTurns = numberOfTurns
        self.durationMilliseconds = durationMilliseconds
        self.apiDurationMilliseconds = apiDurationMilliseconds
        self.totalCostUSD = totalCostUSD
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.sessionID = sessionID
        self.userMessageUUIDs = userMessageUUIDs
        self.errors = errors
        self.apiErrorStatus = apiErrorStatus
    }

    /// True when the turn was cut short by an interrupt.
    public var wasInterrupted: Bool {
        terminalReason == "aborted_streaming" || terminalReason == "aborted_tools"
    }

    /// The sum of the token counts that are present, saturating at `Int.max` (each count can
    /// fit while their sum does not: the CLI's numbers are not trusted to be sane).
    static func saturatingSum(_ counts: Int?...) -> Int {
        var total = 0
        for case let count? in counts {
            let (sum, overflow) = total.addingReportingOverflow(count)
            total = overflow ? (count > 0 ? Int.max : Int.min) : sum
        }
        return total
    }
}

// MARK: - control

/// A request the CLI sends to the host (`control_request`).
public struct IncomingControlRequest: Sendable, Equatable {
    public var requestID: String
    public var body: Body

    public enum Body: Sendable, Equatable {
        case canUseTool(PermissionRequest)
        case other(subtype: String?, raw: JSONValue)
    }

    public init(requestID: String, body: Body) {
        self.requestID = requestID
        self.body = body
    }
}

/// `can_use_tool`: the CLI asks whether a tool call may run.
public struct PermissionRequest: Sendable, Equatable {
    public var toolName: String
    public var displayName: String?
    public var input: JSONValue
    public var description: String?
    public var toolUseID: String?
    public var decisionReason: String?
    /// The CLI's own suggestions (e.g. `setMode acceptEdits`, `addRules`), passed back verbatim for "always".
    public var suggestions: [JSONValue]
    public var requiresUserInteraction: Bool

    public init(toolName: String, displayName: String? = nil, input: JSONValue, description: String? = nil,
                toolUseID: String? = nil, decisionReason: String? = nil, suggestions: [JSONValue] = [],
                requiresUserInteraction: Bool = false) {
        self.toolName = toolName
        self.displayName = displayName
        self.input = input
        self.description = description
        self.toolUseID = toolUseID
        self.decisionReason = decisionReason
        self.suggestions = suggestions
        self.requiresUserInteraction = requiresUserInteraction
    }
}

/// The CLI's answer to a control request Parley sent.
public struct ControlResponse: Sendable, Equatable {
    public var requestID: String?
    public var outcome: Outcome

    public enum Outcome: Sendable, Equatable {
        case success(JSONValue)
        case error(message: String, code: String?)
    }

    public init(requestID: String?, outcome: Outcome) {
        self.requestID = requestID
        self.outcome = outcome
    }
}
