import AgentSession
import Foundation
import StreamJSON

/// The prompts of a conversation as the CLI keeps it on disk, for `/rewind` after a resume.
///
/// Deliberately minimal: only the user prompts (uuid and text) of the conversation's current
/// branch. `/resume`'s transcript reader covers the same files more fully; the two belong
/// together (see ``TranscriptLocation``).
enum TranscriptPrompts {
    /// The prompts of the session `sessionID` run in `workingDirectory`, oldest first; empty
    /// when the file is missing or holds none. Lines that are not JSON are skipped.
    static func read(sessionID: String, workingDirectory: String, environment: [String: String]) -> [QueuedMessage] {
        let path = TranscriptLocation.file(sessionID: sessionID, workingDirectory: workingDirectory, environment: environment)
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return prompts(inTranscript: data)
    }

    /// The prompts on the branch that ends at the transcript's last user or assistant line
    /// (a rewind leaves the removed lines in the file; following `parentUuid` skips them).
    static func prompts(inTranscript data: Data) -> [QueuedMessage] {
        var lines: [String: JSONValue] = [:]
        var last: String?
        for bytes in data.split(separator: UInt8(ascii: "\n")) {
            guard let line = try? JSONValue.parse(Data(bytes)), let uuid = line["uuid"]?.stringValue,
                  let type = line["type"]?.stringValue else { continue }
            lines[uuid] = line
            if type == "user" || type == "assistant" { last = uuid }
        }
        var prompts: [QueuedMessage] = []
        var visited = Set<String>()
        var next = last
        while let uuid = next, let line = lines[uuid], visited.insert(uuid).inserted {
            if let text = promptText(line) { prompts.append(QueuedMessage(id: uuid, text: text, sequenceNumber: 0)) }
            next = line["parentUuid"]?.stringValue
        }
        return prompts.reversed().enumerated().map { QueuedMessage(id: $1.id, text: $1.text, sequenceNumber: $0 + 1) }
    }

    /// The text a user typed, or `nil` for tool results, meta lines and the CLI's own blocks.
    private static func promptText(_ line: JSONValue) -> String? {
        guard line["type"] == "user", line["isMeta"]?.boolValue != true,
              line["isCompactSummary"]?.boolValue != true, let content = line["message"]?["content"] else { return nil }
        if let text = content.stringValue { return ownText(text) }
        let blocks = content.arrayValue ?? []
        if blocks.contains(where: { $0["type"] == "tool_result" }) { return nil }
        let texts = blocks.compactMap { $0["type"] == "text" ? $0["text"]?.stringValue.flatMap(ownText) : nil }
        return texts.isEmpty ? nil : texts.joined(separator: "\n")
    }

    private static func ownText(_ text: String) -> String? {
        let own = ["<system-reminder>", "<local-command-", "<command-name>", "<command-message>"]
        return own.contains { text.hasPrefix($0) } ? nil : text
    }
}

/// Where the CLI keeps a conversation: `$CLAUDE_CONFIG_DIR` (else `$HOME/.claude`)
/// `/projects/<working directory, every character but letters and digits made ->/<id>.jsonl`.
enum TranscriptLocation {
    static func file(sessionID: String, workingDirectory: String, environment: [String: String]) -> String {
        let configDirectory = environment["CLAUDE_CONFIG_DIR"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.claude"
        let project = String(workingDirectory.unicodeScalars.map {
            ($0.isASCII && CharacterSet.alphanumerics.contains($0)) ? Character($0) : "-"
        })
        return configDirectory + "/projects/" + project + "/" + sessionID + ".jsonl"
    }
}
