/// What a press of Tab should do, decided from the candidates alone.
///
/// Candidates replace the *word at the cursor*: the characters between the
/// last space before the cursor and the cursor. One candidate is inserted
/// followed by a space; several are narrowed to their longest common prefix
/// when that extends the word, and listed otherwise.
enum CompletionPlan: Equatable {
    /// Nothing matches.
    case none
    /// Replace the last `wordLength` scalars before the cursor with `text`.
    case replace(wordLength: Int, text: String)
    /// Show these candidates.
    case list([String])

    /// Plans the completion of `line` at scalar offset `cursor`.
    static func plan(line: String, cursor: Int, candidates: [String]) -> CompletionPlan {
        let scalars = Array(line.unicodeScalars.prefix(max(0, cursor)))
        var start = scalars.count
        while start > 0, scalars[start - 1] != " " { start -= 1 }
        let word = String(String.UnicodeScalarView(scalars[start...]))
        let wordLength = scalars.count - start
        var unique: [String] = []
        for candidate in candidates where !unique.contains(candidate) { unique.append(candidate) }
        switch unique.count {
        case 0:
            return .none
        case 1:
            return .replace(wordLength: wordLength, text: unique[0] + " ")
        default:
            let prefix = commonPrefix(unique)
            if prefix.unicodeScalars.count > word.unicodeScalars.count, prefix.hasPrefix(word) {
                return .replace(wordLength: wordLength, text: prefix)
            }
            return .list(unique)
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
