import CEditLine

/// The number of terminal columns `text` occupies.
///
/// Each Unicode scalar counts as `wcwidth` says (East Asian wide characters
/// and most emoji take 2, combining marks 0); control characters count 0, and
/// ANSI escape sequences (CSI and OSC) are skipped entirely. Tabs count 0 here;
/// callers that lay out tabs do so themselves.
public func displayWidth(of text: String) -> Int {
    var width = 0
    var scanner = EscapeScanner()
    for scalar in text.unicodeScalars where !scanner.consume(scalar) {
        width += columnWidth(of: scalar)
    }
    return width
}

/// The prefix of `text` that fits in `width` columns, with `ellipsis` at the
/// end when anything was cut. Escape sequences are kept; none is split.
public func truncate(_ text: String, toWidth width: Int, ellipsis: String = "…") -> String {
    guard displayWidth(of: text) > width else { return text }
    let budget = max(0, width - displayWidth(of: ellipsis))
    var used = 0
    var result = ""
    var scanner = EscapeScanner()
    for scalar in text.unicodeScalars {
        if scanner.consume(scalar) {
            result.unicodeScalars.append(scalar)
            continue
        }
        let columns = columnWidth(of: scalar)
        if used + columns > budget { break }
        used += columns
        result.unicodeScalars.append(scalar)
    }
    return width > 0 ? result + ellipsis : ""
}

extension StyledText {
    /// The text cut to `width` columns, ending in `ellipsis` (in the style of
    /// the last kept fragment) when anything was cut.
    public func truncated(toWidth width: Int, ellipsis: String = "…") -> StyledText {
        guard displayWidth > width else { return self }
        let budget = max(0, width - Terminal.displayWidth(of: ellipsis))
        var used = 0
        var result = StyledText()
        var lastStyle = Style.plain
        outer: for fragment in fragments {
            var kept = ""
            for scalar in fragment.text.unicodeScalars {
                let columns = columnWidth(of: scalar)
                if used + columns > budget {
                    result.append(kept, fragment.style)
                    lastStyle = fragment.style
                    break outer
                }
                used += columns
                kept.unicodeScalars.append(scalar)
            }
            result.append(kept, fragment.style)
            lastStyle = fragment.style
        }
        if width > 0 { result.append(ellipsis, lastStyle) }
        return result
    }
}

/// Columns of one scalar as the terminal draws it (`wcwidth`, negatives as 0).
func columnWidth(of scalar: Unicode.Scalar) -> Int {
    if scalar.value < 0x7F { return scalar.value >= 0x20 ? 1 : 0 }
    LocaleSetup.ensureUTF8()
    return max(0, Int(wcwidth(wchar_t(bitPattern: scalar.value))))
}

/// Recognises ANSI escape sequences one scalar at a time.
struct EscapeScanner {
    private enum State { case text, escape, csi, osc, oscEscape }
    private var state = State.text

    /// Returns true when `scalar` belongs to an escape sequence.
    mutating func consume(_ scalar: Unicode.Scalar) -> Bool {
        switch state {
        case .text:
            if scalar == "\u{1B}" {
                state = .escape
                return true
            }
            return false
        case .escape:
            state = scalar == "[" ? .csi : scalar == "]" ? .osc : .text
            return true
        case .csi:
            if (0x40...0x7E).contains(scalar.value) { state = .text }
            return true
        case .osc:
            if scalar == "\u{07}" { state = .text } else if scalar == "\u{1B}" { state = .oscEscape }
            return true
        case .oscEscape:
            state = .text
            return true
        }
    }
}
