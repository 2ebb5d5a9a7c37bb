import Foundation

/// Turns one framed line into an ``IncomingMessage``.
///
/// Decoding never throws past this type: a line that is not a JSON object comes back as
/// an ``UndecodableLine`` carrying its text, for the caller to report. Unknown types and
/// unknown fields are tolerated, and key order never matters.
public struct MessageDecoder: Sendable {
    public init() {}

    /// Decodes one line's bytes (without its terminator).
    ///
    /// Frequent lines go through ``LineDecoder`` (validate, route on `type`, build only what
    /// the message keeps); anything it leaves, malformed lines included, through the full tree.
    public func decode(_ bytes: some Collection<UInt8>) -> Result<IncomingMessage, UndecodableLine> {
        let routed = bytes.withContiguousStorageIfAvailable { LineDecoder.decode($0) }
        if let message = routed ?? nil { return .success(message) }
        return decodeFullTree(bytes)
    }

    /// The reference path: the whole line as a ``JSONValue``, then ``message(from:)``.
    func decodeFullTree(_ bytes: some Collection<UInt8>) -> Result<IncomingMessage, UndecodableLine> {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            return .failure(Self.undecodable(Data(bytes), reason: "not valid JSON"))
        }
        guard case .object = value else {
            return .failure(Self.undecodable(Data(bytes), reason: "a JSON value that is not an object"))
        }
        return .success(Self.message(from: value))
    }

    /// Decodes a line given as text.
    public func decode(line: String) -> Result<IncomingMessage, UndecodableLine> {
        decode(Array(line.utf8))
    }

    private static func undecodable(_ data: Data, reason: String) -> UndecodableLine {
        let prefix = data.prefix(4096)
        let text = String(decoding: prefix, as: UTF8.self)
        return UndecodableLine(text: text, byteCount: data.count, reason: reason)
    }

    /// Maps a decoded JSON object to a typed message.
    public static func message(from value: JSONValue) -> IncomingMessage {
        let type = value["type"]?.stringValue
        switch type {
        case "system": return .system(system(value))
        case "stream_event": return .streamEvent(streamEvent(value["event"] ?? .null, line: value))
        case "assistant": return .assistant(assistant(value))
        case "user": return .user(user(value))
        case "result": return .result(result(value))
        case "control_request":
            guard let id = value["request_id"]?.stringValue else { return .unknown(type: type, raw: value) }
            return .controlRequest(controlRequest(id: id, value["request"] ?? .null))
        case "control_response":
            return .controlResponse(controlResponse(value["response"] ?? .null))
        case "control_cancel_request":
            return .controlCancelRequest(requestID: value["request_id"]?.stringValue ?? "")
        case "command_lifecycle":
            return .commandLifecycle(CommandLifecycle(
                commandUUID: value["command_uuid"]?.stringValue ?? "", state: value["state"]?.stringValue ?? ""))
        case "conversation_reset":
            guard let id = value["new_conversation_id"]?.stringValue else { return .unknown(type: type, raw: value) }
            return .conversationReset(newSessionID: id)
        case "tool_progress":
            return .toolProgress(ToolProgress(
                toolName: value["tool_name"]?.stringValue, elapsedSeconds: value["elapsed_time_seconds"]?.doubleValue))
        default:
            return .unknown(type: type, raw: value)
        }
    }

    private static func system(_ value: JSONValue) -> SystemMessage {
        let subtype = value["subtype"]?.stringValue
        switch subtype {
        case "init":
            guard let sessionID = value["session_id"]?.stringValue else { return .other(subtype: subtype, raw: value) }
            return .initialized(SessionInit(
                sessionID: sessionID,
                model: value["model"]?.stringValue ?? "",
                permissionMode: value["permissionMode"]?.stringValue,
                tools: value["tools"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                cwd: value["cwd"]?.stringValue,
                slashCommands: value["slash_commands"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                claudeCodeVersion: value["claude_code_version"]?.stringValue))
        case "status":
            return .status(SessionStatus(
                status: value["status"]?.stringValue, permissionMode: value["permissionMode"]?.stringValue))
        case "api_retry":
            return .apiRetry(APIRetry(
                attempt: value["attempt"]?.intValue ?? 0,
                maxRetries: value["max_retries"]?.intValue ?? 0,
                retryDelayMilliseconds: value["retry_delay_ms"]?.doubleValue ?? 0,
                errorStatus: value["error_status"]?.intValue,
                error: value["error"]?.stringValue))
        case "compact_boundary":
            let metadata = value["compact_metadata"]
            return .compactBoundary(
                preTokens: metadata?["pre_tokens"]?.intValue, postTokens: metadata?["post_tokens"]?.intValue)
        case "permission_denied":
            return .permissionDenied(
                toolName: value["tool_name"]?.stringValue ?? "",
                toolUseID: value["tool_use_id"]?.stringValue,
                message: value["message"]?.stringValue)
        case "task_started", "task_updated", "task_notification":
            let patch = value["patch"]
            return .task(TaskEvent(
                kind: subtype ?? "",
                taskID: value["task_id"]?.stringValue,
                description: value["description"]?.stringValue ?? value["summary"]?.stringValue,
                status: value["status"]?.stringValue ?? patch?["status"]?.stringValue,
                taskType: value["task_type"]?.stringValue))
        case "session_state_changed":
            return .sessionStateChanged(state: value["state"]?.stringValue ?? "")
        default:
            return .other(subtype: subtype, raw: value)
        }
    }

    private static func streamEvent(_ event: JSONValue, line: JSONValue) -> StreamEvent {
        let type = event["type"]?.stringValue
        switch type {
        case "message_start":
            return .messageStart(messageID: event["message"]?["id"]?.stringValue)
        case "content_block_start":
            let block = event["content_block"]
            let kind: StreamedBlockKind
            switch block?["type"]?.stringValue {
            case "text": kind = .text
            case "thinking", "redacted_thinking": kind = .thinking
            case "tool_use", "server_tool_use":
                kind = .toolUse(id: block?["id"]?.stringValue ?? "", name: block?["name"]?.stringValue ?? "")
            case let other: kind = .other(other ?? "")
            }
            return .contentBlockStart(index: event["index"]?.intValue ?? 0, block: kind)
        case "content_block_delta":
            let delta = event["delta"]
            let decoded: ContentDelta
            switch delta?["type"]?.stringValue {
            case "text_delta": decoded = .text(delta?["text"]?.stringValue ?? "")
            case "thinking_delta": decoded = .thinking(delta?["thinking"]?.stringValue ?? "")
            case "input_json_delta": decoded = .inputJSON(delta?["partial_json"]?.stringValue ?? "")
            case "signature_delta": decoded = .signature
            case let other: decoded = .other(other ?? "")
            }
            return .contentBlockDelta(index: event["index"]?.intValue ?? 0, delta: decoded)
        case "content_block_stop":
            return .contentBlockStop(index: event["index"]?.intValue ?? 0)
        case "message_delta":
            return .messageDelta(stopReason: event["delta"]?["stop_reason"]?.stringValue)
        case "message_stop":
            // `abandoned_blocks` is on the stream_event line itself, beside `event`.
            let marker = line["abandoned_blocks"] ?? event["abandoned_blocks"]
            let abandoned = marker.map { !$0.isNull } ?? false
            return .messageStop(abandoned: abandoned)
        default:
            return .other(type: type, raw: event)
        }
    }

    private static func contentBlocks(_ content: JSONValue?) -> [ContentBlock] {
        switch content {
        case .string(let text)?: return [.text(text)]
        case .array(let blocks)?: return blocks.map(contentBlock)
        default: return []
        }
    }

    private static func contentBlock(_ block: JSONValue) -> ContentBlock {
        let type = block["type"]?.stringValue ?? ""
        switch type {
        case "text": return .text(block["text"]?.stringValue ?? "")
        case "thinking": return .thinking(block["thinking"]?.stringValue ?? "")
        case "tool_use", "server_tool_use":
            return .toolUse(ToolUse(
                id: block["id"]?.stringValue ?? "", name: block["name"]?.stringValue ?? "",
                input: block["input"] ?? .object([:])))
        case "tool_result":
            return .toolResult(ToolResult(
                toolUseID: block["tool_use_id"]?.stringValue ?? "",
                content: flattenedText(block["content"]),
                isError: block["is_error"]?.boolValue ?? false))
        default:
            return .other(type: type, raw: block)
        }
    }

    /// Tool result content is a string or a list of blocks; this makes it one text.
    static func flattenedText(_ content: JSONValue?) -> String {
        switch content {
        case .string(let text)?: return text
        case .array(let blocks)?:
            return blocks.map { block -> String in
                switch block["type"]?.stringValue {
                case "text": return block["text"]?.stringValue ?? ""
                case "image": return "[image]"
                case let other: return "[\(other ?? "block")]"
                }
            }.joined(separator: "\n")
        case nil, .null?: return ""
        case let other?: return other.compactText
        }
    }

    private static func assistant(_ value: JSONValue) -> AssistantMessage {
        let message = value["message"]
        return AssistantMessage(
            messageID: message?["id"]?.stringValue,
            model: message?["model"]?.stringValue,
            content: contentBlocks(message?["content"]),
            error: value["error"]?.stringValue,
            parentToolUseID: value["parent_tool_use_id"]?.stringValue)
    }

    private static func user(_ value: JSONValue) -> UserMessage {
        UserMessage(
            content: contentBlocks(value["message"]?["content"]),
            isReplay: value["isReplay"]?.boolValue ?? false,
            uuid: value["uuid"]?.stringValue,
            parentToolUseID: value["parent_tool_use_id"]?.stringValue)
    }

    private static func result(_ value: JSONValue) -> TurnResult {
        let usage = value["usage"]
        return TurnResult(
            subtype: value["subtype"]?.stringValue ?? "",
            isError: value["is_error"]?.boolValue ?? false,
            text: value["result"]?.stringValue,
            stopReason: value["stop_reason"]?.stringValue,
            terminalReason: value["terminal_reason"]?.stringValue,
            numberOfTurns: value["num_turns"]?.intValue ?? 0,
            durationMilliseconds: value["duration_ms"]?.doubleValue ?? 0,
            apiDurationMilliseconds: value["duration_api_ms"]?.doubleValue ?? 0,
            totalCostUSD: value["total_cost_usd"]?.doubleValue ?? 0,
            inputTokens: TurnResult.saturatingSum(
                usage?["input_tokens"]?.intValue, usage?["cache_read_input_tokens"]?.intValue,
                usage?["cache_creation_input_tokens"]?.intValue),
            outputTokens: usage?["output_tokens"]?.intValue ?? 0,
            sessionID: value["session_id"]?.stringValue,
            userMessageUUIDs: value["user_message_uuids"]?.arrayValue?.compactMap(\.stringValue) ?? [],
            errors: value["errors"]?.arrayValue?.compactMap(\.stringValue) ?? [],
            apiErrorStatus: value["api_error_status"]?.intValue)
    }

    private static func controlRequest(id: String, _ request: JSONValue) -> IncomingControlRequest {
        let subtype = request["subtype"]?.stringValue
        guard subtype == "can_use_tool" else {
            return IncomingControlRequest(requestID: id, body: .other(subtype: subtype, raw: request))
        }
        return IncomingControlRequest(requestID: id, body: .canUseTool(PermissionRequest(
            toolName: request["tool_name"]?.stringValue ?? "",
            displayName: request["display_name"]?.stringValue,
            input: request["input"] ?? .object([:]),
            description: request["description"]?.stringValue,
            toolUseID: request["tool_use_id"]?.stringValue,
            decisionReason: request["decision_reason"]?.stringValue,
            suggestions: request["permission_suggestions"]?.arrayValue ?? [],
            requiresUserInteraction: request["requires_user_interaction"]?.boolValue ?? false)))
    }

    private static func controlResponse(_ response: JSONValue) -> ControlResponse {
        let id = response["request_id"]?.stringValue
        if response["subtype"]?.stringValue == "error" {
            return ControlResponse(requestID: id, outcome: .error(
                message: response["error"]?.stringValue ?? "unknown error",
                code: response["error_code"]?.stringValue))
        }
        return ControlResponse(requestID: id, outcome: .success(response["response"] ?? .null))
    }
}
