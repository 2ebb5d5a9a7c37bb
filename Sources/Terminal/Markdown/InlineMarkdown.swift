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
struct InlineMarkdown {
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
    mutating func consume(_ scalar: Unicode.Scalar, into output: inout StyledTextBuilder) {
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
    mutating func endLine(into output: inout StyledTextBuilder) {
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

    private mutating func emit(_ scalar: Unicode.Scalar, into output: inout StyledTextBuilder) {
        output.append(scalar, currentStyle)
        previous = scalar
    }

    private mutating func emitLiteral(_ scalar: Unicode.Scalar, count: Int, into output: inout StyledTextBuilder) {
        for _ in 0..<count { output.append(scalar, currentStyle) }
        previous = scalar
    }

    private mutating func resolveRun(next: Unicode.Scalar?, into output: inout StyledTextBuilder) {
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
