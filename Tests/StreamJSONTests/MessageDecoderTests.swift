import Foundation
import Testing
@testable import StreamJSON

@Suite struct MessageDecoderTests {
    let decoder = MessageDecoder()

    @Test func nonJSONIsAnUndecodableLineWithItsText() throws {
        let result = decoder.decode(line: "\u{1b}[31mWARNING: not json")
        guard case .failure(let line) = result else { Issue.record("expected failure"); return }
        #expect(line.text.contains("WARNING"))
        #expect(line.reason == "not valid JSON")
    }

    @Test func invalidUTF8IsUndecodableNotACrash() {
        let result = decoder.decode([0x7b, 0xff, 0xfe, 0x7d])
        guard case .failure(let line) = result else { Issue.record("expected failure"); return }
        #expect(line.byteCount == 4)
    }

    @Test func aJSONArrayIsUndecodable() {
        guard case .failure(let line) = decoder.decode(line: "[1,2]") else { Issue.record("expected failure"); return }
        #expect(line.reason.contains("not an object"))
    }

    @Test func unknownTypesAndFieldsAreKept() {
        let result = decoder.decode(line: #"{"zzz":1,"type":"brand_new","payload":{"a":[1,2]}}"#)
        guard case .success(.unknown(let type, let raw)) = result else { Issue.record("expected unknown"); return }
        #expect(type == "brand_new")
        #expect(raw["payload"]?["a"] == [1, 2])
    }

    @Test func resultWithTypeKeyLastDecodes() {
        let line = #"{"duration_api_ms":19,"stop_reason":"end_turn","session_id":"s1","total_cost_usd":0.5,"usage":{"input_tokens":5,"output_tokens":7},"is_error":false,"num_turns":1,"result":"Echo: hi","subtype":"success","duration_ms":90,"terminal_reason":"completed","user_message_uuids":["u1"],"type":"result"}"#
        guard case .success(.result(let result)) = decoder.decode(line: line) else { Issue.record("not a result"); return }
        #expect(result.text == "Echo: hi")
        #expect(result.totalCostUSD == 0.5)
        #expect(result.inputTokens == 5 && result.outputTokens == 7)
        #expect(result.userMessageUUIDs == ["u1"])
        #expect(!result.isError && !result.wasInterrupted)
    }
}
