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
///
/// It works on UTF-8 bytes: runs of ordinary text between delimiters are
/// appended as whole slices, and a scalar is decoded only next to a delimiter
/// run, where the rules look at its properties.
///
/// A link, `[text](url)`, is the one thing held back longer: from its `[` until
/// its `)` (at most ``maximumLinkBytes``, within the line). It is shown as its
/// text, underlined, followed by the URL in parentheses (dim); just the URL when
/// the text is the URL. With ``hyperlinks`` on and a URL that ``Hyperlink`` accepts,
/// the text alone is shown, underlined and carrying the URL as an OSC 8 hyperlink.
/// What turns out not to be a link is shown as written.
struct InlineMarkdown {
    /// A link being collected: its text, then (after `](`) its URL.
    private struct PendingLink {
        var text: [UInt8] = []
        var url: [UInt8] = []
        /// `]` was seen: a `(` must follow.
        var closedText = false
        /// `](` was seen: collecting the URL.
        var inURL = false
        var count: Int { text.count + url.count }
    }

    /// Bytes of a link held back at most; a longer one is shown as written.
    static let maximumLinkBytes = 2048

    /// The style of the block the line belongs to (heading, quote, plain).
    var base: Style {
        didSet { updateStyle() }
    }
    private let codeStyle: Style
    private var bold = false
    /// `*` or `_` while an italic span is open, else 0.
    private var italic: UInt8 = 0
    private var codeRun = 0
    /// The delimiter byte of the run held back (0: none) and its length.
    private var pendingByte: UInt8 = 0
    private var pendingCount = 0
    private var pendingEscape = false
    private var previous: Unicode.Scalar?
    /// The style of text emitted now, kept up to date with the spans.
    private var style: Style
    private var link: PendingLink?
    /// The text of a resolved link is being emitted (underlined).
    private var inLinkText = false
    /// The hyperlink the link text being emitted carries, if any.
    private var linkTarget: Hyperlink?
    /// Whether a link with an acceptable URL becomes an OSC 8 hyperlink rather than `text (url)`.
    let hyperlinks: Bool

    init(base: Style, codeStyle: Style, hyperlinks: Bool = false) {
        self.base = base
        self.codeStyle = codeStyle
        self.style = base
        self.hyperlinks = hyperlinks
    }

    private mutating func updateStyle() {
        if codeRun > 0 {
            style = base.merging(codeStyle)
        } else {
            style = base
            if bold { style.isBold = true }
            if italic != 0 { style.isItalic = true }
        }
        if inLinkText {
            style.isUnderlined = true
            style.hyperlink = linkTarget
        }
    }

    private static let backslash = UInt8(ascii: "\\")
    private static let backtick = UInt8(ascii: "`")

    /// Consumes `bytes[start...]` up to the first line break (`"\n"` or `"\r"`)
    /// and returns its index, or `bytes.count`.
    mutating func consume(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, into output: inout StyledTextBuilder) -> Int {
        let count = bytes.count
        guard start < count, let base = bytes.baseAddress else { return start }
        var index = start
        while index < count {
            let byte = base[index]
            if byte == 0x0A || byte == 0x0D { return index }
            if pendingByte != 0 || pendingEscape || link != nil {
                let (scalar, length) = UTF8Scanning.scalar(in: bytes, at: index)
                consume(scalar, bytes: UnsafeBufferPointer(start: base + index, count: length), into: &output)
                index &+= length
                continue
            }
            // A run of bytes that need no decision.
            var end = index
            if codeRun > 0 {
                while end < count, !Self.endsCodeText(base[end]) { end &+= 1 }
            } else {
                while end < count, !Self.endsText(base[end]) { end &+= 1 }
            }
            if end > index {
                output.append(UnsafeBufferPointer(start: base + index, count: end &- index), style)
                previous = UTF8Scanning.lastScalar(in: bytes, start: index, end: end)
                index = end
                continue
            }
            // An ASCII byte that needs a decision.
            consume(Unicode.Scalar(byte), bytes: UnsafeBufferPointer(start: base + index, count: 1), into: &output)
            index &+= 1
        }
        return index
    }

