/// One Tab completion: the word that replaces the word at the cursor, and what it is (shown
/// next to it when several are listed; may be empty).
public struct CompletionCandidate: Sendable, Hashable {
    public var text: String
    public var description: String

    public init(_ text: String, description: String = "") {
        self.text = text
        self.description = description
    }
}

extension CompletionCandidate: ExpressibleByStringLiteral {
    /// A candidate without a description.
    public init(stringLiteral text: String) { self.init(text) }
}

/// What a press of Tab should do, decided from the candidates alone.
///
/// Candidates replace the *word at the cursor*: the characters between the
/// last space before the cursor and the cursor. One candidate is inserted
/// followed by a space (none after a directory, which ends in `/`); several are narrowed to their longest common prefix
/// when that extends the word, and listed otherwise.
enum CompletionPlan: Equatable {
    /// Nothing matches.
    case none
    /// Replace the last `wordLength` scalars before the cursor with `text`.
    case replace(wordLength: Int, text: String)
    /// Show these candidates.
    case list([CompletionCandidate])

    /// Plans the completion of `line` at scalar offset `cursor`.
    static func plan(line: String, cursor: Int, candidates: [CompletionCandidate]) -> CompletionPlan {
        let scalars = Array(line.unicodeScalars.prefix(max(0, cursor)))
        var start = scalars.count
        while start > 0, scalars[start - 1] != " " { start -= 1 }
        let word = String(String.UnicodeScalarView(scalars[start...]))
        let wordLength = scalars.count - start
        var unique: [CompletionCandidate] = []
        for candidate in candidates where !unique.contains(where: { $0.text == candidate.text }) { unique.append(candidate) }
        switch unique.count {
        case 0:
            return .none
        case 1:
            let text = unique[0].text
            return .replace(wordLength: wordLength, text: text.hasSuffix("/") ? text : text + " ")
        default:
            let prefix = commonPrefix(unique.map(\.text))
            if prefix.unicodeScalars.count > word.unicodeScalars.count, prefix.hasPrefix(word) {
                return .replace(wordLength: wordLength, text: prefix)
            }
            return .list(unique)
        }
    }

    /// The candidates as rows for the screen: one per row with its description when any has
    /// one (cut to `width`), else in columns.
    static func rows(_ candidates: [CompletionCandidate], width: Int) -> [String] {
        guard candidates.contains(where: { !$0.description.isEmpty }) else { return columns(candidates.map(\.text), width: width) }
        let nameWidth = min(max(10, width / 2), candidates.map { displayWidth(of: $0.text) }.max() ?? 0)
        return candidates.map { candidate in
            let padding = String(repeating: " ", count: max(0, nameWidth - displayWidth(of: candidate.text)) + 2)
            let row = candidate.description.isEmpty ? candidate.text : candidate.text + padding + candidate.description
            return StyledText(row).truncated(toWidth: max(1, width - 1)).plainText
        }
    }

    /// The candidates laid out in columns that fit `width`.
    static func columns(_ candidates: [String], width: Int) -> [String] {
        let cell = (candidates.map { displayWidth(of: $0) }.max() ?? 0) + 2
        let perRow = max(1, width / max(1, cell))
        var rows: [String] = []
        var index = 0
        while index < candidates.count {
            let slice = candidates[index..<min(candidates.count, index + perRow)]
            var row = ""
            for (offset, candidate) in slice.enumerated() {
                row += candidate
                if offset < slice.count - 1 {
                    row += String(repeating: " ", count: cell - displayWidth(of: candidate))
                }
            }
            rows.append(row)
            index += perRow
        }
        return rows
    }

    private static func commonPrefix(_ strings: [String]) -> String {
        guard var prefix = strings.first.map({ Array($0.unicodeScalars) }) else { return "" }
        for string in strings.dropFirst() {
            let scalars = Array(string.unicodeScalars)
            var length = 0
            while length < min(prefix.count, scalars.count), prefix[length] == scalars[length] { length += 1 }
            prefix = Array(prefix.prefix(length))
        }
        return String(String.UnicodeScalarView(prefix))
    }
}
