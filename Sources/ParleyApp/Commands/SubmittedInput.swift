/// What a submitted line means.
public enum SubmittedInput: Sendable, Equatable {
    /// Nothing to do (blank line).
    case empty
    /// A message for Claude.
    case message(String)
    /// A slash command: `/name arg1 arg2`. `raw` is the line as typed.
    case command(name: String, arguments: [String], raw: String)

    /// Classifies a line: `/x` is a command, `//x` a message starting with `/x`, blank is empty.
    /// Text of several lines (a paste, a `\` continuation) is always a message: never a command
    /// that would silently drop the other lines.
    public init(line: String) {
        let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty {
            self = .empty
        } else if trimmed.contains("\n") {
            self = .message(line)
        } else if trimmed.hasPrefix("//") {
            self = .message(String(trimmed.dropFirst()))
        } else if trimmed.hasPrefix("/"), trimmed.count > 1, !trimmed.dropFirst().first!.isWhitespace {
            let words = trimmed.dropFirst().split(whereSeparator: \.isWhitespace).map(String.init)
            self = .command(name: words[0].lowercased(), arguments: Array(words.dropFirst()), raw: trimmed)
        } else {
            self = .message(line)
        }
    }
}