    /// Bytes outside a code span that need a decision: line breaks, `*`, `[`, `\`, `_`, `` ` ``.
    @inline(__always)
    private static func endsText(_ byte: UInt8) -> Bool {
        // Bits 10 (\n), 13 (\r), 42 (*) of the low word; 91 ([), 92 (\), 95 (_), 96 (`) of the high word.
        if byte < 64 { return (0x0000_0400_0000_2400 as UInt64) >> UInt64(byte) & 1 != 0 }
        if byte < 128 { return (0x0000_0001_9800_0000 as UInt64) >> UInt64(byte &- 64) & 1 != 0 }
        return false
    }

    /// Bytes inside a code span that need a decision: line breaks and `` ` ``.
    @inline(__always)
    private static func endsCodeText(_ byte: UInt8) -> Bool {
        byte == 0x60 || byte == 0x0A || byte == 0x0D
    }

    /// Consumes one scalar of the line (never a newline); `bytes` are its UTF-8 bytes.
    private mutating func consume(_ scalar: Unicode.Scalar, bytes: UnsafeBufferPointer<UInt8>, into output: inout StyledTextBuilder) {
        if link != nil, collectLink(scalar, bytes: bytes, into: &output) { return }
        if pendingByte != 0 {
            if scalar.value == UInt32(pendingByte) {
                pendingCount += 1
                return
            }
            resolveRun(next: scalar, into: &output)
        }
        if pendingEscape {
            pendingEscape = false
            if Self.isASCIIPunctuation(scalar) {
                emit(scalar, bytes: bytes, into: &output)
                return
            }
            output.append(ascii: Self.backslash, style)
            previous = "\\"
        }
        if codeRun > 0 {
            if scalar == "`" {
                pendingByte = Self.backtick
                pendingCount = 1
            } else {
                emit(scalar, bytes: bytes, into: &output)
            }
            return
        }
        switch scalar {
        case "[" where !inLinkText:
            link = PendingLink()
        case "\\":
            pendingEscape = true
        case "*", "_", "`":
            pendingByte = UInt8(scalar.value)
            pendingCount = 1
        default:
            emit(scalar, bytes: bytes, into: &output)
        }
    }

    // MARK: - Links

    /// Takes the next scalar of a pending link; false when it is not part of it (the link
    /// failed and was shown as written: the scalar is then consumed as usual).
    private mutating func collectLink(_ scalar: Unicode.Scalar, bytes: UnsafeBufferPointer<UInt8>,
                                      into output: inout StyledTextBuilder) -> Bool {
        guard var pending = link else { return false }
        /// Shows the failed link as written; its replay may have started another link, which
        /// then takes the scalar.
        func fail() -> Bool {
            failLink(into: &output)
            return link != nil && collectLink(scalar, bytes: bytes, into: &output)
        }
        if pending.count + bytes.count > Self.maximumLinkBytes { return fail() }
        if pending.inURL {
            if scalar == ")" {
                link = nil
                emitLink(pending, into: &output)
                return true
            }
            if scalar == " " { return fail() }
            pending.url.append(contentsOf: bytes)
        } else if pending.closedText {
            guard scalar == "(" else { return fail() }
            pending.inURL = true
        } else if scalar == "]" {
            pending.closedText = true
        } else {
            pending.text.append(contentsOf: bytes)
        }
        link = pending
        return true
    }

    /// Shows a pending link that turned out not to be one as it was written.
    private mutating func failLink(into output: inout StyledTextBuilder) {
        guard let pending = link else { return }
        link = nil
        var written: [UInt8] = pending.text
        if pending.closedText { written.append(UInt8(ascii: "]")) }
        if pending.inURL { written.append(UInt8(ascii: "(")); written += pending.url }
        emitLiteral(UInt8(ascii: "["), count: 1, into: &output)
        // The `[` is literal; the rest is ordinary text (a `[` in it may start a link again).
        replay(written, into: &output)
    }

