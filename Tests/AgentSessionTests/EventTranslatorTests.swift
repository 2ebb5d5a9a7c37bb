import Foundation
import StreamJSON
import Testing
@testable import AgentSession

/// The translator over real captured transcripts.
@Suite struct EventTranslatorTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../StreamJSONTests/Fixtures/transcripts").standardized

    func events(_ name: String) throws -> [SessionEvent] {
        translated(try Data(contentsOf: Self.directory.appendingPathComponent(name)))
    }

    /// The events one translator makes of these NDJSON lines.
    func translated(_ data: Data) -> [SessionEvent] {
        var framer = NDJSONFramer()
        var translator = EventTranslator()
        var events: [SessionEvent] = []
        for case .complete(let bytes) in framer.append(data) {
            if case .success(let message) = MessageDecoder().decode(bytes) { events += translator.translate(message) }
        }
        return events
    }

    @Test func aSubagentsTextIsItsOwnEventAndMessageEndsCarryTheirTokens() throws {
        // As the real CLI (2.1.331) sends a subagent's text (never streamed) and a message's end.
        let lines = #"""
            {"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Main"}},"parent_tool_use_id":null,"session_id":"s"}
            {"type":"assistant","message":{"id":"msg_5","type":"message","role":"assistant","model":"m","content":[{"type":"text","text":"Let me run a command."}],"stop_reason":null},"parent_tool_use_id":"toolu_01_1","session_id":"s","uuid":"u1"}
            {"type":"assistant","message":{"id":"msg_4","type":"message","role":"assistant","model":"m","content":[{"type":"text","text":"Main"}],"stop_reason":null},"parent_tool_use_id":null,"session_id":"s","uuid":"u2"}
            {"type":"stream_event","event":{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":7}},"session_id":"s","parent_tool_use_id":null}

            """#
        #expect(translated(Data(lines.utf8)) == [
            .textDelta("Main"),
            .subagentText("Let me run a command.", parentToolUseID: "toolu_01_1"),
            // The subagent's text between them does not make the streamed text new again.
            .assistantText("Main", alreadyStreamed: true, isError: false),
            .messageUsage(outputTokens: 7),
        ])
    }

    @Test func aSubagentsCallsAndResultsCarryTheirTaskCall() throws {
        // As the real CLI (2.1.331) sends a subagent's Bash call and its result.
        let lines = #"""
            {"type":"assistant","message":{"id":"msg_3","type":"message","role":"assistant","model":"m","content":[{"id":"toolu_01_3","input":{"command":"echo hi"},"name":"Bash","type":"tool_use"}],"stop_reason":null},"parent_tool_use_id":"toolu_01_1","session_id":"s","uuid":"u1"}
            {"type":"user","message":{"role":"user","content":[{"tool_use_id":"toolu_01_3","type":"tool_result","content":"hi","is_error":false}]},"parent_tool_use_id":"toolu_01_1","session_id":"s","uuid":"u2"}
            {"type":"assistant","message":{"id":"msg_4","type":"message","role":"assistant","model":"m","content":[{"id":"toolu_01_4","input":{},"name":"Read","type":"tool_use"}],"stop_reason":null},"parent_tool_use_id":null,"session_id":"s","uuid":"u3"}

            """#
        #expect(translated(Data(lines.utf8)) == [
            .toolUse(ToolUse(id: "toolu_01_3", name: "Bash", input: ["command": "echo hi"], parentToolUseID: "toolu_01_1")),
            .toolResult(ToolResult(toolUseID: "toolu_01_3", content: "hi", isError: false, parentToolUseID: "toolu_01_1")),
            .toolUse(ToolUse(id: "toolu_01_4", name: "Read", input: [:])),
        ])
    }

    @Test func sseErrorFallbackIsReportedAndTheFullTextShown() throws {
        let events = try events("17_sse_error_midstream_fallback.ndjson")
        #expect(events.contains(.status(.streamRestarted)))
        #expect(events.contains { if case .assistantText(_, false, false) = $0 { true } else { false } })
    }

    @Test func anInterruptedStreamIsNotReportedAsRestarted() throws {
        let events = try events("07_interrupt_streaming.ndjson")
        #expect(!events.contains(.status(.streamRestarted)))
    }

    @Test func streamedTextIsMarkedAsAlreadyShown() throws {
        let events = try events("02_partial_messages.ndjson")
        let deltas = events.compactMap { if case .textDelta(let t) = $0 { t } else { nil } }.joined()
        #expect(deltas == "Echo: hello with partial messages")
        #expect(events.contains(.assistantText("Echo: hello with partial messages", alreadyStreamed: true, isError: false)))
    }

    @Test func apiErrorTextIsMarked() throws {
        let events = try events("14_api_error_529_gives_up.ndjson")
        #expect(events.contains { if case .assistantText(let text, _, true) = $0 { text.contains("529") } else { false } })
        #expect(events.filter { if case .status(.apiRetry) = $0 { true } else { false } }.count == 2)
    }

    @Test func permissionRequestsAndCancellations() throws {
        let events = try events("13_permission_cancelled_by_interrupt.ndjson")
        let asked = events.compactMap { if case .permissionRequested(let p) = $0 { p.requestID } else { nil } }
        let cancelled = events.compactMap { if case .permissionCancelled(let id) = $0 { id } else { nil } }
        #expect(asked.count == 1 && cancelled == asked)
    }

    @Test func localCommandOutputAndConversationReset() throws {
        let events = try events("22_slash_compact_clear.ndjson")
        #expect(events.contains(.status(.compacting)))
        #expect(events.contains { if case .status(.localCommandOutput(let t)) = $0 { t.contains("Compacted") } else { false } })
        #expect(events.contains(.status(.conversationReset)))
    }

    @Test func toolUseAndResult() throws {
        let events = try events("03_tool_use_partial.ndjson")
        #expect(events.contains { if case .toolUse(let use) = $0 { use.name == "Bash" } else { false } })
        #expect(events.contains { if case .toolResult(let r) = $0 { r.content == "hello-from-tool" && !r.isError } else { false } })
    }
}
