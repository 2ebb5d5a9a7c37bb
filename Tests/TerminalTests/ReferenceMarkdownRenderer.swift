import Terminal

// The scalar-at-a-time Markdown renderer as it was before the byte-level rewrite
// (commit 9dd9d4f), kept verbatim apart from the names as the reference that
// the fast renderer must match byte for byte (see RendererEquivalenceTests).

/// Accumulates output one scalar at a time, merging runs of the same style.
struct RefStyledTextBuilder {
    private var committed: [StyledText.Fragment] = []
    private var run = ""
    private var runStyle = Style.plain

    mutating func append(_ scalar: Unicode.Scalar, _ style: Style) {
        if style != runStyle, !run.isEmpty { flushRun() }
        runStyle = style
        run.unicodeScalars.append(scalar)
    }

    mutating func append(_ text: String, _ style: Style) {
        guard !text.isEmpty else { return }
        if style != runStyle, !run.isEmpty { flushRun() }
        runStyle = style
        run += text
    }

    /// Everything appended since the last call.
    mutating func take() -> StyledText {
        flushRun()
        defer { committed = [] }
        return StyledText(fragments: committed)
    }

    private mutating func flushRun() {
        guard !run.isEmpty else { return }
        committed.append(StyledText.Fragment(run, runStyle))
        run = ""
    }
}
/// The inline part of the Markdown renderer: emphasis, strong emphasis, code
/// spans and backslash escapes within one line.
///
/// It decides every delimiter with at most one scalar of look-ahead, so it
/// never has to see the end of the line: a run of `*`, `_` or backticks is
/// held back only until the next different scalar arrives. An opening
/// delimiter is trusted (the following text is styled at once); emphasis
/// that is never closed ends with the line.
///
/// Rules: a delimiter opens when followed by a non-space and not preceded by a
/// letter or digit; it closes an open span when preceded by a non-space (and,
/// for `_`, not followed by a letter or digit). One delimiter is italic, two
/// bold, three both; longer runs are literal. A backtick run opens a code span
/// closed by a run of the same length.
struct RefInlineMarkdown {
    /// The style of the block the line belongs to (heading, quote, plain).
    var base: Style
    private let codeStyle: Style
    private var bold = false
    private var italic: Unicode.Scalar?
    private var codeRun = 0
    private var pendingRun: (scalar: Unicode.Scalar, count: Int)?
    private var pendingEscape = false
    private var previous: Unicode.Scalar?

    init(base: Style, codeStyle: Style) {
        self.base = base
        self.codeStyle = codeStyle
    }

    private var currentStyle: Style {
        if codeRun > 0 { return base.merging(codeStyle) }
        var style = base
        if bold { style.isBold = true }
        if italic != nil { style.isItalic = true }
        return style
    }

    /// Consumes one scalar of the line (never a newline).
    mutating func consume(_ scalar: Unicode.Scalar, into output: inout RefStyledTextBuilder) {
        if let run = pendingRun {
            if scalar == run.scalar {
                pendingRun = (run.scalar, run.count + 1)
                return
            }
            resolveRun(next: scalar, into: &output)
        }
        if pendingEscape {
            pendingEscape = false
            if Self.isASCIIPunctuation(scalar) {
                emit(scalar, into: &output)
                return
            }
            emit("\\", into: &output)
        }
        if codeRun > 0 {
            if scalar == "`" { pendingRun = ("`", 1) } else { emit(scalar, into: &output) }
            return
        }
        switch scalar {
        case "\\": pendingEscape = true
        case "*", "_", "`": pendingRun = (scalar, 1)
        default: emit(scalar, into: &output)
        }
    }

    /// Resolves whatever is held back at the end of the line and closes all spans.
    mutating func endLine(into output: inout RefStyledTextBuilder) {
        if pendingRun != nil { resolveRun(next: nil, into: &output) }
        if pendingEscape {
            pendingEscape = false
            emit("\\", into: &output)
        }
        bold = false
        italic = nil
        codeRun = 0
        previous = nil
    }

