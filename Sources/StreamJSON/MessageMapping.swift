/// The stream-json protocol mapping: which fields of a line make which ``IncomingMessage``.
///
/// Written once, against ``JSONView``, so that the route-first path (over ``LineView``) and
/// the full tree (over ``JSONValue``) cannot drift apart. Unknown types, subtypes and fields
/// are tolerated; key order never matters; a field of the wrong kind reads as absent.
enum MessageMapping {
    /// The message on a line that is a JSON object.
    static func message<Line: JSONView>(_ line: Line) -> IncomingMessage {
        let type = line.field(named: "type")
        if `is`(type, "stream_event") {
            return .streamEvent(line.field(named: "event").map { streamEvent($0, line: line) } ?? .other(type: nil, raw: .null))
        }
        if `is`(type, "assistant") { return .assistant(assistant(line)) }
        if `is`(type, "user") { return .user(user(line)) }
        if `is`(type, "system") { return .system(system(line)) }
        if `is`(type, "result") { return .result(result(line)) }
        if `is`(type, "command_lifecycle") {
            return .commandLifecycle(CommandLifecycle(
                commandUUID: line.field(named: "command_uuid")?.stringValue ?? "",
                state: line.field(named: "state")?.stringValue ?? ""))
        }
        if `is`(type, "control_request"), let id = line.field(named: "request_id")?.stringValue {
            return .controlRequest(controlRequest(id: id, line.field(named: "request")))
        }
        if `is`(type, "control_response") {
            return .controlResponse(controlResponse(line.field(named: "response")))
        }
        if `is`(type, "control_cancel_request") {
            return .controlCancelRequest(requestID: line.field(named: "request_id")?.stringValue ?? "")
        }
        if `is`(type, "conversation_reset"), let id = line.field(named: "new_conversation_id")?.stringValue {
            return .conversationReset(newSessionID: id)
        }
        if `is`(type, "tool_progress") {
            return .toolProgress(ToolProgress(
                toolName: line.field(named: "tool_name")?.stringValue,
                elapsedSeconds: line.field(named: "elapsed_time_seconds")?.doubleValue))
        }
        return .unknown(type: type?.stringValue, raw: line.json)
    }

    /// True when `value` is the string `text`.
    private static func `is`<View: JSONView>(_ value: View?, _ text: StaticString) -> Bool {
        value?.isString(text) ?? false
    }

    // MARK: system

    private static func system<Line: JSONView>(_ line: Line) -> SystemMessage {
        let subtype = line.field(named: "subtype")
        if `is`(subtype, "init"), let sessionID = line.field(named: "session_id")?.stringValue {
            return .initialized(SessionInit(
                sessionID: sessionID,
                model: line.field(named: "model")?.stringValue ?? "",
                permissionMode: line.field(named: "permissionMode")?.stringValue,
                tools: line.field(named: "tools")?.strings ?? [],
                cwd: line.field(named: "cwd")?.stringValue,
                slashCommands: line.field(named: "slash_commands")?.strings ?? [],
                claudeCodeVersion: line.field(named: "claude_code_version")?.stringValue))
        }
        if `is`(subtype, "status") {
            return .status(SessionStatus(
                status: line.field(named: "status")?.stringValue,
                permissionMode: line.field(named: "permissionMode")?.stringValue))
        }
        if `is`(subtype, "session_state_changed") {
            return .sessionStateChanged(state: line.field(named: "state")?.stringValue ?? "")
        }
        if `is`(subtype, "api_retry") {
            return .apiRetry(APIRetry(
                attempt: line.field(named: "attempt")?.intValue ?? 0,
                maxRetries: line.field(named: "max_retries")?.intValue ?? 0,
                retryDelayMilliseconds: line.field(named: "retry_delay_ms")?.doubleValue ?? 0,
                errorStatus: line.field(named: "error_status")?.intValue,
                error: line.field(named: "error")?.stringValue))
        }
        if `is`(subtype, "compact_boundary") {
            let metadata = line.field(named: "compact_metadata")
            return .compactBoundary(
                preTokens: metadata?.field(named: "pre_tokens")?.intValue,
                postTokens: metadata?.field(named: "post_tokens")?.intValue)
        }
        if `is`(subtype, "permission_denied") {
            return .permissionDenied(
                toolName: line.field(named: "tool_name")?.stringValue ?? "",
                toolUseID: line.field(named: "tool_use_id")?.stringValue,
                message: line.field(named: "message")?.stringValue)
        }
        if `is`(subtype, "task_started") || `is`(subtype, "task_updated") || `is`(subtype, "task_notification") {
            return .task(TaskEvent(
                kind: subtype?.stringValue ?? "",
                taskID: line.field(named: "task_id")?.stringValue,
                description: line.field(named: "description")?.stringValue ?? line.field(named: "summary")?.stringValue,
                status: line.field(named: "status")?.stringValue
                    ?? line.field(named: "patch")?.field(named: "status")?.stringValue,
                taskType: line.field(named: "task_type")?.stringValue))
        }
        return .other(subtype: subtype?.stringValue, raw: line.json)
    }

