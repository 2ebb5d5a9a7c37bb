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
/// language), bullet and numbered lists, block quotes, horizontal rules and
/// pipe tables (see ``MarkdownTable``).
///
/// A table can only be laid out once it is complete, so lines starting with `|`
/// are held back until the first line that does not (or ``finish()``), then drawn
/// at once; at most ``maximumTableBytes`` are held, beyond which the table so far is
/// drawn and the rest shown as text. Lines starting with `|` that turn out not to
/// be a table (no delimiter row) are shown as ordinary text when they end.
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
        /// Inside a line starting with `|`: collected whole, for the table.
        case tableRow
    }

    private struct Fence: Sendable {
        var character: UInt8
        var length: Int
    }

    /// The styles used for each element.
    public let theme: MarkdownTheme
    /// The width of horizontal rules and code fence lines, in columns.
    public let ruleWidth: Int
    /// The width tables are fitted to, in columns.
    public let tableWidth: Int
    /// Whether links become OSC 8 hyperlinks (their text carrying the URL) where the URL is
    /// acceptable (see ``Hyperlink``), rather than `text (url)`.
    public let hyperlinks: Bool
    /// Bytes of table rows held back at most.
    public static let maximumTableBytes = 64 << 10

    private var mode = Mode.lineStart
    /// The UTF-8 bytes of the undecided beginning of the line, and how many scalars they hold.
    private var lineStart: [UInt8] = []
    private var lineStartScalars = 0
    /// Whether `lineStart` holds nothing but spaces.
    private var lineStartIsSpaces = true
    private var fence: Fence?
    private var inline: InlineMarkdown
    private var output = StyledTextBuilder()
    private let ruleText: String
    /// The rows of the table being collected (whole lines), and how many bytes they hold.
    private var tableLines: [[UInt8]] = []
    private var tableBytes = 0

    /// Creates a renderer.
    ///
    /// - Parameters:
    ///   - theme: the styles for headings, code, lists and quotes.
    ///   - ruleWidth: the width of horizontal rules and code fence lines.
    ///   - tableWidth: the width tables are fitted to (the terminal's).
    ///   - hyperlinks: show links as OSC 8 hyperlinks (decide it with
    ///     ``TerminalCapabilities/hyperlinks``).
    public init(theme: MarkdownTheme = .standard, ruleWidth: Int = 40, tableWidth: Int = 80, hyperlinks: Bool = false) {
        self.theme = theme
        self.hyperlinks = hyperlinks
        self.ruleWidth = max(3, ruleWidth)
        self.tableWidth = max(10, tableWidth)
        self.ruleText = String(repeating: "─", count: self.ruleWidth)
        self.inline = InlineMarkdown(base: .plain, codeStyle: theme.inlineCode, hyperlinks: hyperlinks)
    }

    /// Consumes the next piece of the document and returns what can be shown now.
    public mutating func feed(_ delta: String) -> StyledText {
        var text = delta
        return text.withUTF8 { bytes in
            consume(bytes)
            // Inside the scope: the output may still point into `bytes`.
            return output.take(reusing: delta, for: bytes)
        }
    }

    /// Flushes everything held back, as if the document ended here, and resets
    /// the renderer for a new document. A final line without a newline stays
    /// without one.
    public mutating func finish() -> StyledText {
        if mode == .tableRow {
            mode = .lineStart
            tableLines.append(lineStart)
            clearLineStart()
            flushTable(endsWithNewline: false)
        } else if !tableLines.isEmpty {
            flushTable(endsWithNewline: true)
        }
        if mode != .lineStart || !lineStart.isEmpty {
            if mode == .lineStart { decideLineStart(ended: true) }
            endLine(newline: false)
        }
        fence = nil
        return output.take()
    }

    // MARK: - Per byte

    /// Consumes valid UTF-8 (the bytes of whole scalars). `"\r"` is dropped wherever it is.
    private mutating func consume(_ bytes: UnsafeBufferPointer<UInt8>) {
        let count = bytes.count
        guard let base = bytes.baseAddress else { return }
        var index = 0
        while index < count {
            let byte = base[index]
            if byte == 0x0D {
                index &+= 1
                continue
            }
            if byte == 0x0A {
                if mode == .lineStart {
                    if !tableLines.isEmpty, lineStartIsSpaces { flushTable(endsWithNewline: true) }
                    decideLineStart(ended: true)
                }
                if mode == .tableRow {
                    endTableRow()
                    index &+= 1
                    continue
                }
                endLine(newline: true, at: base + index)
                index &+= 1
                continue
            }
            switch mode {
            case .lineStart:
                // A line that does not start with `|` ends the table being collected.
                if !tableLines.isEmpty, byte != 0x20, byte != Self.pipe { flushTable(endsWithNewline: true) }
                if lineStart.isEmpty, byte != 0x20 {
                    // Decided by the first scalar alone (what classify and closesFence would say).
                    if let fence {
                        if byte != fence.character {
                            mode = .codeLine
                            continue
                        }
                    } else if !Self.mayStartBlockMarker(byte) {
                        mode = .inline
                        inline.base = .plain
                        continue
                    }
                }
                if byte == 0x20, lineStartIsSpaces, lineStartScalars < LineStart.maximumPendingLength {
                    // Leading spaces alone decide nothing (classify: undecided; closesFence: nil).
                    lineStart.append(byte)
                    lineStartScalars &+= 1
                    index &+= 1
                    continue
                }
                // One scalar at a time: the block type is decided at the first scalar that settles it.
                let length = UTF8Scanning.sequenceLength(lead: byte)
                if byte != 0x20 { lineStartIsSpaces = false }
                if length == 1 {
                    lineStart.append(byte)
                } else {
                    lineStart.append(contentsOf: UnsafeBufferPointer(start: base + index, count: length))
                }
                lineStartScalars &+= 1
                index &+= length
                decideLineStart(ended: false)
            case .inline:
                index = inline.consume(bytes, from: index, into: &output)
            case .codeLine:
                var end = index &+ 1
                while end < count, base[end] != 0x0A, base[end] != 0x0D { end &+= 1 }
                output.append(UnsafeBufferPointer(start: base + index, count: end &- index), theme.codeBlock)
                index = end
            case .tableRow:
                var end = index &+ 1
                while end < count, base[end] != 0x0A, base[end] != 0x0D { end &+= 1 }
                lineStart.append(contentsOf: UnsafeBufferPointer(start: base + index, count: end &- index))
                index = end
            }
        }
    }

    /// Whether a line starting with `byte` may be more than a paragraph.
    @inline(__always)
    private static func mayStartBlockMarker(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "#"), UInt8(ascii: "`"), UInt8(ascii: "~"), UInt8(ascii: "-"), UInt8(ascii: "*"),
             UInt8(ascii: "+"), UInt8(ascii: "_"), UInt8(ascii: ">"), UInt8(ascii: "0")...UInt8(ascii: "9"), pipe:
            true
        default:
            false
        }
    }

    private static let pipe = UInt8(ascii: "|")

    // MARK: - Tables

    /// A table row ended: it joins the table (drawn early if the table grows too large).
    private mutating func endTableRow() {
        tableBytes &+= lineStart.count
        tableLines.append(lineStart)
        mode = .lineStart
        clearLineStart()
        if tableBytes > Self.maximumTableBytes { flushTable(endsWithNewline: true) }
    }

    /// Draws the collected rows: as a table when they are one, else as the lines of text they are.
    private mutating func flushTable(endsWithNewline: Bool) {
        let lines = tableLines
        tableLines.removeAll()
        tableBytes = 0
        if let table = MarkdownTable(lines: lines, theme: theme, hyperlinks: hyperlinks) {
            var drawn = table.rendered(width: tableWidth, borderStyle: theme.rule)
            if !endsWithNewline, var last = drawn.fragments.popLast() {
                last.text.removeLast()
                drawn.fragments.append(last)
            }
            for fragment in drawn.fragments { output.append(fragment.text, fragment.style) }
            return
        }
        // The start of the next line (only spaces) waits while the rows are shown.
        let held = (lineStart, lineStartScalars, lineStartIsSpaces)
        for (index, line) in lines.enumerated() {
            lineStart = line
            startInline(base: .plain, replayingFrom: 0)
            endLine(newline: index < lines.count - 1 || endsWithNewline)
        }
        (lineStart, lineStartScalars, lineStartIsSpaces) = held
    }

    /// Ends the line; `newline` points at its `"\n"` in the input, if it has one there.
    private mutating func endLine(newline: Bool, at newlineByte: UnsafePointer<UInt8>? = nil) {
        if mode == .inline { inline.endLine(into: &output) }
        if newline {
            if let newlineByte {
                output.append(UnsafeBufferPointer(start: newlineByte, count: 1), .plain)
            } else {
                output.append(ascii: 0x0A, .plain)
            }
        }
        mode = .lineStart
        clearLineStart()
    }

    private mutating func clearLineStart() {
        if !lineStart.isEmpty { lineStart.removeAll(keepingCapacity: true) }
        lineStartScalars = 0
        lineStartIsSpaces = true
    }

    // MARK: - Block decisions

    private mutating func decideLineStart(ended: Bool) {
        if let fence {
            switch LineStart.closesFence(
                lineStart, scalarCount: lineStartScalars, ended: ended, character: fence.character, length: fence.length)
            {
            case nil:
                return
            case true?:
                self.fence = nil
                output.append(ruleText, theme.codeFence)
                clearLineStart()
            case false?:
                mode = .codeLine
                lineStart.withUnsafeBufferPointer { bytes in
                    output.append(bytes, theme.codeBlock)
                    output.detach()
                }
                clearLineStart()
            }
            return
        }
        let decision = LineStart.classify(lineStart, scalarCount: lineStartScalars, ended: ended)
        switch decision {
        case .undecided:
            return
        case .blank:
            clearLineStart()
        case .rule:
            output.append(ruleText, theme.rule)
            clearLineStart()
        case .fenceOpen(let character, let length, let info):
            fence = Fence(character: character, length: length)
            // The first word (info is trimmed, so it does not start with a space).
            let language = String(info.prefix { $0 != " " })
            let label = language.isEmpty ? "───" : "─── " + language
            output.append(label, theme.codeFence)
            clearLineStart()
        case .heading(let level, let contentStart):
            let style = level == 1 ? theme.heading1 : level == 2 ? theme.heading2 : theme.heading3
            startInline(base: style, replayingFrom: contentStart)
        case .bullet(let indent, let contentStart):
            let glyph = indent >= 2 ? "◦" : "•"
            output.append(String(repeating: " ", count: indent), .plain)
            output.append(glyph, theme.listMarker)
            output.append(ascii: 0x20, .plain)
            startInline(base: .plain, replayingFrom: contentStart)
        case .ordered(let indent, let marker, let contentStart):
            output.append(String(repeating: " ", count: indent), .plain)
            output.append(marker, theme.listMarker)
            output.append(ascii: 0x20, .plain)
            startInline(base: .plain, replayingFrom: contentStart)
        case .tableRow:
            // Collected whole (the bytes so far stay in lineStart) until the line ends.
            mode = .tableRow
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
        // The held-back bytes never contain a line break, so the inline pass takes them all.
        var line: [UInt8] = []
        swap(&line, &lineStart)
        line.withUnsafeBufferPointer { bytes in
            _ = inline.consume(bytes, from: start, into: &output)
            output.detach()
        }
        swap(&line, &lineStart)
        clearLineStart()
    }
}
