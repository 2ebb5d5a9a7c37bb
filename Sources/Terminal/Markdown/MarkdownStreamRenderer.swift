/// Renders Markdown to ``StyledText`` while it is still being written.
///
/// Feed text deltas of any size, as they arrive from a streaming reply; each
/// call returns what can be shown for certain so far, and ``finish()`` flushes
/// the rest. The concatenated output never depends on where the deltas were
/// split: a marker cut in two (`"**bo"` + `"ld**"`, `` "`" + "``swift" ``) is
/// held back until it is resolved, never shown half-rendered.
///
/// What is held back is bounded by the current line: the start of a line until
/// its block type is known (`"##"` could be a heading, `"``"` a fence), and
/// within a line only an unresolved run of `*`, `_` or backticks. Memory does
/// not grow with the length of the reply.
///
/// Supported: ATX headings, `**bold**`, `*italics*` and `_italics_`,
/// `` `inline code` ``, fenced code blocks (with a label line naming the
/// language), bullet and numbered lists, block quotes and horizontal rules.
/// The renderer does no I/O and knows nothing about colour support; turn its
/// output into bytes with ``StyledText/rendered(color:)``.
public struct MarkdownStreamRenderer: Sendable {
    private enum Mode: Sendable {
        /// Collecting the beginning of a line to decide its block type.
        case lineStart
        /// Inside a line of text.
        case inline
        /// Inside a line of a fenced code block.
        case codeLine
    }

    private struct Fence: Sendable {
        var character: Unicode.Scalar
        var length: Int
    }

    /// The styles used for each element.
    public let theme: MarkdownTheme
    /// The width of horizontal rules and code fence lines, in columns.
    public let ruleWidth: Int

    private var mode = Mode.lineStart
    private var lineStart: [Unicode.Scalar] = []
    private var fence: Fence?
    private var inline: InlineMarkdown
    private var output = StyledTextBuilder()

    /// Creates a renderer.
    ///
    /// - Parameters:
    ///   - theme: the styles for headings, code, lists and quotes.
    ///   - ruleWidth: the width of horizontal rules and code fence lines.
    public init(theme: MarkdownTheme = .standard, ruleWidth: Int = 40) {
        self.theme = theme
        self.ruleWidth = max(3, ruleWidth)
        self.inline = InlineMarkdown(base: .plain, codeStyle: theme.inlineCode)
    }

    /// Consumes the next piece of the document and returns what can be shown now.
    public mutating func feed(_ delta: String) -> StyledText {
        for scalar in delta.unicodeScalars { consume(scalar) }
        return output.take()
    }

    /// Flushes everything held back, as if the document ended here, and resets
    /// the renderer for a new document. A final line without a newline stays
    /// without one.
    public mutating func finish() -> StyledText {
        if mode != .lineStart || !lineStart.isEmpty {
            if mode == .lineStart { decideLineStart(ended: true) }
            endLine(newline: false)
        }
        fence = nil
        return output.take()
    }

    // MARK: - Per scalar

    private mutating func consume(_ scalar: Unicode.Scalar) {
        if scalar == "\r" { return }
        switch mode {
        case .lineStart:
            if scalar == "\n" {
                decideLineStart(ended: true)
                endLine(newline: true)
                return
            }
            lineStart.append(scalar)
            decideLineStart(ended: false)
        case .inline:
            if scalar == "\n" { endLine(newline: true) } else { inline.consume(scalar, into: &output) }
        case .codeLine:
            if scalar == "\n" { endLine(newline: true) } else { output.append(scalar, theme.codeBlock) }
        }
    }

    private mutating func endLine(newline: Bool) {
        if mode == .inline { inline.endLine(into: &output) }
        if newline { output.append("\n", .plain) }
        mode = .lineStart
        lineStart.removeAll(keepingCapacity: true)
    }

    // MARK: - Block decisions

    private mutating func decideLineStart(ended: Bool) {
        if let fence {
            switch LineStart.closesFence(lineStart, ended: ended, character: fence.character, length: fence.length) {
            case nil:
                return
            case true?:
                self.fence = nil
                output.append(String(repeating: "─", count: ruleWidth), theme.codeFence)
                lineStart.removeAll(keepingCapacity: true)
            case false?:
                mode = .codeLine
                for scalar in lineStart { output.append(scalar, theme.codeBlock) }
            }
            return
        }
        let decision = LineStart.classify(lineStart, ended: ended)
        switch decision {
        case .undecided:
            return
        case .blank:
            lineStart.removeAll(keepingCapacity: true)
        case .rule:
            output.append(String(repeating: "─", count: ruleWidth), theme.rule)
            lineStart.removeAll(keepingCapacity: true)
        case .fenceOpen(let character, let length, let info):
            fence = Fence(character: character, length: length)
            let language = info.split(separator: " ").first.map(String.init) ?? ""
            let label = language.isEmpty ? "───" : "─── " + language
            output.append(label, theme.codeFence)
            lineStart.removeAll(keepingCapacity: true)
        case .heading(let level, let contentStart):
            let style = level == 1 ? theme.heading1 : level == 2 ? theme.heading2 : theme.heading3
            startInline(base: style, replayingFrom: contentStart)
        case .bullet(let indent, let contentStart):
            let glyph = indent >= 2 ? "◦" : "•"
            output.append(String(repeating: " ", count: indent), .plain)
            output.append(glyph, theme.listMarker)
            output.append(" ", .plain)
            startInline(base: .plain, replayingFrom: contentStart)
        case .ordered(let indent, let marker, let contentStart):
            output.append(String(repeating: " ", count: indent), .plain)
            output.append(marker, theme.listMarker)
            output.append(" ", .plain)
            startInline(base: .plain, replayingFrom: contentStart)
        case .quote(let contentStart):
            output.append("│ ", theme.quoteBar)
            startInline(base: theme.quoteText, replayingFrom: contentStart)
        case .paragraph:
            startInline(base: .plain, replayingFrom: 0)
        }
    }

    private mutating func startInline(base: Style, replayingFrom start: Int) {
        mode = .inline
        inline.base = base
        let replay = lineStart[start...]
        for scalar in replay { inline.consume(scalar, into: &output) }
        lineStart.removeAll(keepingCapacity: true)
    }
}
