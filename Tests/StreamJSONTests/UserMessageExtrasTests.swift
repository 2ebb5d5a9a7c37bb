import Foundation
import Testing
@testable import StreamJSON

/// User lines with images or `"shouldQuery": false` (issue 16): the shape the CLI accepts
/// (../shared/protocol/CONTROL.md, "Input lines") and still one line, byte for byte what
/// `JSONEncoder` makes of the tree.
@Suite struct UserMessageExtrasTests {
    static let png = ImageAttachment(mediaType: "image/png", base64Data: "iVBORw0KGgo+/A==")
    static let extrasCases: [UserMessageExtras] = [
        .recordOnly,
        UserMessageExtras(images: [png]),
        UserMessageExtras(images: [png, ImageAttachment(mediaType: "image/gif", base64Data: "R0lGODlh")], asksForReply: false),
    ]

    @Test(arguments: extrasCases)
    func handWrittenLineIsWhatJSONEncoderWrote(extras: UserMessageExtras) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for text in ["look at @shot.png", "two\nlines \"quoted\" \u{1}", ""] {
            let message = OutgoingMessage.user(text: text, uuid: "u-1", extras: extras)
            var expected = try encoder.encode(message.json)
            expected.append(UInt8(ascii: "\n"))
            #expect(message.encodedLine() == expected)
            #expect(message.encodedLine().dropLast().contains(UInt8(ascii: "\n")) == false)
        }
    }

    @Test func imagesFollowTheTextAsBase64ImageBlocks() throws {
        let line = OutgoingMessage.user(text: "what is this?", uuid: "u", extras: UserMessageExtras(images: [Self.png])).encodedLine()
        let value = try JSONValue.parse(line)
        let blocks = try #require(value["message"]?["content"]?.arrayValue)
        #expect(blocks.count == 2)
        #expect(blocks[0]["type"] == "text")
        #expect(blocks[0]["text"] == "what is this?")
        #expect(blocks[1]["type"] == "image")
        #expect(blocks[1]["source"]?["type"] == "base64")
        #expect(blocks[1]["source"]?["media_type"] == "image/png")
        #expect(blocks[1]["source"]?["data"] == "iVBORw0KGgo+/A==")
        #expect(value["shouldQuery"] == nil)
    }

    @Test func recordOnlyLineSaysShouldQueryFalseAndKeepsPlainContent() throws {
        let value = try JSONValue.parse(OutgoingMessage.user(text: "<bash-input>ls</bash-input>", uuid: "u", extras: .recordOnly).encodedLine())
        #expect(value["shouldQuery"] == false)
        #expect(value["message"]?["content"] == "<bash-input>ls</bash-input>")
        #expect(value["type"] == "user")
    }
}
