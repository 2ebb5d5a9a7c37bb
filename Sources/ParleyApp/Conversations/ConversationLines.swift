import Conversations
import Foundation
import StreamJSON
import Terminal

/// How conversations are shown: the `/resume` list and the last turns of a resumed one, as
/// styled lines (made inert: prompts and answers come from transcript files) and as JSON.
enum ConversationLines {
    /// How many turns a resumed conversation shows again.
    static let recentTurns = 3
    /// Lines of a prompt or an answer shown again.
    static let linesPerText = 6

    static func when(_ date: Date?) -> String {
        guard let date else { return "----------------" }
        return date.formatted(Date.VerbatimFormatStyle(
            format: "\(year: .defaultDigits)-\(month: .twoDigits)-\(day: .twoDigits) \(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)):\(minute: .twoDigits)",
            timeZone: .current, calendar: Calendar(identifier: .gregorian)))
    }

    /// One `/resume` row: number, when, first prompt (cut to fit `width`), turns, id prefix, name.
    static func row(_ item: ConversationListing.Item, width: Int, isCurrent: Bool) -> StyledText {
        let head = String(format: "%2d. ", item.number) + when(item.entry.modified) + "  "
        let id = String(item.entry.sessionID.prefix(8))
        switch item.transcript {
        case .failure(let error):
            return StyledText(head, .bold) + StyledText(id + "  ", .dim) + StyledText(error.description, .color(.red))
        case .success(let transcript):
            let turns = transcript.turns.count
            var tail = "  \(turns) turn\(turns == 1 ? "" : "s") · \(id)"
            if let name = item.name { tail += " · “\(InertText.make(name).replacingNewlines())”" }
            if isCurrent { tail += " (current)" }
            let room = max(12, width - head.count - tail.count)
            let prompt = InertText.make(transcript.firstPrompt ?? "").replacingNewlines().truncated(toWidth: room)
            return StyledText(head, .bold) + StyledText(prompt) + StyledText(tail, .dim)
        }
    }

    /// Tab after `/resume `: each listed conversation's number, with its name (else its first
    /// prompt) and how long ago it was last written; an unreadable one says why.
    static func choices(_ listing: ConversationListing, now: Date) -> [CompletionCandidate] {
        listing.items.map { item in
            let text: String
            switch item.transcript {
            case .failure(let error): text = error.description
            case .success(let transcript): text = item.name.map { "“\($0)”" } ?? transcript.firstPrompt ?? ""
            }
            let label = InertText.make(text).replacingNewlines().truncated(toWidth: 50)
            return CompletionCandidate(String(item.number), description: label + " · " + age(of: item.entry.modified, now: now))
        }
    }

    /// How long ago `date` was: `just now`, `5 min ago`, `3 h ago`, `2 days ago`.
    static func age(of date: Date, now: Date) -> String {
        let seconds = max(0, Int(now.timeIntervalSince(date)))
        switch seconds {
        case ..<60: return "just now"
        case ..<3600: return "\(seconds / 60) min ago"
        case ..<86400: return "\(seconds / 3600) h ago"
        case ..<(2 * 86400): return "yesterday"
        default: return "\(seconds / 86400) days ago"
        }
    }

    static func json(_ listing: ConversationListing) -> JSONValue {
        .object([
            "type": "conversations",
            "conversations": .array(listing.items.map { item in
                var fields: [String: JSONValue] = [
                    "number": .number(Double(item.number)), "session_id": .string(item.entry.sessionID),
                    "updated": .string(item.entry.modified.formatted(.iso8601)),
                ]
                if let name = item.name { fields["name"] = .string(name) }
                switch item.transcript {
                case .success(let transcript):
                    fields["turns"] = .number(Double(transcript.turns.count))
                    fields["first_prompt"] = .string(transcript.firstPrompt ?? "")
                case .failure(let error):
                    fields["error"] = .string(error.description)
                }
                return .object(fields)
            }),
            "omitted": .number(Double(listing.omitted)),
        ])
    }

    /// What a resumed conversation shows: a heading, then its last few prompts and answers.
    static func resumed(_ transcript: Transcript, name: String?, width: Int) -> [StyledText] {
        let turns = transcript.turns
        let label = name.map { "“\(InertText.make($0).replacingNewlines())” " } ?? ""
        var lines = [StyledText("↺ resumed conversation \(label)\(transcript.sessionID.prefix(8)) · \(turns.count) turn"
            + (turns.count == 1 ? "" : "s") + (turns.count > recentTurns ? ", the last \(recentTurns):" : ""), .dim)]
        for turn in turns.suffix(recentTurns) {
            for (index, line) in shortened(turn.prompt, width: width - 2).enumerated() {
                lines.append(StyledText(index == 0 ? "› " : "  ", .bold) + StyledText(line, .bold))
            }
            for line in shortened(turn.finalText ?? "(no answer)", width: width) {
                lines.append(StyledText(line))
            }
        }
        return lines
    }

    static func resumedJSON(_ transcript: Transcript, name: String?) -> JSONValue {
        var fields: [String: JSONValue] = [
            "type": "conversation_resumed", "session_id": .string(transcript.sessionID),
            "turns": .number(Double(transcript.turns.count)),
            "recent": .array(transcript.turns.suffix(recentTurns).map { turn in
                .object(["prompt": .string(turn.prompt), "answer": .string(turn.finalText ?? "")])
            }),
        ]
        if let name { fields["name"] = .string(name) }
        return .object(fields)
    }

    /// At most ``linesPerText`` lines of `text`, each cut to `width`, made inert.
    private static func shortened(_ text: String, width: Int) -> [String] {
        let lines = InertText.make(text).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var kept = lines.prefix(linesPerText).map { $0.truncated(toWidth: max(10, width)) }
        if lines.count > linesPerText { kept.append("… (\(lines.count - linesPerText) more lines)") }
        return kept
    }
}
