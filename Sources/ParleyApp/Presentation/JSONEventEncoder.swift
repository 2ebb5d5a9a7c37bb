import AgentSession
import Foundation
import StreamJSON

/// The `--output-format json` schema: one JSON object per line, one line per event a script
/// cares about. Stable: fields are only ever added. Documented in Docs/Scripting.md.
///
/// It remembers open tool calls, so that a `tool_result` can carry a `summary` (`Read 120 lines`,
/// `Updated a.swift (+2 -1)`), and reads the file an Edit, MultiEdit or Write changes when its
/// `tool_use` is seen, so that the `tool_use` carries a `file_change` with the diff.
public struct JSONEventEncoder: Sendable {
    private var tools = ToolCallPresenter(width: 80, workingDirectory: nil)

    public init() {}

    /// Reads a file before a tool changes it (tests give their own).
    var readFile: @Sendable (String) -> String? {
        get { tools.readFile }
        set { tools.readFile = newValue }
    }

    /// The JSON line for `event`, or `nil` when the event has no line in the schema.
    public mutating func line(for event: SessionEvent) -> String? {
        object(for: event).map { $0.compactText }
    }

    mutating func object(for event: SessionEvent) -> JSONValue? {
        switch event {
        case .processStarted(let pid, let resumed):
            return ["type": "process_started", "pid": .number(Double(pid)), "resumed_session_id": resumed.map(JSONValue.string) ?? .null]
        case .sessionInitialized(let info):
            tools.workingDirectory = info.cwd
            return ["type": "session", "session_id": .string(info.sessionID), "model": .string(info.model)]
        case .turnStarted(let message):
            return ["type": "turn_start", "id": .string(message.id), "text": .string(message.text)]
        case .textDelta(let text):
            return ["type": "text", "text": .string(text)]
        case .assistantText(let text, let alreadyStreamed, let isError):
            if alreadyStreamed { return nil }
            return isError ? ["type": "error", "kind": "api_error", "message": .string(text)] : ["type": "text", "text": .string(text)]
        case .subagentText(let text, let parent):
            return ["type": "text", "text": .string(text), "parent_tool_use_id": .string(parent)]
        case .thinking(let text):
            return ["type": "thinking", "text": .string(text)]
        case .toolUse(let use):
            var object: [String: JSONValue] = ["type": "tool_use", "id": .string(use.id), "name": .string(use.name), "input": use.input]
            if let parent = use.parentToolUseID { object["parent_tool_use_id"] = .string(parent) }
            if let change = tools.noteCall(use) {
                let counts = FileChangeRenderer.counts(change.hunks)
                object["file_change"] = [
                    "path": .string(change.path), "kind": .string(change.kind.rawValue),
                    "added": .number(Double(counts.added)), "removed": .number(Double(counts.removed)),
                    "line_numbers_known": .bool(change.lineNumbersKnown), "diff": .string(DiffHunk.unifiedText(change.hunks)),
                ]
            }
            return .object(object)
        case .toolResult(let result):
            var object: [String: JSONValue] = ["type": "tool_result", "tool_use_id": .string(result.toolUseID),
                                               "is_error": .bool(result.isError), "content": .string(result.content)]
            if let summary = tools.summary(of: result) { object["summary"] = .string(summary) }
            if let parent = result.parentToolUseID { object["parent_tool_use_id"] = .string(parent) }
            return .object(object)
        case .status(let update):
            return status(update)
        case .messageQueued(let message, let position):
            return ["type": "status", "kind": "queued", "id": .string(message.id), "position": .number(Double(position))]
        case .turnCompleted(let summary):
            let result = summary.result
            return [
                "type": "turn_end", "id": .string(summary.message.id), "is_error": .bool(result.isError),
                // The CLI can send `is_error: true` with `subtype: "success"`: true only for a real success.
                "succeeded": .bool(!result.isError && !result.wasInterrupted && result.subtype == "success"),
                "subtype": .string(result.subtype), "terminal_reason": result.terminalReason.map(JSONValue.string) ?? .null,
                "result": result.text.map(JSONValue.string) ?? .null,
                "duration_ms": .number((Double(summary.elapsed.components.seconds) * 1000
                    + Double(summary.elapsed.components.attoseconds) / 1e15).rounded()),
                "num_turns": .number(Double(result.numberOfTurns)),
                "total_cost_usd": .number(result.totalCostUSD),
                "input_tokens": .number(Double(result.inputTokens)), "output_tokens": .number(Double(result.outputTokens)),
                "session_id": result.sessionID.map(JSONValue.string) ?? .null,
            ]
        case .messageNotAnswered(let message, let reason):
            return ["type": "error", "kind": "not_answered", "id": .string(message.id), "text": .string(message.text),
                    "message": .string("\(reason)")]
        case .processExited(let status, let expected, let stderrTail):
            if expected { return nil }
            return ["type": "error", "kind": "process_exited", "message": .string("claude \(status)"),
                    "stderr": .array(stderrTail.map(JSONValue.string))]
        case .restarting(let attempt, let maxAttempts, _):
            return ["type": "status", "kind": "restarting", "attempt": .number(Double(attempt)), "max_attempts": .number(Double(maxAttempts))]
        case .failed(let error):
            return ["type": "error", "kind": "failed", "message": .string("\(error)")]
        case .stalled(_, let lastEvent):
            return ["type": "status", "kind": "stalled", "last_event": .string(lastEvent)]
        case .undecodableLine(let line):
            return ["type": "status", "kind": "undecodable_line", "message": .string(line.reason)]
        case .capabilitiesLearned, .thinkingStarted, .thinkingDelta, .permissionRequested, .permissionCancelled, .messageUsage, .closed:
            return nil
        }
    }

    private func status(_ update: StatusUpdate) -> JSONValue {
        switch update {
        case .apiRetry(let retry):
            return ["type": "status", "kind": "api_retry", "attempt": .number(Double(retry.attempt)),
                    "max_retries": .number(Double(retry.maxRetries)), "error_status": retry.errorStatus.map { .number(Double($0)) } ?? .null,
                    "retry_delay_ms": .number(retry.retryDelayMilliseconds)]
        case .compacting: return ["type": "status", "kind": "compacting"]
        case .compacted: return ["type": "status", "kind": "compacted"]
        case .permissionModeChanged(let mode): return ["type": "status", "kind": "permission_mode", "mode": .string(mode)]
        case .permissionDenied(let tool, let message):
            return ["type": "status", "kind": "permission_denied", "tool": .string(tool), "message": message.map(JSONValue.string) ?? .null]
        case .task(let task):
            return ["type": "status", "kind": "task", "event": .string(task.kind), "description": task.description.map(JSONValue.string) ?? .null]
        case .toolProgress(let name, let elapsed):
            return ["type": "status", "kind": "tool_progress", "tool": name.map(JSONValue.string) ?? .null,
                    "elapsed_seconds": elapsed.map(JSONValue.number) ?? .null]
        case .streamRestarted: return ["type": "status", "kind": "stream_restarted"]
        case .conversationReset: return ["type": "status", "kind": "conversation_reset"]
        case .localCommandOutput(let text): return ["type": "status", "kind": "command_output", "message": .string(text)]
        case .unmatchedResult(let expected, let resultFor):
            return ["type": "status", "kind": "unmatched_result", "message_uuid": .string(expected.id),
                    "result_for": .array(resultFor.map(JSONValue.string))]
        }
    }
}
