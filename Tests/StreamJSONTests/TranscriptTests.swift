import Foundation
import Testing
@testable import StreamJSON

/// Every captured transcript from the real CLI decodes, and its event sequence is the one
/// STREAM-JSON.md describes.
@Suite struct TranscriptTests {
    static let directory = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/transcripts")

    static var names: [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.filter { $0.hasSuffix(".ndjson") && !$0.contains(".stdin.") }.sorted()
    }

    static func messages(_ name: String) throws -> [IncomingMessage] {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        var framer = NDJSONFramer()
        let decoder = MessageDecoder()
        var messages: [IncomingMessage] = []
        for line in framer.append(data) {
            guard case .complete(let bytes) = line else { throw DecodeFailure(text: "oversized") }
            switch decoder.decode(bytes) {
            case .success(let message): messages.append(message)
            case .failure(let bad): throw DecodeFailure(text: "\(name): \(bad.reason): \(bad.text.prefix(200))")
            }
        }
        return messages
    }

    struct DecodeFailure: Error { let text: String }

    /// A short label per message, for sequence assertions.
    static func label(_ message: IncomingMessage) -> String {
        switch message {
        case .system(let system):
            switch system {
            case .initialized: return "init"
            case .status(let status): return "status:\(status.status ?? "mode")"
            case .apiRetry: return "api_retry"
            case .compactBoundary: return "compact_boundary"
            case .permissionDenied: return "permission_denied"
            case .task(let task): return task.kind
            case .sessionStateChanged(let state): return "state:\(state)"
            case .other(let subtype, _): return "system:\(subtype ?? "")"
            }
        case .streamEvent(let event):
            switch event {
            case .messageStart: return "message_start"
            case .contentBlockStart(_, let kind):
                switch kind {
                case .text: return "block_start:text"
                case .thinking: return "block_start:thinking"
                case .toolUse(_, let name): return "block_start:tool_use:\(name)"
                case .other(let other): return "block_start:\(other)"
                }
            case .contentBlockDelta(_, let delta):
                switch delta {
                case .text: return "delta:text"
                case .thinking: return "delta:thinking"
                case .inputJSON: return "delta:json"
                case .signature: return "delta:signature"
                case .other(let other): return "delta:\(other)"
                }
            case .contentBlockStop: return "block_stop"
            case .messageDelta(let stop, _): return "message_delta:\(stop ?? "null")"
            case .messageStop(let abandoned): return abandoned ? "message_stop:abandoned" : "message_stop"
            case .other(let type, _): return "stream:\(type ?? "")"
            }
        case .assistant(let assistant):
            let kinds = assistant.content.map { block -> String in
                switch block {
                case .text: "text"
                case .thinking: "thinking"
                case .toolUse(let use): "tool_use:\(use.name)"
                case .toolResult: "tool_result"
                case .other(let type, _): type
                }
            }
            return "assistant:" + kinds.joined(separator: ",") + (assistant.error.map { ":error=\($0)" } ?? "")
        case .user(let user):
            let kinds = user.content.map { block -> String in
                switch block {
                case .toolResult(let result): result.isError ? "tool_result!" : "tool_result"
                case .text: "text"
                default: "other"
                }
            }
            return "user:" + kinds.joined(separator: ",") + (user.isReplay ? ":replay" : "")
        case .result(let result):
            return "result:\(result.subtype)" + (result.isError ? ":error" : "") + (result.terminalReason.map { ":\($0)" } ?? "")
        case .controlRequest(let request):
            if case .canUseTool(let permission) = request.body { return "can_use_tool:\(permission.toolName)" }
            return "control_request"
        case .controlResponse(let response):
            if case .error = response.outcome { return "control_response:error" }
            return "control_response"
        case .controlCancelRequest: return "control_cancel_request"
        case .commandLifecycle(let lifecycle): return "lifecycle:\(lifecycle.state)"
        case .conversationReset: return "conversation_reset"
        case .toolProgress: return "tool_progress"
        case .unknown(let type, _): return "unknown:\(type ?? "")"
        }
    }

    static func labels(_ name: String, dropping: Set<String> = ["delta:text", "delta:json", "delta:thinking"]) throws -> [String] {
        try messages(name).map(label).filter { !dropping.contains($0) }
    }

    @Test func thereAreTwentySixTranscripts() {
        #expect(Self.names.count == 26)
    }

    @Test(arguments: names)
    func everyLineDecodesAndNothingIsUnknown(name: String) throws {
        let messages = try Self.messages(name)
        #expect(!messages.isEmpty)
        let unknown = messages.map(Self.label).filter { $0.hasPrefix("unknown") || $0.hasPrefix("stream:") }
        #expect(unknown.isEmpty, "unmodelled events in \(name): \(unknown)")
    }

    @Test func plainTurn() throws {
        #expect(try Self.labels("01_plain_turn.ndjson") == ["init", "assistant:text", "result:success:completed"])
        guard case .system(.initialized(let info)) = try Self.messages("01_plain_turn.ndjson")[0] else {
            Issue.record("first line is not init"); return
        }
        #expect(info.sessionID == "926c09a7-10b1-44af-953b-aa4ea8c8d88e")
        #expect(info.model == "claude-opus-5-5")
        #expect(info.tools.contains("Bash"))
        #expect(info.claudeCodeVersion == "2.1.331")
    }

