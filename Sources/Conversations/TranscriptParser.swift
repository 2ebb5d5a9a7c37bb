import Foundation
import StreamJSON

/// Why a transcript cannot be read.
public struct TranscriptError: Error, Equatable, CustomStringConvertible {
    /// The 1-based number of the first line that is not JSON.
    public let line: Int

    public init(line: Int) { self.line = line }

    public var description: String { "the transcript is corrupt (line \(line) is not JSON)" }
}

/// Reads the CLI's transcript format (one JSON object a line: `user` and `assistant` lines
/// linked by `uuid`/`parentUuid`, plus `attachment`, `summary`, `custom-title`, `last-prompt`,
/// `queue-operation` and others, which are skipped). Pure: bytes in, ``Transcript`` out.
///
/// The turns are those on the branch that ends at the last `user`/`assistant` line (a rewound
/// conversation leaves abandoned branches in the file); a compaction boundary is followed
/// through its `logicalParentUuid`. Side chains (subagents), meta lines and the CLI's own
/// additions to a prompt (`<system-reminder>`, `<command-name>`, …, the interrupt marker) are
/// left out. A last line cut short (the CLI was killed while writing it) is ignored; any other
/// line that is not JSON makes the transcript corrupt.
public enum TranscriptParser {
    public static func parse(_ data: Data, sessionID: String) throws(TranscriptError) -> Transcript {
        var transcript = Transcript(sessionID: sessionID)
        var links: [String: String] = [:]
        var records: [Record] = []
        var customTitle: String?
        var summary: String?
        let lines = lineRanges(of: data)
        for (offset, range) in lines.enumerated() {
            let line = data[range]
            if line.allSatisfy(isWhitespace) { continue }
            guard let object = try? JSONValue.parse(line), object.objectValue != nil else {
                let isUnfinishedLast = offset == lines.count - 1
                if isUnfinishedLast { continue }
                throw TranscriptError(line: offset + 1)
            }
            if let uuid = object["uuid"]?.stringValue,
               let parent = object["parentUuid"]?.stringValue ?? object["logicalParentUuid"]?.stringValue {
                links[uuid] = parent
            }
            if transcript.startedAt == nil {
                transcript.startedAt = object["timestamp"]?.stringValue.flatMap(parseDate)
            }
            switch object["type"]?.stringValue {
            case "user", "assistant":
                guard object["isSidechain"]?.boolValue != true, let uuid = object["uuid"]?.stringValue else { continue }
                if transcript.workingDirectory == nil { transcript.workingDirectory = object["cwd"]?.stringValue }
                records.append(Record(uuid: uuid, object: object))
            case "custom-title":
                customTitle = object["customTitle"]?.stringValue ?? customTitle
            case "summary":
                summary = object["summary"]?.stringValue ?? summary
            default:
                continue
            }
        }
        transcript.cliTitle = customTitle ?? summary
        transcript.turns = turns(from: activeBranch(records, links: links))
        return transcript
    }

    private struct Record {
        let uuid: String
        let object: JSONValue
    }

    /// The records on the branch that ends at the last one, in file order.
    private static func activeBranch(_ records: [Record], links: [String: String]) -> [Record] {
        guard let leaf = records.last?.uuid else { return [] }
        var onBranch: Set<String> = []
        var current: String? = leaf
        while let uuid = current, onBranch.insert(uuid).inserted {
            current = links[uuid]
        }
        return records.filter { onBranch.contains($0.uuid) }
    }

    private static func turns(from records: [Record]) -> [Turn] {
        var turns: [Turn] = []
        for record in records {
            let object = record.object
            guard object["isMeta"]?.boolValue != true, object["isCompactSummary"]?.boolValue != true else { continue }
            let content = object["message"]?["content"]
            if object["type"]?.stringValue == "assistant" {
                guard !turns.isEmpty else { continue }
                turns[turns.count - 1].steps += assistantSteps(content)
                continue
            }
            let (results, prompt) = userParts(content)
            if !turns.isEmpty { turns[turns.count - 1].steps += results }
            if let prompt { turns.append(Turn(uuid: record.uuid, prompt: prompt)) }
        }
        return turns
    }

    private static func assistantSteps(_ content: JSONValue?) -> [Turn.Step] {
        if let text = content?.stringValue { return text.isEmpty ? [] : [.text(text)] }
        return (content?.arrayValue ?? []).compactMap { block -> Turn.Step? in
            switch block["type"]?.stringValue {
            case "text":
                guard let text = block["text"]?.stringValue, !text.isEmpty else { return nil }
                return .text(text)
            case "tool_use":
                return .toolCall(id: block["id"]?.stringValue ?? "", name: block["name"]?.stringValue ?? "tool",
                                 input: block["input"] ?? .object([:]))
            default:
                return nil
            }
        }
    }

    /// A user line's tool results, and the prompt it carries (nil when it carries none).
    private static func userParts(_ content: JSONValue?) -> ([Turn.Step], String?) {
        if let text = content?.stringValue { return ([], promptText([text])) }
        var results: [Turn.Step] = []
        var texts: [String] = []
        for block in content?.arrayValue ?? [] {
            switch block["type"]?.stringValue {
            case "tool_result":
                results.append(.toolResult(toolUseID: block["tool_use_id"]?.stringValue ?? "",
                                           text: flattened(block["content"]), isError: block["is_error"]?.boolValue == true))
            case "text":
                if let text = block["text"]?.stringValue { texts.append(text) }
            default:
                continue
            }
        }
        return (results, promptText(texts))
    }

    /// Text blocks the CLI adds to a prompt on its own.
    static let addedPrefixes = ["<system-reminder>", "<command-name>", "<command-message>", "<command-args>",
                                "<local-command-", "[Request interrupted by user", "Caveat: The messages below"]

    private static func promptText(_ texts: [String]) -> String? {
        let typed = texts.filter { text in !addedPrefixes.contains { text.hasPrefix($0) } }
        let joined = typed.joined(separator: "\n")
        return joined.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : joined
    }

    private static func flattened(_ content: JSONValue?) -> String {
        if let text = content?.stringValue { return text }
        return (content?.arrayValue ?? []).compactMap { $0["text"]?.stringValue }.joined(separator: "\n")
    }

    /// Where each line of `data` is (in `data`'s indices, without its newline), as splitting at
    /// every newline gives them: the text after the last newline is a last line, empty or not.
    /// Found with `memchr`: `Data.split` costs a checked access per byte, which made it most of
    /// the time of listing large transcripts (about 50 MB/s).
    static func lineRanges(of data: Data) -> [Range<Data.Index>] {
        data.withUnsafeBytes { raw -> [Range<Data.Index>] in
            let bytes = raw.bindMemory(to: UInt8.self)
            var ranges: [Range<Data.Index>] = []
            var start = 0
            while let end = bytes.firstNewline(from: start, to: bytes.count) {
                ranges.append((data.startIndex + start)..<(data.startIndex + end))
                start = end + 1
            }
            ranges.append((data.startIndex + start)..<(data.startIndex + bytes.count))
            return ranges
        }
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D
    }

    /// The CLI's timestamps: ISO 8601 with milliseconds (`2026-12-01T00:26:41.845Z`).
    static func parseDate(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle())
    }
}
