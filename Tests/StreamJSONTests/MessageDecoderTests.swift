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

    /// A lone UTF-16 surrogate escape is valid JSON (JavaScript's `JSON.stringify` writes one
    /// for half an emoji); it reads as U+FFFD on both decode paths instead of losing the line.
    @Test(arguments: [
        (#"half \ud83d"#, "half \u{FFFD}"),
        (#"\ud83d"#, "\u{FFFD}"),
        (#"low \ude00 alone"#, "low \u{FFFD} alone"),
        (#"\ud83d\u0041"#, "\u{FFFD}A"),
        (#"\ud83d\ud83d\ude00"#, "\u{FFFD}😀"),
        (#"\ud83d\ude00\ude00"#, "😀\u{FFFD}"),
        (#"\ud83d\n"#, "\u{FFFD}\n"),
        (#"\ud83d\""#, "\u{FFFD}\""),
        (#"\uDBFF\uDFFF\uD800"#, "\u{10FFFF}\u{FFFD}"),
    ])
    func aLoneSurrogateReadsAsTheReplacementCharacter(escaped: String, expected: String) {
        let assistant = #"{"type":"assistant","message":{"id":"m","content":[{"type":"text","text":""#
            + escaped + #""}]}}"#
        let delta = #"{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":""#
            + escaped + #""}}}"#
        let result = #"{"type":"result","subtype":"success","is_error":false,"result":""# + escaped + #"","num_turns":1}"#
        for line in [assistant, delta, result] {
            let bytes = Array(line.utf8)
            let routed = decoder.decode(bytes)
            #expect(routed == decoder.decodeFullTree(bytes), "\(line)")
            #expect(bytes.withUnsafeBufferPointer { LineDecoder.decode($0) } != nil, "not taken route-first: \(line)")
            switch routed {
            case .success(.assistant(let message)): #expect(message.content == [.text(expected)])
            case .success(.streamEvent(.contentBlockDelta(_, .text(let text)))): #expect(text == expected)
            case .success(.result(let turn)): #expect(turn.text == expected)
            default: Issue.record("not decoded: \(line) → \(routed)")
            }
        }
        // In a key, too.
        let keyed = Array((#"{"type":"user","k"# + escaped + #"":1,"uuid":"u"}"#).utf8)
        #expect(decoder.decode(keyed) == decoder.decodeFullTree(keyed))
        guard case .success(.user(let user)) = decoder.decode(keyed) else { Issue.record("key: not decoded"); return }
        #expect(user.uuid == "u")
    }

    /// A truncated escape after a high surrogate is still malformed.
    @Test func aHighSurrogateBeforeABrokenEscapeIsNotJSON() {
        for tail in [#"\ud83d\u12"#, #"\ud83d\uZZZZ"#, #"\ud83d\"#, #"\ud83d\x"#] {
            let line = #"{"type":"result","result":""# + tail + #""}"#
            guard case .failure(let failure) = decoder.decode(line: line) else { Issue.record("accepted: \(line)"); continue }
            #expect(failure.reason == "not valid JSON")
        }
    }
}