    @Test func partialMessagesPutAssistantBeforeBlockStop() throws {
        #expect(try Self.labels("02_partial_messages.ndjson") == [
            "init", "status:requesting", "message_start", "block_start:text", "assistant:text", "block_stop",
            "message_delta:end_turn", "message_stop", "result:success:completed",
        ])
        let deltas = try Self.messages("02_partial_messages.ndjson").compactMap { message -> String? in
            if case .streamEvent(.contentBlockDelta(_, .text(let text))) = message { return text }
            return nil
        }
        #expect(deltas.joined() == "Echo: hello with partial messages")
    }

    @Test func toolTurnHasTwoRoundTrips() throws {
        let labels = try Self.labels("03_tool_use_partial.ndjson")
        #expect(labels.contains("block_start:tool_use:Bash"))
        #expect(labels.contains("assistant:tool_use:Bash"))
        #expect(labels.contains("user:tool_result"))
        #expect(labels.last == "result:success:completed")
        let messages = try Self.messages("03_tool_use_partial.ndjson")
        let use = messages.compactMap { message -> ToolUse? in
            if case .assistant(let a) = message, case .toolUse(let use)? = a.content.first { return use }
            return nil
        }.first
        #expect(use?.input["command"]?.stringValue == "echo hello-from-tool")
        guard case .result(let result)? = messages.last else { Issue.record("no result"); return }
        #expect(result.numberOfTurns == 2)
    }

    @Test func queuedMessagesMergeIntoOneResult() throws {
        let results = try Self.messages("05_queued_messages_merged.ndjson").compactMap { message -> TurnResult? in
            if case .result(let result) = message { return result }
            return nil
        }
        #expect(results.count == 2)
        #expect(results[1].userMessageUUIDs.count == 2)
    }

    @Test func interruptWhileStreaming() throws {
        let labels = try Self.labels("07_interrupt_streaming.ndjson")
        let aborted = try #require(labels.firstIndex(of: "result:error_during_execution:error:aborted_streaming"))
        #expect(labels[..<aborted].contains("control_response"))
        #expect(labels[..<aborted].contains("user:text"))
        #expect(labels.last == "result:success:completed")
    }

    @Test func permissionCancelledByInterrupt() throws {
        let labels = try Self.labels("13_permission_cancelled_by_interrupt.ndjson")
        let request = try #require(labels.firstIndex(of: "can_use_tool:Write"))
        let cancel = try #require(labels.firstIndex(of: "control_cancel_request"))
        #expect(request < cancel)
    }

    @Test func apiErrorIsSuccessWithIsError() throws {
        let messages = try Self.messages("14_api_error_529_gives_up.ndjson")
        let labels = messages.map(Self.label)
        #expect(labels.filter { $0 == "api_retry" }.count == 2)
        #expect(labels.contains("assistant:text:error=server_error") || labels.contains { $0.hasPrefix("assistant:text:error=") })
        let results = messages.compactMap { message -> TurnResult? in
            if case .result(let result) = message { return result }
            return nil
        }
        #expect(results.first?.subtype == "success")
        #expect(results.first?.isError == true)
        #expect(results.first?.terminalReason == "api_error")
        #expect(results.first?.apiErrorStatus == 529)
        let retry = messages.compactMap { message -> APIRetry? in
            if case .system(.apiRetry(let retry)) = message { return retry }
            return nil
        }.first
        #expect(retry?.errorStatus == 529 && retry?.maxRetries == 2 && retry?.attempt == 1)
    }

    @Test func sseErrorWithdrawsTheStream() throws {
        #expect(try Self.labels("17_sse_error_midstream_fallback.ndjson").contains("message_stop:abandoned"))
    }

    @Test func maxTurnsResultHasNoText() throws {
        let results = try Self.messages("18_max_turns.ndjson").compactMap { message -> TurnResult? in
            if case .result(let result) = message { return result }
            return nil
        }
        #expect(results.first?.subtype == "error_max_turns")
        #expect(results.first?.text == nil)
        #expect(results.first?.errors.first?.contains("maximum number of turns") == true)
    }

    @Test func controlResponsesCarryIdsAndErrors() throws {
        let responses = try Self.messages("19_control_requests.ndjson").compactMap { message -> ControlResponse? in
            if case .controlResponse(let response) = message { return response }
            return nil
        }
        #expect(responses.contains { $0.requestID != nil })
        #expect(responses.contains { if case .error(_, let code) = $0.outcome { code == "unsupported_request" } else { false } })
        let initialize = try #require(responses.first)
        guard case .success(let body) = initialize.outcome else { Issue.record("initialize failed"); return }
        #expect((body["commands"]?.arrayValue?.count ?? 0) > 5)
        #expect(body["models"]?.arrayValue?.first?["value"] != nil)
    }

    @Test func clearGivesANewSessionID() throws {
        let messages = try Self.messages("22_slash_compact_clear.ndjson")
        let labels = messages.map(Self.label)
        #expect(labels.contains("compact_boundary"))
        #expect(labels.contains("status:compacting"))
        let reset = messages.compactMap { message -> String? in
            if case .conversationReset(let id) = message { return id }
            return nil
        }
        #expect(reset == ["b1883e43-0810-4411-8c1c-be8143e05913"])
    }

    @Test func askUserQuestionNeedsInteraction() throws {
        let request = try Self.messages("23_ask_user_question.ndjson").compactMap { message -> PermissionRequest? in
            if case .controlRequest(let r) = message, case .canUseTool(let p) = r.body { return p }
            return nil
        }.first
        #expect(request?.toolName == "AskUserQuestion")
        #expect(request?.requiresUserInteraction == true)
    }

    @Test func replayedUserMessagesAreMarked() throws {
        #expect(try Self.labels("25_replay_user_messages.ndjson").contains("user:text:replay"))
    }
}
