import Foundation
import Testing
@testable import StreamJSON

/// The route-first path (``LineDecoder``, used by ``MessageDecoder/decode(_:)``) gives exactly
/// the result of the full-tree path (``MessageDecoder/decodeFullTree(_:)``) for every line: the
/// one ``MessageMapping`` reads the same answers from ``LineView`` as from ``JSONValue``.
@Suite struct LineDecoderTests {
    let decoder = MessageDecoder()

    /// Both paths agree on `line`; returns whether the route-first path took it itself (it
    /// takes every valid JSON object and nothing else).
    @discardableResult
    func expectSame(_ line: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        let routed = decoder.decode(line)
        let reference = decoder.decodeFullTree(line)
        #expect(routed == reference, "\(String(decoding: line.prefix(300), as: UTF8.self))", sourceLocation: sourceLocation)
        let took = line.withUnsafeBufferPointer { LineDecoder.decode($0) } != nil
        let isObject = if case .object? = try? JSONParser.parse(line) { true } else { false }
        #expect(took == isObject, "route-first took it: \(took)", sourceLocation: sourceLocation)
        return took
    }

    func expectSame(_ text: String, routed: Bool? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
        let took = expectSame(Array(text.utf8), sourceLocation: sourceLocation)
        if let routed { #expect(took == routed, "route-first took it: \(took)", sourceLocation: sourceLocation) }
    }

    static var allFixtureLines: [[UInt8]] {
        let directory = TranscriptTests.directory
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        var lines: [[UInt8]] = []
        for file in files.sorted() where file.hasSuffix(".ndjson") {
            guard let data = try? Data(contentsOf: directory.appendingPathComponent(file)) else { continue }
            var framer = NDJSONFramer()
            for case .complete(let bytes) in framer.append(data) { lines.append(bytes) }
            if case .complete(let bytes)? = framer.finish() { lines.append(bytes) }
        }
        return lines
    }

    @Test func everyFixtureLineDecodesTheSame() {
        let lines = Self.allFixtureLines
        #expect(lines.count > 300)
        var taken = 0
        for line in lines where expectSame(line) { taken += 1 }
        // Every line that is a JSON object (all but a junk line or so) is decoded route-first.
        #expect(taken * 100 >= lines.count * 99, "route-first took \(taken) of \(lines.count)")
    }

    /// Every prefix of a line is malformed (or, rarely, a different valid line): same result.
    @Test func truncatedLinesFailTheSame() {
        let samples = Self.allFixtureLines.filter { $0.count < 3000 }.enumerated().filter { $0.offset % 7 == 0 }.map(\.element)
        for line in samples.prefix(40) {
            for length in 0..<line.count { expectSame(Array(line[..<length])) }
        }
    }

    /// Single-byte corruptions anywhere (deterministic): same result, valid or not.
    @Test func corruptedLinesDecodeTheSame() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 33
        }
        let replacements: [UInt8] = Array(#"{}[]:,"\ 0-1e.tfnu"#.utf8) + [0x00, 0x1f, 0x7f, 0x80, 0xc3, 0xed, 0xff]
        let samples = Self.allFixtureLines.filter { $0.count < 4000 }
        for line in samples {
            for _ in 0..<20 {
                var copy = line
                let position = Int(next() % UInt64(copy.count))
                copy[position] = replacements[Int(next() % UInt64(replacements.count))]
                expectSame(copy)
            }
        }
    }

