/// Word wrapping of styled text (table cells, nested lines), and cutting it at its newlines.
extension StyledText {
    /// The text cut at its newlines, each line keeping its styles. A trailing newline makes no
    /// empty last line; empty text has no lines.
    public func lines() -> [StyledText] {
        var lines: [StyledText] = []
        var line = StyledText()
        for fragment in fragments {
            for (index, part) in fragment.text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                if index > 0 {
                    lines.append(line)
                    line = StyledText()
                }
                line.append(String(part), fragment.style)
            }
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }

    /// The text as lines at most `width` columns wide: broken between words (runs of spaces
    /// are one break), a word longer than a line cut. Never empty: empty text is one empty line.
    public func wrapped(toWidth width: Int) -> [StyledText] {
        var lines: [StyledText] = []
        var line = StyledText(), lineWidth = 0
        for word in Self.words(of: self) {
            var word = word
            var wordWidth = word.displayWidth
            if lineWidth > 0, lineWidth + 1 + wordWidth <= width {
                line.append(" ")
                line.append(word)
                lineWidth += 1 + wordWidth
                continue
            }
            if lineWidth > 0 {
                lines.append(line)
                line = StyledText()
                lineWidth = 0
            }
            while wordWidth > width {
                let (head, rest) = Self.cut(word, at: width)
                lines.append(head)
                word = rest
                wordWidth = word.displayWidth
            }
            line = word
            lineWidth = wordWidth
        }
        if lineWidth > 0 || lines.isEmpty { lines.append(line) }
        return lines
    }

    /// The words of styled text (separated by spaces), each keeping its styles.
    private static func words(of text: StyledText) -> [StyledText] {
        var words: [StyledText] = []
        var word = StyledText()
        for fragment in text.fragments {
            for character in fragment.text {
                if character == " " {
                    if !word.isEmpty { words.append(word) }
                    word = StyledText()
                } else {
                    word.append(String(character), fragment.style)
                }
            }
        }
        if !word.isEmpty { words.append(word) }
        return words
    }

    /// The first `width` columns of `word` (at least one character) and the rest.
    private static func cut(_ word: StyledText, at width: Int) -> (StyledText, StyledText) {
        var head = StyledText(), rest = StyledText()
        var used = 0
        for fragment in word.fragments {
            for character in fragment.text {
                let characterWidth = Terminal.displayWidth(of: String(character))
                if rest.isEmpty, used + characterWidth <= width || used == 0 {
                    head.append(String(character), fragment.style)
                    used += characterWidth
                } else {
                    rest.append(String(character), fragment.style)
                }
            }
        }
        return (head, rest)
    }
}