    // MARK: stream_event

    private static func streamEvent<View: JSONView>(_ event: View, line: View) -> StreamEvent {
        let type = event.field(named: "type")
        if `is`(type, "content_block_delta") {
            return .contentBlockDelta(
                index: event.field(named: "index")?.intValue ?? 0, delta: contentDelta(event.field(named: "delta")))
        }
        if `is`(type, "content_block_start") {
            return .contentBlockStart(
                index: event.field(named: "index")?.intValue ?? 0, block: blockKind(event.field(named: "content_block")))
        }
        if `is`(type, "content_block_stop") {
            return .contentBlockStop(index: event.field(named: "index")?.intValue ?? 0)
        }
        if `is`(type, "message_start") {
            return .messageStart(messageID: event.field(named: "message")?.field(named: "id")?.stringValue)
        }
        if `is`(type, "message_delta") {
            return .messageDelta(
                stopReason: event.field(named: "delta")?.field(named: "stop_reason")?.stringValue,
                outputTokens: event.field(named: "usage")?.field(named: "output_tokens")?.intValue)
        }
        if `is`(type, "message_stop") {
            // `abandoned_blocks` is on the stream_event line itself, beside `event`.
            let marker = line.field(named: "abandoned_blocks") ?? event.field(named: "abandoned_blocks")
            return .messageStop(abandoned: marker.map { !$0.isNull } ?? false)
        }
        return .other(type: type?.stringValue, raw: event.json)
    }

    private static func contentDelta<View: JSONView>(_ delta: View?) -> ContentDelta {
        let type = delta?.field(named: "type")
        if `is`(type, "text_delta") { return .text(delta?.field(named: "text")?.stringValue ?? "") }
        if `is`(type, "thinking_delta") { return .thinking(delta?.field(named: "thinking")?.stringValue ?? "") }
        if `is`(type, "input_json_delta") { return .inputJSON(delta?.field(named: "partial_json")?.stringValue ?? "") }
        if `is`(type, "signature_delta") { return .signature }
        return .other(type?.stringValue ?? "")
    }

    private static func blockKind<View: JSONView>(_ block: View?) -> StreamedBlockKind {
        let type = block?.field(named: "type")
        if `is`(type, "text") { return .text }
        if `is`(type, "thinking") || `is`(type, "redacted_thinking") { return .thinking }
        if `is`(type, "tool_use") || `is`(type, "server_tool_use") {
            return .toolUse(
                id: block?.field(named: "id")?.stringValue ?? "", name: block?.field(named: "name")?.stringValue ?? "")
        }
        return .other(type?.stringValue ?? "")
    }

    // MARK: assistant, user

    private static func assistant<Line: JSONView>(_ line: Line) -> AssistantMessage {
        let message = line.field(named: "message")
        return AssistantMessage(
            messageID: message?.field(named: "id")?.stringValue,
            model: message?.field(named: "model")?.stringValue,
            content: contentBlocks(message?.field(named: "content")),
            error: line.field(named: "error")?.stringValue,
            parentToolUseID: line.field(named: "parent_tool_use_id")?.stringValue)
    }

    private static func user<Line: JSONView>(_ line: Line) -> UserMessage {
        UserMessage(
            content: contentBlocks(line.field(named: "message")?.field(named: "content")),
            isReplay: line.field(named: "isReplay")?.boolValue ?? false,
            uuid: line.field(named: "uuid")?.stringValue,
            parentToolUseID: line.field(named: "parent_tool_use_id")?.stringValue)
    }

    /// Message content is a string or a list of blocks.
    private static func contentBlocks<View: JSONView>(_ content: View?) -> [ContentBlock] {
        if let text = content?.stringValue { return [.text(text)] }
        return content?.arrayValue?.map { contentBlock($0) } ?? []
    }