    @Test func duplicateKeysKeepTheLastValue() {
        expectSame(#"{"type":"result","subtype":"error","subtype":"success","is_error":true,"is_error":false,"num_turns":1,"num_turns":3}"#, routed: true)
        expectSame(#"{"type":"user","type":"stream_event","event":{"type":"message_stop"}}"#, routed: true)
        expectSame(#"{"type":"stream_event","type":"brand_new","event":{}}"#, routed: true)
        expectSame(#"{"type":"stream_event","event":{"type":"content_block_delta","index":2,"index":5,"delta":{"type":"text_delta","text":"a"},"delta":{"type":"thinking_delta","thinking":"b"}}}"#, routed: true)
        expectSame(#"{"type":"stream_event","event":{"type":"message_stop"},"event":"not an object"}"#, routed: true)
    }

    /// `1e300` is valid JSON; an integer field that does not fit in `Int` reads as absent
    /// (index 0, attempt 0…) instead of trapping, on both paths.
    @Test func integerFieldsOutOfIntRangeDoNotTrap() {
        for number in ["1e300", "-1e300", "9223372036854775808", "-9.3e18", "3.99"] {
            let line = #"{"type":"stream_event","event":{"type":"content_block_delta","index":"# + number
                + #","delta":{"type":"text_delta","text":"a"}}}"#
            expectSame(line, routed: true)
            let expected = number == "3.99" ? 3 : 0
            guard case .success(.streamEvent(.contentBlockDelta(let index, _))) = decoder.decode(line: line) else {
                Issue.record("not decoded: \(line)"); continue
            }
            #expect(index == expected, "\(number)")
        }
        expectSame(#"{"type":"system","subtype":"api_retry","attempt":1e300,"max_retries":-1e300,"retry_delay_ms":1,"error_status":1e19}"#)
        #expect(JSONValue.number(1e300).intValue == nil)
        #expect(JSONValue.number(-7.9).intValue == -7)
    }

    /// Token counts that each fit in `Int` but whose sum does not saturate instead of trapping.
    @Test func tokenSumsThatOverflowSaturate() {
        let line = #"{"type":"result","subtype":"success","is_error":false,"usage":{"input_tokens":9e18,"cache_read_input_tokens":9e18,"cache_creation_input_tokens":1,"output_tokens":2}}"#
        expectSame(line, routed: true)
        guard case .success(.result(let result)) = decoder.decode(line: line) else {
            Issue.record("not decoded"); return
        }
        #expect(result.inputTokens == Int.max)
        #expect(result.outputTokens == 2)
    }

    @Test func keyOrderDoesNotMatter() {
        expectSame(#"{"event":{"delta":{"text":"hi","type":"text_delta"},"index":1,"type":"content_block_delta"},"type":"stream_event"}"#, routed: true)
        expectSame(#"{"message":{"content":[{"text":"x","type":"text"}],"id":"m"},"type":"assistant"}"#, routed: true)
    }

    @Test func unknownFieldsAreSkippedButValidated() {
        expectSame(#"{"type":"stream_event","x":[1,{"y":[true,false,null,-0.5e-3,"\u00e9\ud83d\ude00"]}],"event":{"type":"message_stop"}}"#, routed: true)
        expectSame(#"{"type":"stream_event","x":[1,],"event":{"type":"message_stop"}}"#, routed: false)
        expectSame(#"{"type":"stream_event","x":01,"event":{"type":"message_stop"}}"#, routed: false)
        expectSame(#"{"type":"stream_event","x":1e400,"event":{"type":"message_stop"}}"#, routed: false)
        // Lone surrogates are valid JSON (they read as U+FFFD).
        expectSame(#"{"type":"stream_event","x":"\ud800","event":{"type":"message_stop"}}"#, routed: true)
        expectSame(#"{"type":"stream_event","x":"\udc00\ud800","event":{"type":"message_stop"}}"#, routed: true)
        expectSame(#"{"type":"stream_event","x":"\x","event":{"type":"message_stop"}}"#, routed: false)
        expectSame(#"{"type":"stream_event","x":tru,"event":{"type":"message_stop"}}"#, routed: false)
        expectSame(#"{"type":"stream_event","event":{"type":"message_stop"}} x"#, routed: false)
        expectSame(#"{"type":"stream_event","event":{"type":"message_stop"}}  "#, routed: true)
        expectSame("  \t{ \"type\" : \"stream_event\" ,\n \"event\" : { \"type\" : \"message_stop\" } } ", routed: true)
    }

    @Test func controlCharactersAndInvalidUTF8InStrings() {
        for byte: UInt8 in [0x00, 0x09, 0x0a, 0x1f] {
            expectSame(Array(#"{"type":"stream_event","x":"a"#.utf8) + [byte] + Array(#"b","event":{}}"#.utf8))
        }
        for bad: [UInt8] in [[0x80], [0xc3], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xff], [0xe2, 0x82]] {
            expectSame(Array(#"{"type":"stream_event","x":"abcdefghij"#.utf8) + bad + Array(#"klmnopqrstuvwxyz","event":{}}"#.utf8))
            expectSame(Array(#"{"type":"stream_event","event":{"type":"content_block_delta","delta":{"type":"text_delta","text":""#.utf8) + bad + Array(#""}}}"#.utf8))
        }
        // Valid multi-byte text, long enough to be scanned eight bytes at a time.
        expectSame(#"{"type":"stream_event","event":{"type":"content_block_delta","delta":{"type":"text_delta","text":"héllo wörld — 👩‍👩‍👧 ✓ and some more ASCII"}}}"#, routed: true)
        expectSame(#"{"type":"stream_event","event":{"type":"content_block_delta","delta":{"type":"text_delta","text":"quote \" backslash \\ tab \t nl \n \u0000 \u00e9 \ud83d\ude00 \/"}}}"#, routed: true)
    }

    @Test func escapedKeysAndTypeNames() {
        expectSame(#"{"t\u0079pe":"stream_event","event":{"type":"message_stop"}}"#, routed: true)
        expectSame(#"{"type":"stream\u005fevent","event":{"\u0074ype":"content_block_delta","delta":{"type":"text\u005fdelta","text":"x"}}}"#, routed: true)
        expectSame(#"{"type":"system\u0000","subtype":"init","session_id":"s"}"#, routed: true)
        expectSame(#"{"type":"syste","subtype":"init","session_id":"s"}"#, routed: true)
        expectSame(#"{"type":"systemx","subtype":"init","session_id":"s"}"#, routed: true)
        // U+212A KELVIN SIGN is canonically equivalent to "K", not to any letter Parley looks for.
        expectSame(#"{"type":"result","\u212Aey":1,"subtype":"success"}"#, routed: true)
    }

    @Test func nonObjectsAndOddShapes() {
        for text in ["", " ", "[1,2]", "\"stream_event\"", "42", "null", "{", "}", "{}", "{\"type\":1}", "{\"type\":null}",
                     "{\"type\":\"stream_event\"}", "{\"type\":\"stream_event\",\"event\":null}",
                     "{\"type\":\"stream_event\",\"event\":[1]}", "{\"type\":\"stream_event\",\"event\":{\"type\":7}}",
                     "{\"type\":\"stream_event\",\"event\":{\"type\":\"content_block_delta\"}}",
                     "{\"type\":\"stream_event\",\"event\":{\"type\":\"content_block_delta\",\"delta\":\"x\",\"index\":\"1\"}}",
                     "{\"type\":\"stream_event\",\"event\":{\"type\":\"content_block_delta\",\"delta\":{\"type\":\"citations_delta\"},\"index\":1.9}}",
                     "{\"type\":\"stream_event\",\"event\":{\"type\":\"content_block_start\",\"content_block\":{\"type\":\"server_tool_use\",\"id\":\"t\",\"name\":\"web\"}}}",
                     "{\"type\":\"stream_event\",\"event\":{\"type\":\"content_block_start\",\"content_block\":{\"type\":\"image\"}}}",
                     "{\"type\":\"stream_event\",\"event\":{\"type\":\"content_block_start\",\"content_block\":5}}",
                     "{\"type\":\"stream_event\",\"event\":{\"type\":\"message_stop\",\"abandoned_blocks\":[0]}}",
                     "{\"type\":\"stream_event\",\"abandoned_blocks\":null,\"event\":{\"type\":\"message_stop\",\"abandoned_blocks\":[0]}}",
                     "{\"type\":\"stream_event\",\"abandoned_blocks\":[],\"event\":{\"type\":\"message_stop\"}}",
                     "{\"type\":\"stream_event\",\"event\":{\"type\":\"message_start\",\"message\":{\"id\":3}}}",
                     "{\"type\":\"stream_event\",\"event\":{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\"}}}",
                     "{\"type\":\"stream_event\",\"event\":{\"type\":\"ping\",\"extra\":{\"a\":[1,2,{\"b\":null}]}}}",
                     "{\"type\":\"system\",\"subtype\":\"init\"}", "{\"type\":\"system\",\"subtype\":\"init\",\"session_id\":\"s\",\"tools\":[\"A\",1,null,\"B\"],\"slash_commands\":\"x\"}",
                     "{\"type\":\"system\",\"subtype\":\"status\",\"status\":null,\"permissionMode\":\"plan\"}",
                     "{\"type\":\"system\",\"subtype\":\"session_state_changed\",\"state\":\"idle\"}",
                     "{\"type\":\"system\",\"subtype\":\"api_retry\",\"attempt\":2}", "{\"type\":\"system\"}",
                     "{\"type\":\"assistant\"}", "{\"type\":\"assistant\",\"message\":\"x\"}",
                     "{\"type\":\"assistant\",\"message\":{\"content\":\"plain\"},\"error\":\"rate_limit\"}",
                     "{\"type\":\"assistant\",\"message\":{\"content\":[1,\"s\",{},{\"type\":\"tool_use\",\"id\":\"t\",\"name\":\"Bash\"},{\"type\":\"tool_use\",\"input\":null},{\"type\":\"tool_use\",\"input\":{\"command\":\"ls\",\"n\":[1,2.5]}},{\"type\":\"thinking\",\"thinking\":\"hm\"},{\"type\":\"redacted_thinking\",\"data\":\"x\"}]}}",
                     "{\"type\":\"user\",\"message\":{\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"t\",\"content\":[{\"type\":\"text\",\"text\":\"a\"},{\"type\":\"image\"},{\"type\":\"doc\"},{}],\"is_error\":true}]},\"isReplay\":true,\"uuid\":\"u\"}",
                     "{\"type\":\"user\",\"message\":{\"content\":[{\"type\":\"tool_result\",\"content\":{\"odd\":1}},{\"type\":\"tool_result\",\"content\":null},{\"type\":\"tool_result\"}]}}",
                     "{\"type\":\"user\",\"message\":{\"content\":\"<local-command-stdout>x</local-command-stdout>\"},\"isReplay\":1}",
                     "{\"type\":\"result\"}", "{\"type\":\"result\",\"usage\":7,\"num_turns\":-0,\"duration_ms\":1.5e2,\"errors\":[\"e\",2],\"api_error_status\":529}",
                     "{\"type\":\"result\",\"usage\":{\"input_tokens\":1,\"cache_read_input_tokens\":20,\"cache_creation_input_tokens\":300,\"output_tokens\":4000}}",
                     "{\"type\":\"command_lifecycle\"}", "{\"type\":\"command_lifecycle\",\"command_uuid\":\"c\",\"state\":\"completed\"}",
                     "{\"type\":\"control_request\",\"request_id\":\"r\",\"request\":{\"subtype\":\"can_use_tool\",\"tool_name\":\"Bash\",\"input\":{}}}",
                     "{\"type\":\"control_response\",\"response\":{\"subtype\":\"success\",\"request_id\":\"r\",\"response\":{}}}",
                     "{\"type\":\"brand_new\",\"payload\":{\"a\":[1,2]}}"] {
            expectSame(text)
        }
    }

    @Test func manyMembersAndDeepNesting() {
        // More members than the inline buffer holds.
        let members = (0..<100).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
        expectSame("{\(members),\"type\":\"result\",\"num_turns\":7,\"subtype\":\"success\"}", routed: true)
        expectSame("{\"type\":\"result\",\(members),\"type\":\"command_lifecycle\"}", routed: true)
        // More members than the line's stack tables hold: looked up by scanning instead.
        let many = (0..<300).map { "\"k\($0)\":{\"a\":\($0)}" }.joined(separator: ",")
        expectSame("{\(many),\"type\":\"result\",\"num_turns\":7,\"usage\":{\(members),\"output_tokens\":3},\"subtype\":\"success\"}", routed: true)
        expectSame("{\"type\":\"result\",\(many),\"type\":\"command_lifecycle\",\"state\":\"x\"}", routed: true)
        // More objects looked into than the tables hold (one per content block).
        let blocks = (0..<80).map { #"{"type":"tool_use","id":"t\#($0)","name":"N","input":{"n":\#($0)}}"# }
        expectSame(#"{"type":"assistant","message":{"id":"m","content":["# + blocks.joined(separator: ",") + "]}}", routed: true)
        // The 512-level limit counts from the line's own object.
        for depth in [510, 511, 512, 513] {
            let nested = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
            expectSame("{\"type\":\"stream_event\",\"x\":\(nested),\"event\":{\"type\":\"message_stop\"}}")
        }
    }
}
