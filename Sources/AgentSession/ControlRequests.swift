import StreamJSON

/// A typed control request: what Parley sends (``body``) and what the answer means
/// (``decode(_:)``). Send one with ``AgentSession/request(_:)``.
///
/// Adding a request is one small type in this file: its body (usually
/// `.other(subtype:fields:)`, encoded by `OutgoingMessage`) and how to read its answer.
/// See `../shared/protocol/CONTROL.md` for the requests the CLI knows.
public protocol ControlRequest: Sendable {
    /// What the answer is decoded into.
    associatedtype Response: Sendable
    /// The request as written to the CLI.
    var body: ControlRequestBody { get }
    /// Reads the `response` object of a successful answer; throws
    /// ``SessionError/unexpectedControlResponse(subtype:detail:)`` when it does not fit.
    func decode(_ response: JSONValue) throws(SessionError) -> Response
}

extension ControlRequest {
    /// The request's `subtype`.
    public var subtype: String { body.subtype }

    func unexpected(_ detail: String) -> SessionError {
        .unexpectedControlResponse(subtype: subtype, detail: detail)
    }
}

/// `initialize`: the CLI's commands, models and version.
public struct InitializeRequest: ControlRequest {
    public init() {}
    public var body: ControlRequestBody { .initialize }
    public func decode(_ response: JSONValue) throws(SessionError) -> SessionCapabilities {
        var learned = SessionCapabilities(
            commands: response["commands"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? [],
            models: response["models"]?.arrayValue?.compactMap { $0["value"]?.stringValue } ?? [],
            claudeCodeVersion: response["claude_code_version"]?.stringValue,
            permissionMode: response["current_permission_mode"]?.stringValue)
        learned.commandDetails = response["commands"]?.arrayValue?.compactMap { command in
            command["name"]?.stringValue.map {
                SessionCapabilities.Command(name: $0, description: command["description"]?.stringValue ?? "",
                                            argumentHint: command["argumentHint"]?.stringValue ?? "")
            }
        } ?? []
        return learned
    }
}

/// `interrupt`: ends the running turn (its `result` follows).
public struct InterruptRequest: ControlRequest {
    public init() {}
    public var body: ControlRequestBody { .interrupt }
    public func decode(_ response: JSONValue) throws(SessionError) {}
}

/// `set_model`: switches the model; answers with the model the CLI resolved.
public struct SetModelRequest: ControlRequest {
    /// `nil` restores the default model.
    public var model: String?
    public init(model: String?) { self.model = model }
    public var body: ControlRequestBody { .setModel(model) }
    public func decode(_ response: JSONValue) throws(SessionError) -> String {
        response["model"]?.stringValue ?? model ?? "default"
    }
}

/// `set_permission_mode`: switches the permission mode; answers with the mode now in force.
public struct SetPermissionModeRequest: ControlRequest {
    public var mode: String
    public init(mode: String) { self.mode = mode }
    public var body: ControlRequestBody { .setPermissionMode(mode) }
    public func decode(_ response: JSONValue) throws(SessionError) -> String {
        response["mode"]?.stringValue ?? mode
    }
}

/// `stop_task`: stops a background task the CLI reported (`system/task_started`); the CLI
/// then reports it ended (`task_notification`).
public struct StopTaskRequest: ControlRequest {
    /// The `task_id` of the task's `task_started` line.
    public var taskID: String
    public init(taskID: String) { self.taskID = taskID }
    public var body: ControlRequestBody { .other(subtype: "stop_task", fields: ["task_id": .string(taskID)]) }
    public func decode(_ response: JSONValue) throws(SessionError) {}
}

/// `get_context_usage`: how full the context window is.
public struct GetContextUsageRequest: ControlRequest {
    public init() {}
    public var body: ControlRequestBody { .other(subtype: "get_context_usage", fields: [:]) }
    public func decode(_ response: JSONValue) throws(SessionError) -> ContextUsage {
        guard let total = response["totalTokens"]?.intValue, let max = response["maxTokens"]?.intValue else {
            throw unexpected("no totalTokens/maxTokens")
        }
        let categories = response["categories"]?.arrayValue?.compactMap { category -> ContextUsage.Category? in
            guard let name = category["name"]?.stringValue, let tokens = category["tokens"]?.intValue else { return nil }
            return ContextUsage.Category(name: name, tokens: tokens, kind: category["kind"]?.stringValue)
        } ?? []
        return ContextUsage(totalTokens: total, maxTokens: max,
                            percentage: response["percentage"]?.doubleValue, categories: categories)
    }
}

/// The answer to ``GetContextUsageRequest``.
public struct ContextUsage: Sendable, Equatable {
    /// One slice of the context (system prompt, tools, messages, free space, …).
    public struct Category: Sendable, Equatable {
        public var name: String
        public var tokens: Int
        /// `used`, `buffer` or `free`.
        public var kind: String?
        public init(name: String, tokens: Int, kind: String? = nil) {
            self.name = name
            self.tokens = tokens
            self.kind = kind
        }
    }
    public var totalTokens: Int
    public var maxTokens: Int
    public var percentage: Double?
    public var categories: [Category]
    public init(totalTokens: Int, maxTokens: Int, percentage: Double?, categories: [Category]) {
        self.totalTokens = totalTokens
        self.maxTokens = maxTokens
        self.percentage = percentage
        self.categories = categories
    }
}

/// `rewind_files`: restores the files changed since a user message, or (`dryRun`) only
/// reports what would change. Needs `CLAUDE_CODE_ENABLE_SDK_FILE_CHECKPOINTING=true`.
public struct RewindFilesRequest: ControlRequest {
    /// The `uuid` Parley gave the user line (``QueuedMessage/id``).
    public var userMessageID: String
    public var dryRun: Bool
    public init(userMessageID: String, dryRun: Bool) {
        self.userMessageID = userMessageID
        self.dryRun = dryRun
    }
    public var body: ControlRequestBody {
        var fields: [String: JSONValue] = ["user_message_id": .string(userMessageID)]
        if dryRun { fields["dry_run"] = true }
        return .other(subtype: "rewind_files", fields: fields)
    }
    public func decode(_ response: JSONValue) throws(SessionError) -> RewindFilesReceipt {
        guard let canRewind = response["canRewind"]?.boolValue else { throw unexpected("no canRewind") }
        return RewindFilesReceipt(
            canRewind: canRewind,
            filesChanged: response["filesChanged"]?.arrayValue?.compactMap(\.stringValue) ?? [],
            insertions: response["insertions"]?.intValue, deletions: response["deletions"]?.intValue)
    }
}

/// The answer to ``RewindFilesRequest``.
public struct RewindFilesReceipt: Sendable, Equatable {
    /// Whether the CLI keeps checkpoints it can restore (false without file checkpointing).
    public var canRewind: Bool
    /// Absolute paths.
    public var filesChanged: [String]
    /// Lines restoring would add and remove: the reverse of the change itself (a file created
    /// since the message, one line long, reads `deletions: 1`).
    public var insertions: Int?
    public var deletions: Int?