    private static func contentBlock<View: JSONView>(_ block: View) -> ContentBlock {
        let type = block.field(named: "type")
        if `is`(type, "text") { return .text(block.field(named: "text")?.stringValue ?? "") }
        if `is`(type, "thinking") { return .thinking(block.field(named: "thinking")?.stringValue ?? "") }
        if `is`(type, "tool_use") || `is`(type, "server_tool_use") {
            return .toolUse(ToolUse(
                id: block.field(named: "id")?.stringValue ?? "", name: block.field(named: "name")?.stringValue ?? "",
                input: block.field(named: "input")?.json ?? .object([:])))
        }
        if `is`(type, "tool_result") {
            return .toolResult(ToolResult(
                toolUseID: block.field(named: "tool_use_id")?.stringValue ?? "",
                content: flattenedText(block.field(named: "content")),
                isError: block.field(named: "is_error")?.boolValue ?? false))
        }
        return .other(type: type?.stringValue ?? "", raw: block.json)
    }

    /// Tool result content is a string or a list of blocks; this makes it one text.
    private static func flattenedText<View: JSONView>(_ content: View?) -> String {
        guard let content, !content.isNull else { return "" }
        if let text = content.stringValue { return text }
        guard let blocks = content.arrayValue else { return content.json.compactText }
        return blocks.map { block -> String in
            let type = block.field(named: "type")
            if `is`(type, "text") { return block.field(named: "text")?.stringValue ?? "" }
            if `is`(type, "image") { return "[image]" }
            return "[\(type?.stringValue ?? "block")]"
        }.joined(separator: "\n")
    }

    // MARK: result

    private static func result<Line: JSONView>(_ line: Line) -> TurnResult {
        let usage = line.field(named: "usage")
        return TurnResult(
            subtype: line.field(named: "subtype")?.stringValue ?? "",
            isError: line.field(named: "is_error")?.boolValue ?? false,
            text: line.field(named: "result")?.stringValue,
            stopReason: line.field(named: "stop_reason")?.stringValue,
            terminalReason: line.field(named: "terminal_reason")?.stringValue,
            numberOfTurns: line.field(named: "num_turns")?.intValue ?? 0,
            durationMilliseconds: line.field(named: "duration_ms")?.doubleValue ?? 0,
            apiDurationMilliseconds: line.field(named: "duration_api_ms")?.doubleValue ?? 0,
            totalCostUSD: line.field(named: "total_cost_usd")?.doubleValue ?? 0,
            inputTokens: TurnResult.saturatingSum(
                usage?.field(named: "input_tokens")?.intValue, usage?.field(named: "cache_read_input_tokens")?.intValue,
                usage?.field(named: "cache_creation_input_tokens")?.intValue),
            outputTokens: usage?.field(named: "output_tokens")?.intValue ?? 0,
            sessionID: line.field(named: "session_id")?.stringValue,
            userMessageUUIDs: line.field(named: "user_message_uuids")?.strings ?? [],
            errors: line.field(named: "errors")?.strings ?? [],
            apiErrorStatus: line.field(named: "api_error_status")?.intValue)
    }

    // MARK: control

    private static func controlRequest<View: JSONView>(id: String, _ request: View?) -> IncomingControlRequest {
        let subtype = request?.field(named: "subtype")
        guard let request, `is`(subtype, "can_use_tool") else {
            return IncomingControlRequest(requestID: id, body: .other(subtype: subtype?.stringValue, raw: request?.json ?? .null))
        }
        return IncomingControlRequest(requestID: id, body: .canUseTool(PermissionRequest(
            toolName: request.field(named: "tool_name")?.stringValue ?? "",
            displayName: request.field(named: "display_name")?.stringValue,
            input: request.field(named: "input")?.json ?? .object([:]),
            description: request.field(named: "description")?.stringValue,
            toolUseID: request.field(named: "tool_use_id")?.stringValue,
            decisionReason: request.field(named: "decision_reason")?.stringValue,
            suggestions: request.field(named: "permission_suggestions")?.arrayValue?.map { $0.json } ?? [],
            requiresUserInteraction: request.field(named: "requires_user_interaction")?.boolValue ?? false)))
    }

    private static func controlResponse<View: JSONView>(_ response: View?) -> ControlResponse {
        let id = response?.field(named: "request_id")?.stringValue
        if `is`(response?.field(named: "subtype"), "error") {
            return ControlResponse(requestID: id, outcome: .error(
                message: response?.field(named: "error")?.stringValue ?? "unknown error",
                code: response?.field(named: "error_code")?.stringValue))
        }
        return ControlResponse(requestID: id, outcome: .success(response?.field(named: "response")?.json ?? .null))
    }
}
