import Foundation
import StreamJSON

/// A conversation as a Markdown document (`/export`): each prompt, the answer's text, and each
/// tool call with its input and the first lines of its result.
public enum TranscriptMarkdown {
    /// Lines of a tool result kept in the export.
    public static let resultLines = 8

    public static func render(_ transcript: Transcript, name: String?, exportedAt: Date) -> String {
        var out = "# " + (name ?? "Conversation") + "\n\n"
        out += "- Session: `\(transcript.sessionID)`\n"
        if let cwd = transcript.workingDirectory { out += "- Directory: `\(cwd)`\n" }
        if let started = transcript.startedAt { out += "- Started: \(started.formatted(.iso8601))\n" }
        out += "- Exported: \(exportedAt.formatted(.iso8601))\n"
        for (index, turn) in transcript.turns.enumerated() {
            out += "\n## \(index + 1). You\n\n" + quoted(turn.prompt) + "\n\n### Claude\n"
            for step in turn.steps {
                switch step {
                case .text(let text):
                    out += "\n" + text + "\n"
                case .toolCall(_, let name, let input):
                    out += "\n**Tool: \(name)**\n\n" + fenced(pretty(input), language: "json") + "\n"
                case .toolResult(_, let text, let isError):
                    out += "\n" + (isError ? "Error:" : "Result:") + "\n\n" + fenced(short(text), language: "") + "\n"
                }
            }
        }
        return out
    }

    private static func quoted(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { "> " + $0 }.joined(separator: "\n")
    }

    /// A fence longer than any backtick run in the text, so the text cannot close it.
    private static func fenced(_ text: String, language: String) -> String {
        var longest = 0
        var run = 0
        for character in text {
            run = character == "`" ? run + 1 : 0
            longest = max(longest, run)
        }
        let fence = String(repeating: "`", count: max(3, longest + 1))
        return fence + language + "\n" + text + "\n" + fence
    }

    private static func short(_ text: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count > resultLines else { return text }
        return lines.prefix(resultLines).joined(separator: "\n") + "\n… (\(lines.count - resultLines) more lines)"
    }

    private static func pretty(_ value: JSONValue) -> String {
        guard let data = try? JSONEncoder.pretty.encode(value) else { return value.compactText }
        return String(decoding: data, as: UTF8.self)
    }
}

private extension JSONEncoder {
    static var pretty: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
