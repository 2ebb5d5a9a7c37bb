@testable import Conversations
import Foundation
import StreamJSON
import Testing

/// The transcript reader on files shaped like the CLI's (plain.jsonl was written by claude
/// 2.1.331 against the fake Messages API, its large attachments cut down; the other fixture
/// is hand-made to hold branches, side chains, a compaction and the CLI's own prompt additions).
struct TranscriptParserTests {
    static func fixture(_ name: String) throws -> Data {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/" + name, withExtension: nil))
        return try Data(contentsOf: url)
    }

    static let branchedID = "11111111-2222-3333-4444-555555555555"

    @Test func aRealTranscriptGivesItsPromptsAnswersAndToolCalls() throws {
        let transcript = try TranscriptParser.parse(Self.fixture("plain.jsonl"), sessionID: "s")
        #expect(transcript.turns.map(\.prompt) == ["first question", "please mock-write now", "third one"])
        #expect(transcript.turns[0].finalText == "Echo: first question")
        #expect(transcript.workingDirectory == "/work/project")
        guard case .toolCall(_, let name, let input)? = transcript.turns[1].steps.first else {
            Issue.record("no tool call: \(transcript.turns[1].steps)")
            return
        }
        #expect(name == "Write")
        #expect(input["content"] == "hello\n")
        guard case .toolResult(_, let text, let isError)? = transcript.turns[1].steps.dropFirst().first else {
            Issue.record("no tool result: \(transcript.turns[1].steps)")
            return
        }
        #expect(text.hasPrefix("File created successfully"))
        #expect(!isError)
        #expect(transcript.turns[1].finalText == "Echo: ")
        #expect(transcript.startedAt == (try Date("2026-12-01T00:26:41.793Z", strategy: .iso8601)))
        #expect(transcript.cliTitle == nil)
    }

    @Test func theActiveBranchThroughACompactionWithoutSideChainsOrAdditions() throws {
        let transcript = try TranscriptParser.parse(Self.fixture(Self.branchedID + ".jsonl"), sessionID: Self.branchedID)
        // The rewound prompt, the side chain, the meta line and the compaction summary are not turns;
        // the reminder block and the interrupt marker are not part of a prompt.
        #expect(transcript.turns.map(\.prompt) == ["Explain \u{1B}]0;pwned\u{07} titles", "Now write a file"])
        #expect(transcript.turns[0].finalText == "Titles are set with OSC 0.")
        #expect(transcript.turns[1].steps.count == 4)
        #expect(transcript.turns[1].finalText?.hasPrefix("Done:") == true)
        #expect(transcript.turns[1].uuid == "u3")
        // A custom title wins over a summary.
        #expect(transcript.cliTitle == "Terminal titles")
    }

    @Test func aLineThatIsNotJSONMakesTheTranscriptCorruptButACutLastLineDoesNot() throws {
        #expect(throws: TranscriptError(line: 5)) {
            try TranscriptParser.parse(Self.fixture("corrupt.jsonl"), sessionID: "c")
        }
        #expect(TranscriptError(line: 5).description == "the transcript is corrupt (line 5 is not JSON)")
        // The branched fixture ends in half a line: read without it.
        #expect(try TranscriptParser.parse(Self.fixture(Self.branchedID + ".jsonl"), sessionID: "b").turns.count == 2)
    }

    /// The lines are cut where `Data.split` at every newline cuts them (which the parser used
    /// before `memchr`), for any bytes, also in a slice of a larger `Data`.
    @Test func linesAreCutWhereSplittingAtNewlinesCutsThem() throws {
        var generator = SystemRandomNumberGenerator()
        var inputs: [[UInt8]] = [[], [10], [10, 10], [65], [65, 10], [10, 65], [65, 10, 66], [32, 13, 10, 9]]
        for _ in 0..<300 {
            inputs.append((0..<Int.random(in: 0..<40, using: &generator)).map { _ in [10, 65, 32, 0xE2][Int.random(in: 0..<4, using: &generator)] })
        }
        for bytes in inputs {
            for data in [Data(bytes), Data([1, 2, 3] + bytes + [4])[3..<(3 + bytes.count)]] {
                let expected = data.split(separator: 10, omittingEmptySubsequences: false).map { Array($0) }
                let ranges = TranscriptParser.lineRanges(of: data)
                #expect(ranges.map { Array(data[$0]) } == expected, "bytes: \(bytes)")
            }
        }
        // A transcript read from the middle of a larger buffer gives the same turns.
        let plain = try Self.fixture("plain.jsonl")
        let padded = (Data("x\n".utf8) + plain)[2...]
        #expect(try TranscriptParser.parse(padded, sessionID: "s").turns.map(\.prompt)
            == ["first question", "please mock-write now", "third one"])
    }

    @Test func anEmptyFileHasNoTurns() throws {
        #expect(try TranscriptParser.parse(Data(), sessionID: "e").turns.isEmpty)
    }

    @Test func codeBlocksAreFoundInOrder() {
        let text = "Done:\n\n```swift\nlet a = 1\n```\n\nand\n\n~~~\nplain\n~~~\n\n````\nhas ``` inside\n````\n```\nunclosed"
        #expect(CodeBlocks.extract(from: text) == ["let a = 1", "plain", "has ``` inside", "unclosed"])
        #expect(CodeBlocks.extract(from: "no code").isEmpty)
    }

    @Test func markdownExportHasPromptsAnswersToolsAndShortResults() throws {
        var transcript = try TranscriptParser.parse(Self.fixture(Self.branchedID + ".jsonl"), sessionID: Self.branchedID)
        transcript.turns[1].steps[2] = .toolResult(toolUseID: "t", text: (1...20).map { "line \($0)" }.joined(separator: "\n"), isError: false)
        let markdown = TranscriptMarkdown.render(transcript, name: "Titles", exportedAt: Date(timeIntervalSince1970: 0))
        #expect(markdown.hasPrefix("# Titles\n"))
        #expect(markdown.contains("- Session: `\(Self.branchedID)`"))
        #expect(markdown.contains("## 2. You\n\n> Now write a file\n"))
        #expect(markdown.contains("**Tool: Write**\n\n```json\n{\n  \"content\" : \"x\","))
        #expect(markdown.contains("line 8\n… (12 more lines)"))
        #expect(!markdown.contains("line 9\n"))
        #expect(markdown.contains("Titles are set with OSC 0."))
    }
}
