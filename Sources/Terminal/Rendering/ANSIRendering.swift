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

/// Appends styled fragments to a byte buffer as terminal bytes.
///
/// Shared by ``StyledText/rendered(color:)`` and the line editor's output path,
/// which needs `"\r\n"` line ends because libedit's raw mode may turn off the
/// terminal's own newline translation. Works on UTF-8 bytes throughout: the
/// editor pushes whole megabytes of streamed text through here.
enum ANSIWriter {
    static func append(
        _ fragments: some Sequence<StyledText.Fragment>, to output: inout String, color: Bool,
        carriageReturns: Bool
    ) {
        var bytes: [UInt8] = []
        append(fragments, to: &bytes, color: color, carriageReturns: carriageReturns)
        output += String(decoding: bytes, as: UTF8.self)
    }

    static func append(
        _ fragments: some Sequence<StyledText.Fragment>, to output: inout [UInt8], color: Bool,
        carriageReturns: Bool
    ) {
        var current = Style.plain
        for fragment in fragments where !fragment.text.isEmpty {
            if color, fragment.style != current {
                output.append(contentsOf: (fragment.style.isPlain ? "\u{1B}[0m" : fragment.style.selectGraphicRendition).utf8)
                current = fragment.style
            }
            appendText(fragment.text, to: &output, carriageReturns: carriageReturns)
        }
        if color, !current.isPlain { output.append(contentsOf: "\u{1B}[0m".utf8) }
    }

    /// Appends `text`, with every `"\n"` written as `"\r\n"` when asked.
    static func appendText(_ text: String, to output: inout [UInt8], carriageReturns: Bool) {
        var text = text
        text.withUTF8 { buffer in
            guard carriageReturns else {
                output.append(contentsOf: buffer)
                return
            }
            var start = 0
            for index in 0..<buffer.count where buffer[index] == 10 {
                output.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start..<index]))
                output.append(13)
                output.append(10)
                start = index + 1
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start...]))
        }
    }
}
