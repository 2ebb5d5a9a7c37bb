/// One piece of output queued for the line editor.
enum OutputItem: Sendable {
    /// Streamed text; may end mid-line.
    case text(StyledText)
    /// A whole status line, held while a streamed line is unfinished.
    case status(StyledText)
    /// Closes the streamed line if it is unfinished.
    case endLine
}

/// The "live row" output strategy, as a state machine that does no I/O.
///
/// The prompt and the line being edited stay at the bottom of the screen and
/// output goes above them. Streamed text that ends mid-line leaves an
/// unfinished last visual row, the *live row*, which sits just above the
/// prompt. For each batch of output the renderer produces the bytes that:
/// 1. move to the top of the edit area (and of the live row) and clear below;
/// 2. write the live row again, then the new text (`\n` as `\r\n`);
/// 3. remember the new live row: the text after the last newline, cut to its
///    last visual row by display width;
/// 4. end with `\r\n` if the live row is not empty, so the caller can let
///    libedit redraw the prompt and the line on the fresh row below.
///
/// Status lines are written only when the live row is empty; otherwise they
/// are held until the streamed line closes, so they never split a paragraph.
/// The live row keeps its fragments with their styles, so rewriting it
/// re-emits the active colour.
struct LiveOutput {
    /// The unfinished last visual row of streamed text.
    private(set) var liveRow: [StyledText.Fragment] = []
    /// The columns the live row occupies.
    private(set) var liveRowWidth = 0
    /// Status lines waiting for the live row to close.
    private(set) var heldStatuses: [StyledText] = []

    /// Whether a streamed line is unfinished.
    var hasLiveRow: Bool { !liveRow.isEmpty }

    /// The bytes that erase the edit area (and the live row), draw `items`
    /// above the prompt and leave the cursor at the start of an empty row
    /// where the prompt can be redrawn.
    ///
    /// - Parameters:
    ///   - items: the queued output, in order.
    ///   - editAreaCursorRow: the cursor's row within libedit's edit area.
    ///   - columns: the terminal width.
    ///   - color: whether to emit colour codes.
    mutating func render(_ items: [OutputItem], editAreaCursorRow: Int, columns: Int, color: Bool) -> [UInt8] {
        var output = Array(Self.eraseSequence(rowsUp: editAreaCursorRow + (hasLiveRow ? 1 : 0)).utf8)
        ANSIWriter.append(liveRow, to: &output, color: color, carriageReturns: true)
        for item in items {
            switch item {
            case .text(let text):
                ANSIWriter.append(text.fragments, to: &output, color: color, carriageReturns: true)
                advance(over: text.fragments, columns: max(1, columns))
                if !hasLiveRow { flushHeldStatuses(into: &output, color: color) }
            case .status(let text):
                if hasLiveRow {
                    heldStatuses.append(text)
                } else {
                    writeLine(text, into: &output, color: color)
                }
            case .endLine:
                if hasLiveRow {
                    output += [13, 10]
                    liveRow = []
                    liveRowWidth = 0
                }
                flushHeldStatuses(into: &output, color: color)
            }
        }
        if hasLiveRow { output += [13, 10] }
        return output
    }

    /// The bytes that put the cursor at column 0 of the row `rowsUp` above and clear everything below.
    static func eraseSequence(rowsUp: Int) -> String {
        rowsUp > 0 ? "\r\u{1B}[\(rowsUp)A\u{1B}[J" : "\r\u{1B}[J"
    }

    /// Forgets the live row without touching the screen: after the process was
    /// suspended the shell has written below it, so it is no longer just above
    /// the prompt. Streaming continues on a new row; held statuses come out
    /// with the next output.
    mutating func detachLiveRow() {
        liveRow = []
        liveRowWidth = 0
    }

    /// Closes the live row and returns the bytes for the held statuses, for shutdown.
    mutating func closeForShutdown(color: Bool) -> [UInt8] {
        var output: [UInt8] = []
        liveRow = []
        liveRowWidth = 0
        flushHeldStatuses(into: &output, color: color)
        return output
    }

    private mutating func writeLine(_ text: StyledText, into output: inout [UInt8], color: Bool) {
        ANSIWriter.append(text.fragments, to: &output, color: color, carriageReturns: true)
        output += [13, 10]
    }

    private mutating func flushHeldStatuses(into output: inout [UInt8], color: Bool) {
        guard !heldStatuses.isEmpty else { return }
        for status in heldStatuses { writeLine(status, into: &output, color: color) }
        heldStatuses = []
    }

    /// Updates the live row after `fragments` were written. Works on UTF-8
    /// bytes and only looks at the text after the last newline.
    private mutating func advance(over fragments: [StyledText.Fragment], columns: Int) {
        for fragment in fragments where !fragment.text.isEmpty {
            var text = fragment.text
            let kept: String? = text.withUTF8 { bytes in
                var start = 0
                if let newline = bytes.lastIndex(of: 10) {
                    liveRow = []
                    liveRowWidth = 0
                    start = newline + 1
                }
                guard start < bytes.count else { return nil }
                var rowStart = start
                var index = start
                while index < bytes.count {
                    let (width, length) = Self.measure(bytes, at: index, column: liveRowWidth, columns: columns)
                    if width > 0, liveRowWidth + width > columns {
                        // The terminal wrapped: everything before this character is final.
                        liveRow = []
                        liveRowWidth = 0
                        rowStart = index
                    }
                    liveRowWidth += width
                    index += length
                }
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[rowStart...]), as: UTF8.self)
            }
            if let kept { liveRow.append(StyledText.Fragment(kept, fragment.style)) }
        }
    }

    /// The columns and byte length of the character starting at `index`.
    private static func measure(
        _ bytes: UnsafeBufferPointer<UInt8>, at index: Int, column: Int, columns: Int
    ) -> (width: Int, length: Int) {
        let lead = bytes[index]
        if lead < 0x80 {
            if lead == 9 { return (min(8 - column % 8, max(0, columns - column)), 1) }
            return (lead >= 0x20 && lead != 0x7F ? 1 : 0, 1)
        }
        let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
        guard length > 1, index + length <= bytes.count else { return (0, 1) }
        var value = UInt32(lead) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
        for offset in 1..<length { value = value << 6 | UInt32(bytes[index + offset] & 0x3F) }
        return (Unicode.Scalar(value).map(columnWidth(of:)) ?? 0, length)
    }
}