    private mutating func emit(_ scalar: Unicode.Scalar, into output: inout RefStyledTextBuilder) {
        output.append(scalar, currentStyle)
        previous = scalar
    }

    private mutating func emitLiteral(_ scalar: Unicode.Scalar, count: Int, into output: inout RefStyledTextBuilder) {
        for _ in 0..<count { output.append(scalar, currentStyle) }
        previous = scalar
    }

    private mutating func resolveRun(next: Unicode.Scalar?, into output: inout RefStyledTextBuilder) {
        guard let (scalar, count) = pendingRun else { return }
        pendingRun = nil
        if codeRun > 0 {
            if count == codeRun { codeRun = 0 } else { emitLiteral(scalar, count: count, into: &output) }
            previous = scalar
            return
        }
        if scalar == "`" {
            codeRun = count
            previous = scalar
            return
        }
        let previousIsSpace = previous.map { $0.properties.isWhitespace } ?? true
        let nextIsSpace = next.map { $0.properties.isWhitespace } ?? true
        let previousIsWord = previous.map(Self.isWordScalar) ?? false
        let nextIsWord = next.map(Self.isWordScalar) ?? false
        let canOpen = !nextIsSpace && !previousIsWord
        let canClose = !previousIsSpace && (scalar == "*" || !nextIsWord)
        switch count {
        case 1:
            if italic == scalar, canClose {
                italic = nil
            } else if italic == nil, canOpen {
                italic = scalar
            } else {
                emitLiteral(scalar, count: count, into: &output)
            }
        case 2:
            if bold, canClose {
                bold = false
            } else if !bold, canOpen {
                bold = true
            } else {
                emitLiteral(scalar, count: count, into: &output)
            }
        case 3:
            if bold, italic == scalar, canClose {
                bold = false
                italic = nil
            } else if !bold, italic == nil, canOpen {
                bold = true
                italic = scalar
            } else {
                emitLiteral(scalar, count: count, into: &output)
            }
        default:
            emitLiteral(scalar, count: count, into: &output)
        }
        previous = scalar
    }

    private static func isASCIIPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x21...0x2F, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E: true
        default: false
        }
    }

    private static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }
}
/// What the beginning of a Markdown line turned out to be.
///
/// Decided from the scalars seen so far on the line; ``undecided`` means the
/// prefix could still become more than one thing (`"##"`, `"``"`, `"1"`, `"--"`),
/// so nothing of the line may be shown yet.
enum RefLineStart: Equatable {
    case undecided
    case blank
    /// Heading text starts at `contentStart`.
    case heading(level: Int, contentStart: Int)
    /// An opening code fence: the whole line is known.
    case fenceOpen(character: Unicode.Scalar, length: Int, info: String)
    case bullet(indent: Int, contentStart: Int)
    case ordered(indent: Int, marker: String, contentStart: Int)
    case quote(contentStart: Int)
    case rule
    /// Ordinary text: the whole line so far is content.
    case paragraph

    /// Longest prefix kept undecided; beyond it the line is taken as text.
    static let maximumPendingLength = 256