    public init(canRewind: Bool, filesChanged: [String] = [], insertions: Int? = nil, deletions: Int? = nil) {
        self.canRewind = canRewind
        self.filesChanged = filesChanged
        self.insertions = insertions
        self.deletions = deletions
    }
}

/// `rewind_conversation`: removes a user message and everything after it from the
/// conversation; the next request to the model no longer carries them.
public struct RewindConversationRequest: ControlRequest {
    /// The `uuid` Parley gave the user line (``QueuedMessage/id``).
    public var targetMessageID: String
    /// The uuid of the last user line Parley sent: the CLI refuses a rewind over turns after
    /// the target unless the host says it has seen them (`stale_target`).
    public var lastSeenMessageID: String?
    public init(targetMessageID: String, lastSeenMessageID: String?) {
        self.targetMessageID = targetMessageID
        self.lastSeenMessageID = lastSeenMessageID
    }
    public var body: ControlRequestBody {
        var fields: [String: JSONValue] = ["target_message_uuid": .string(targetMessageID)]
        if let lastSeenMessageID { fields["last_seen_user_message_uuid"] = .string(lastSeenMessageID) }
        return .other(subtype: "rewind_conversation", fields: fields)
    }
    /// The text of the removed prompt (`prefillText`), to edit and send again.
    public func decode(_ response: JSONValue) throws(SessionError) -> String? {
        guard response["rewound"]?.boolValue == true else {
            throw unexpected("not rewound: " + (response["reason"]?.stringValue ?? response["error"]?.stringValue ?? response.compactText))
        }
        return response["prefillText"]?.stringValue
    }
}

/// `side_question`: asks the model a question beside the conversation (`/btw`); the CLI answers
/// at once, even while a turn runs, and the exchange is not added to the conversation.
public struct SideQuestionRequest: ControlRequest {
    public var question: String
    public init(question: String) { self.question = question }
    public var body: ControlRequestBody { .other(subtype: "side_question", fields: ["question": .string(question)]) }
    /// The answer's text.
    public func decode(_ response: JSONValue) throws(SessionError) -> String {
        guard let text = response["response"]?.stringValue else { throw unexpected("no response text") }
        return text
    }
}

/// `list_models`: the models the CLI offers, with what each is for. The CLI answers it from
/// its own catalog (no request to the API).
public struct ListModelsRequest: ControlRequest {
    public init() {}
    public var body: ControlRequestBody { .other(subtype: "list_models", fields: [:]) }
    /// The models in the CLI's order; entries without a `value` are left out.
    public func decode(_ response: JSONValue) throws(SessionError) -> [ModelOption] {
        guard let models = response["models"]?.arrayValue else { throw unexpected("no models") }
        return models.compactMap { model in
            model["value"]?.stringValue.map {
                ModelOption(value: $0, resolvedModel: model["resolvedModel"]?.stringValue,
                            displayName: model["displayName"]?.stringValue ?? $0,
                            description: model["description"]?.stringValue ?? "",
                            effortLevels: model["supportedEffortLevels"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            }
        }
    }
}

/// One model of ``ListModelsRequest``'s answer.
public struct ModelOption: Sendable, Equatable {
    /// What `set_model` (and `/model`) takes: `sonnet`, `default`, a full model id.
    public var value: String
    /// The model it stands for now (`claude-sonnet-5-5`).
    public var resolvedModel: String?
    public var displayName: String
    /// What it is for, as the CLI says it (`Sonnet 5.5 · Efficient for routine tasks · …`).
    public var description: String
    /// The effort levels it takes (`low` … `max`); empty when it takes none.
    public var effortLevels: [String]

    public init(value: String, resolvedModel: String? = nil, displayName: String, description: String = "",
                effortLevels: [String] = []) {
        self.value = value
        self.resolvedModel = resolvedModel
        self.displayName = displayName
        self.description = description
        self.effortLevels = effortLevels
    }
}
