/// Splits a command line into words the way a POSIX shell does for a simple command, without
/// running a shell: blanks separate words, single quotes keep everything literally, double
/// quotes keep blanks (a backslash in them escapes `"`, `\`, `$` and `` ` ``), a backslash
/// outside quotes escapes the next character. So `EDITOR="code -w"` is `code` with `-w`.
/// No expansion (`$HOME`, `~`, globs) happens.
enum ShellWords {
    /// The words of `line`, or `nil` when a quote is left open.
    static func split(_ line: String) -> [String]? {
        var words: [String] = []
        var word = ""
        var inWord = false
        var iterator = line.makeIterator()
        while let character = iterator.next() {
            switch character {
            case " ", "\t", "\n":
                if inWord { words.append(word) }
                word = ""
                inWord = false
            case "'":
                inWord = true
                var closed = false
                while let next = iterator.next() {
                    if next == "'" { closed = true; break }
                    word.append(next)
                }
                if !closed { return nil }
            case "\"":
                inWord = true
                var closed = false
                while let next = iterator.next() {
                    if next == "\"" { closed = true; break }
                    if next == "\\" {
                        guard let escaped = iterator.next() else { return nil }
                        if !["\"", "\\", "$", "`"].contains(escaped) { word.append("\\") }
                        word.append(escaped)
                    } else {
                        word.append(next)
                    }
                }
                if !closed { return nil }
            case "\\":
                inWord = true
                if let escaped = iterator.next(), escaped != "\n" { word.append(escaped) }
            default:
                inWord = true
                word.append(character)
            }
        }
        if inWord { words.append(word) }
        return words
    }
}