    /// Classifies a line outside a code block.
    ///
    /// - Parameters:
    ///   - line: the scalars of the line seen so far, without the newline.
    ///   - ended: whether the line is complete.
    static func classify(_ line: [Unicode.Scalar], ended: Bool) -> RefLineStart {
        if !ended, line.count > maximumPendingLength { return .paragraph }
        var index = 0
        while index < line.count, line[index] == " " { index += 1 }
        guard index < line.count else { return ended ? .blank : .undecided }
        let indent = index
        let first = line[index]
        switch first {
        case "#":
            let end = runEnd(of: "#", in: line, from: index)
            let level = end - index
            if level > 6 { return .paragraph }
            if end == line.count { return ended ? .heading(level: level, contentStart: end) : .undecided }
            return line[end] == " " ? .heading(level: level, contentStart: end + 1) : .paragraph
        case "`", "~":
            let end = runEnd(of: first, in: line, from: index)
            if end == line.count, !ended { return .undecided }
            if end - index < 3 { return .paragraph }
            let rest = line[end...]
            if first == "`", rest.contains("`") { return .paragraph }
            guard ended else { return .undecided }
            let info = String(String.UnicodeScalarView(rest)).refTrimmingSpaces()
            return .fenceOpen(character: first, length: end - index, info: info)
        case "-", "*", "+", "_":
            guard index + 1 < line.count else { return ended ? .paragraph : .undecided }
            if line[index + 1] == " ", first != "_" {
                return .bullet(indent: indent, contentStart: index + 2)
            }
            guard first != "+" else { return .paragraph }
            let rest = line[index...]
            guard rest.allSatisfy({ $0 == first || $0 == " " }) else { return .paragraph }
            guard ended else { return .undecided }
            return rest.filter { $0 == first }.count >= 3 ? .rule : .paragraph
        case "0"..."9":
            var end = index
            while end < line.count, ("0"..."9").contains(line[end]) { end += 1 }
            if end - index > 9 { return .paragraph }
            guard end < line.count else { return ended ? .paragraph : .undecided }
            guard line[end] == "." || line[end] == ")" else { return .paragraph }
            guard end + 1 < line.count else { return ended ? .paragraph : .undecided }
            guard line[end + 1] == " " else { return .paragraph }
            let marker = String(String.UnicodeScalarView(line[index...end]))
            return .ordered(indent: indent, marker: marker, contentStart: end + 2)
        case ">":
            guard index + 1 < line.count else {
                return ended ? .quote(contentStart: index + 1) : .undecided
            }
            return .quote(contentStart: line[index + 1] == " " ? index + 2 : index + 1)
        default:
            return .paragraph
        }
    }

    /// Whether a line inside a code block closes it: `nil` while undecided.
    static func closesFence(
        _ line: [Unicode.Scalar], ended: Bool, character: Unicode.Scalar, length: Int
    ) -> Bool? {
        if !ended, line.count > maximumPendingLength { return false }
        var index = 0
        while index < line.count, line[index] == " " { index += 1 }
        guard index < line.count else { return ended ? false : nil }
        guard line[index] == character else { return false }
        let end = runEnd(of: character, in: line, from: index)
        if end == line.count, !ended { return nil }
        guard end - index >= length else { return false }
        guard line[end...].allSatisfy({ $0 == " " }) else { return false }
        return ended ? true : nil
    }

    private static func runEnd(of scalar: Unicode.Scalar, in line: [Unicode.Scalar], from start: Int) -> Int {
        var end = start
        while end < line.count, line[end] == scalar { end += 1 }
        return end
    }
}

extension String {
    func refTrimmingSpaces() -> String {
        var scalars = Substring(self).unicodeScalars
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" || last == "\r" { scalars.removeLast() }
        return String(scalars)
    }
}
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
struct ReferenceMarkdownRenderer: Sendable {
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
    let theme: MarkdownTheme
    /// The width of horizontal rules and code fence lines, in columns.
    let ruleWidth: Int

    private var mode = Mode.lineStart
    private var lineStart: [Unicode.Scalar] = []
    private var fence: Fence?
    private var inline: RefInlineMarkdown
    private var output = RefStyledTextBuilder()

    /// Creates a renderer.
    ///
    /// - Parameters:
    ///   - theme: the styles for headings, code, lists and quotes.
    ///   - ruleWidth: the width of horizontal rules and code fence lines.
    init(theme: MarkdownTheme = .standard, ruleWidth: Int = 40) {
        self.theme = theme
        self.ruleWidth = max(3, ruleWidth)
        self.inline = RefInlineMarkdown(base: .plain, codeStyle: theme.inlineCode)
    }

    /// Consumes the next piece of the document and returns what can be shown now.
    mutating func feed(_ delta: String) -> StyledText {
        for scalar in delta.unicodeScalars { consume(scalar) }
        return output.take()
    }

    /// Flushes everything held back, as if the document ended here, and resets
    /// the renderer for a new document. A final line without a newline stays
    /// without one.
    mutating func finish() -> StyledText {
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
            switch RefLineStart.closesFence(lineStart, ended: ended, character: fence.character, length: fence.length) {
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
        let decision = RefLineStart.classify(lineStart, ended: ended)
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
