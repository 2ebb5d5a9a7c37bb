/// The one place where styled text becomes terminal bytes.
extension StyledText {
    /// The text as a string for the terminal.
    ///
    /// With `color` false the result has no escape codes at all, only the
    /// characters. With `color` true each change of style emits one SGR
    /// sequence, and the text ends back in the plain style.
    public func rendered(color: Bool) -> String {
        var output = ""
        ANSIWriter.append(fragments, to: &output, color: color, carriageReturns: false)
        return output
    }
}

/// Appends styled fragments to a string buffer as terminal bytes.
///
/// Shared by ``StyledText/rendered(color:)`` and the line editor's output path,
/// which needs `"\r\n"` line ends because libedit's raw mode may turn off the
/// terminal's own newline translation.
enum ANSIWriter {
    static func append(
        _ fragments: some Sequence<StyledText.Fragment>, to output: inout String, color: Bool,
        carriageReturns: Bool
    ) {
        var current = Style.plain
        for fragment in fragments where !fragment.text.isEmpty {
            if color, fragment.style != current {
                output += fragment.style.isPlain ? "\u{1B}[0m" : fragment.style.selectGraphicRendition
                current = fragment.style
            }
            if carriageReturns {
                appendTranslatingNewlines(fragment.text, to: &output)
            } else {
                output += fragment.text
            }
        }
        if color, !current.isPlain { output += "\u{1B}[0m" }
    }

    /// Appends `text` with every `"\n"` written as `"\r\n"`.
    static func appendTranslatingNewlines(_ text: String, to output: inout String) {
        guard text.utf8.contains(10) else {
            output += text
            return
        }
        var start = text.startIndex
        while let newline = text[start...].firstIndex(of: "\n") {
            output += text[start..<newline]
            output += "\r\n"
            start = text.index(after: newline)
        }
        output += text[start...]
    }
}