    /// Shows a link: its text underlined (with its inline styles), then ` (url)` dim; or, as a
    /// hyperlink, the text alone carrying the URL.
    private mutating func emitLink(_ pending: PendingLink, into output: inout StyledTextBuilder) {
        let url = String(decoding: pending.url, as: UTF8.self)
        let text = String(decoding: pending.text, as: UTF8.self)
        let target = hyperlinks ? Hyperlink(url) : nil
        if text == url || text.isEmpty {
            output.append(url, style.merging(Style(underline: true, hyperlink: target)))
        } else {
            inLinkText = true
            linkTarget = target
            updateStyle()
            replay(pending.text, into: &output)
            if pendingByte != 0 { resolveRun(next: nil, into: &output) }
            inLinkText = false
            linkTarget = nil
            updateStyle()
            if !url.isEmpty, target == nil { output.append(" (" + url + ")", style.merging(.dim)) }
        }
        previous = ")"
    }

    private mutating func replay(_ bytes: [UInt8], into output: inout StyledTextBuilder) {
        bytes.withUnsafeBufferPointer { buffer in
            _ = consume(buffer, from: 0, into: &output)
            output.detach()
        }
    }

    /// Resolves whatever is held back at the end of the line and closes all spans.
    mutating func endLine(into output: inout StyledTextBuilder) {
        // Replaying a failed link may start another one (a later `[`): each replay is shorter.
        while link != nil { failLink(into: &output) }
        if pendingByte != 0 { resolveRun(next: nil, into: &output) }
        if pendingEscape {
            pendingEscape = false
            output.append(ascii: Self.backslash, style)
        }
        bold = false
        italic = 0
        codeRun = 0
        previous = nil
        inLinkText = false
        linkTarget = nil
        updateStyle()
    }

    @inline(__always)
    private mutating func emit(_ scalar: Unicode.Scalar, bytes: UnsafeBufferPointer<UInt8>, into output: inout StyledTextBuilder) {
        output.append(bytes, style)
        previous = scalar
    }

    private mutating func emitLiteral(_ byte: UInt8, count: Int, into output: inout StyledTextBuilder) {
        output.append(ascii: byte, count: count, style)
        previous = Unicode.Scalar(byte)
    }

    private mutating func resolveRun(next: Unicode.Scalar?, into output: inout StyledTextBuilder) {
        guard pendingByte != 0 else { return }
        let byte = pendingByte, count = pendingCount
        pendingByte = 0
        pendingCount = 0
        defer {
            previous = Unicode.Scalar(byte)
            updateStyle()
        }
        if codeRun > 0 {
            if count == codeRun { codeRun = 0 } else { emitLiteral(byte, count: count, into: &output) }
            return
        }
        if byte == Self.backtick {
            codeRun = count
            return
        }
        let previousIsSpace = previous.map(UTF8Scanning.isWhitespace) ?? true
        let nextIsSpace = next.map(UTF8Scanning.isWhitespace) ?? true
        let previousIsWord = previous.map(UTF8Scanning.isWord) ?? false
        let nextIsWord = next.map(UTF8Scanning.isWord) ?? false
        let canOpen = !nextIsSpace && !previousIsWord
        let canClose = !previousIsSpace && (byte == UInt8(ascii: "*") || !nextIsWord)
        switch count {
        case 1:
            if italic == byte, canClose {
                italic = 0
            } else if italic == 0, canOpen {
                italic = byte
            } else {
                emitLiteral(byte, count: count, into: &output)
            }
        case 2:
            if bold, canClose {
                bold = false
            } else if !bold, canOpen {
                bold = true
            } else {
                emitLiteral(byte, count: count, into: &output)
            }
        case 3:
            if bold, italic == byte, canClose {
                bold = false
                italic = 0
            } else if !bold, italic == 0, canOpen {
                bold = true
                italic = byte
            } else {
                emitLiteral(byte, count: count, into: &output)
            }
        default:
            emitLiteral(byte, count: count, into: &output)
        }
    }

    private static func isASCIIPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x21...0x2F, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E: true
        default: false
        }
    }
}
