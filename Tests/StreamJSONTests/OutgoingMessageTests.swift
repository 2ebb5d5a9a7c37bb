import Foundation
import Testing
@testable import StreamJSON

@Suite struct OutgoingMessageTests {
    static let nastyTexts = [
        "plain", "two\nlines", "quote \" and backslash \\", "tab\tand\r\ncrlf", "control \u{0}\u{1}\u{1f}\u{7f}",
        "emoji 👩‍👩‍👧 ✓ héllo", "\u{2028}\u{2029} separators", "/slash first", String(repeating: "x", count: 100_000),
        String(decoding: [0xed, 0xa0, 0x80], as: UTF8.self),  // a lone surrogate's bytes become U+FFFD
    ]

    @Test(arguments: nastyTexts)
    func userLineIsOneValidJSONLine(text: String) throws {
        let data = OutgoingMessage.user(text: text, uuid: "u-1").encodedLine()
        #expect(data.last == UInt8(ascii: "\n"))
        #expect(data.dropLast().contains(UInt8(ascii: "\n")) == false)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["type"] as? String == "user")
        let message = try #require(object["message"] as? [String: Any])
        #expect(message["role"] as? String == "user")
        #expect(message["content"] as? String == text)
        #expect(object["uuid"] as? String == "u-1")
    }

    /// The hand-written user line is byte for byte what `JSONEncoder` made of ``OutgoingMessage/json``.
    @Test(arguments: nastyTexts + [
        String((0..<0x20).map { Character(Unicode.Scalar(UInt8($0))) }) + "\u{7f}", "", "\\\\\"\"", "a/b\\/c", "\u{FFFD}\u{10FFFF}",
    ])
    func userLineIsWhatJSONEncoderWrote(text: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for uuid in ["0d3f5e2c-1111-4222-8333-444455556666", "u\"1\n"] {
            let message = OutgoingMessage.user(text: text, uuid: uuid)
            var expected = try encoder.encode(message.json)
            expected.append(UInt8(ascii: "\n"))
            #expect(message.encodedLine() == expected)
        }
    }

    @Test func controlRequestsHaveTheRealShape() throws {
        let line = OutgoingMessage.controlRequest(requestID: "req_1", .setModel("sonnet")).encodedLine()
        let value = try JSONValue.parse(line)
        #expect(value["type"] == "control_request")
        #expect(value["request_id"] == "req_1")
        #expect(value["request"]?["subtype"] == "set_model")
        #expect(value["request"]?["model"] == "sonnet")
        let reset = try JSONValue.parse(OutgoingMessage.controlRequest(requestID: "r", .setModel(nil)).encodedLine())
        #expect(reset["request"]?["model"] == .null)
    }

    @Test func permissionAnswers() throws {
        let allow = try JSONValue.parse(OutgoingMessage.permissionResponse(
            requestID: "abc", .allow(input: ["file_path": "/x"], permissions: [["type": "setMode"]])).encodedLine())
        #expect(allow["type"] == "control_response")
        #expect(allow["response"]?["request_id"] == "abc")
        #expect(allow["response"]?["response"]?["behavior"] == "allow")
        #expect(allow["response"]?["response"]?["updatedInput"]?["file_path"] == "/x")
        #expect(allow["response"]?["response"]?["updatedPermissions"]?.arrayValue?.count == 1)
        let deny = try JSONValue.parse(OutgoingMessage.permissionResponse(
            requestID: "abc", .deny(message: "no", interrupt: true)).encodedLine())
        #expect(deny["response"]?["response"]?["behavior"] == "deny")
        #expect(deny["response"]?["response"]?["interrupt"] == true)
    }
}
