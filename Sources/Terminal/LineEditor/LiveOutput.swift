/// One piece of output queued for the line editor.
enum OutputItem: Sendable {
    /// Streamed text; may end mid-line.
    case text(StyledText)
    /// A whole status line: shown at once, and placed in the transcript once the streamed line ends.
    case status(StyledText)
    /// Closes the streamed line if it is unfinished.
    case endLine
    /// A control that draws nothing (bell, notification, title, prompt marks): written as is,
    /// in order with the rest.
    case control(TerminalControl)
}

/// The "live row" output strategy, as a state machine that does no I/O.
///
/// The prompt and the line being edited stay at the bottom of the screen and output goes
/// above them. Streamed text is wrapped here, at word boundaries, with hard line breaks:
/// the terminal never wraps it, so a terminal that reflows its lines on resize (tmux, most
/// modern ones) never joins a finished row with the unfinished one. Text that ends mid-line
/// leaves an unfinished last row, the *live row*, kept here with its styles. Status lines
/// that arrive while a live row is open are shown at once *below* it (above the prompt),
/// and placed in the transcript when the streamed line ends, so they never split a
/// paragraph and never wait for it either.
///
/// For each batch of output the renderer produces the bytes that:
/// 1. move to the top of the *volatile area* (live row, pending statuses, edit area: their
///    rows counted at the current width, as a reflowing terminal lays them out) and clear below;
/// 2. lay the live row out again at the current width, then the new text (`\n` as `\r\n`);
/// 3. write the new live row and the pending statuses, each ending with `\r\n`, so the
///    caller can let libedit redraw the prompt and the line on the fresh row below.
///
/// A *status row* (what a running turn is doing) may sit last in the volatile area, just
/// above the prompt: it is redrawn with every render and never enters the transcript.
struct LiveOutput {
    /// The unfinished last row of streamed text.
    private(set) var liveRow: [StyledText.Fragment] = []
    /// The columns the live row occupies.
    private(set) var liveRowWidth = 0
    /// Status lines shown below the live row, waiting for it to close.
    private(set) var heldStatuses: [StyledText] = []
    /// The last space in the live row: where a word that does not fit is moved from.
    private var lastSpace: (fragment: Int, offset: Int, widthBefore: Int)?
    /// The terminal width of the current render.
    private var columns = 80
    /// The status row wanted under the output, just above the prompt (``LineEditor/setStatusRow(_:)``),
    /// cut to one row of the width in use.
    var statusRow: StyledText?
    /// The status row on screen now (it is part of the volatile area, never of the transcript).
    private(set) var drawnStatusRow: StyledText?
    /// The width ``drawnStatusRow`` was cut to.
    private var drawnColumns = 80

    /// Whether a streamed line is unfinished.
    var hasLiveRow: Bool { !liveRow.isEmpty }

    /// The bytes that erase the volatile area, draw `items` above the prompt and leave the
    /// cursor at the start of an empty row where the prompt can be redrawn.
    ///
    /// - Parameters:
    ///   - items: the queued output, in order.
    ///   - editAreaCursorRow: the cursor's row within libedit's edit area.
    ///   - columns: the terminal width now.
    ///   - color: whether to emit colour codes.
    mutating func render(_ items: [OutputItem], editAreaCursorRow: Int, columns: Int, color: Bool) -> [UInt8] {
        let columns = max(1, columns)
        self.columns = columns
        var output = Array(Self.eraseSequence(rowsUp: editAreaCursorRow + volatileRows(columns: columns)).utf8)
        // Lay the live row out again: after a resize it may need more rows, or fewer.
        let previous = liveRow
        clearLiveRow()
        for fragment in previous { append(fragment, columns: columns, color: color, into: &output) }
        for item in items {
            switch item {
            case .text(let text):
                for fragment in text.fragments { append(fragment, columns: columns, color: color, into: &output) }
            case .status(let text):
                if hasLiveRow {
                    heldStatuses.append(text)
                } else {
                    writeLine(text, into: &output, color: color)
                }
            case .endLine:
                if hasLiveRow { commitLiveRow(into: &output, color: color) }
                flushHeldStatuses(into: &output, color: color)
            case .control(let control):
                output += Array(control.sequence.utf8)
            }
        }
        if hasLiveRow {
            ANSIWriter.append(liveRow, to: &output, color: color, carriageReturns: true)
            output += [13, 10]
            for status in heldStatuses { writeLine(status, into: &output, color: color) }
        }
        if let statusRow { writeLine(statusRow.truncated(toWidth: max(1, columns - 1)), into: &output, color: color) }
        drawnStatusRow = statusRow
        drawnColumns = columns
        return output
    }

    /// The bytes that put the cursor at column 0 of the row `rowsUp` above and clear everything below.
    ///
    /// The row is cleared on its own (`EL`) and the rest from its second column (`ED`): an `ED`
    /// from the screen's top-left corner is a whole-screen clear to tmux, which first scrolls the
    /// screen into its history (`scroll-on-clear`), and so would leave a stale copy of the prompt
    /// there each time the edit area is redrawn at the top of the screen.
    static func eraseSequence(rowsUp: Int) -> String {
        (rowsUp > 0 ? "\r\u{1B}[\(rowsUp)A" : "\r") + "\u{1B}[K\u{1B}[C\u{1B}[J\r"
    }

    /// Leaves the live row on screen as it is and forgets it (before the process is
    /// suspended, and at shutdown): erases the edit area and the pending statuses and
    /// writes those statuses as finished lines. Streaming continues on a new row.
    mutating func detach(editAreaCursorRow: Int, columns: Int, color: Bool) -> [UInt8] {
        let columns = max(1, columns)
        self.columns = columns
        let statusRows = hasLiveRow ? heldStatuses.reduce(0) { $0 + Self.rows(of: $1, columns: columns) } : 0
        var output = Array(Self.eraseSequence(rowsUp: editAreaCursorRow + statusRows + drawnStatusRowRows(columns: columns)).utf8)
        clearLiveRow()
        statusRow = nil
        drawnStatusRow = nil
        flushHeldStatuses(into: &output, color: color)
        return output
    }

    /// The rows above the edit area that the next render rewrites, at `columns`.
    private func volatileRows(columns: Int) -> Int {
        guard hasLiveRow else { return drawnStatusRowRows(columns: columns) }
        let liveRows = max(1, (liveRowWidth + columns - 1) / columns)
        return heldStatuses.reduce(liveRows + drawnStatusRowRows(columns: columns)) { $0 + Self.rows(of: $1, columns: columns) }
    }

    /// The rows the status row on screen occupies at `columns` (0 when none is drawn): it was
    /// drawn as one row, which a narrower terminal reflows over several.
    private func drawnStatusRowRows(columns: Int) -> Int {
        guard let drawnStatusRow else { return 0 }
        let width = drawnStatusRow.truncated(toWidth: max(1, drawnColumns - 1)).displayWidth
        return max(1, (width + columns - 1) / columns)
    }

    /// The rows a status line occupies at `columns`.
    private static func rows(of status: StyledText, columns: Int) -> Int {
        wrappedLine(status, columns: columns, color: false).reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
    }

    /// Writes a whole line, word-wrapped at the width in use like streamed text.
    private mutating func writeLine(_ text: StyledText, into output: inout [UInt8], color: Bool) {
        output += Self.wrappedLine(text, columns: columns, color: color)
    }

    /// The bytes of `text` as whole rows: wrapped at words with hard breaks, each row ending in `\r\n`.
    private static func wrappedLine(_ text: StyledText, columns: Int, color: Bool) -> [UInt8] {
        var wrapper = LiveOutput()
        var output: [UInt8] = []
        for fragment in text.fragments { wrapper.append(fragment, columns: columns, color: color, into: &output) }
        if wrapper.hasLiveRow || output.isEmpty { wrapper.commitLiveRow(into: &output, color: color) }
        return output
    }

    private mutating func flushHeldStatuses(into output: inout [UInt8], color: Bool) {
        guard !heldStatuses.isEmpty else { return }
        for status in heldStatuses { writeLine(status, into: &output, color: color) }
        heldStatuses = []
    }

    private mutating func clearLiveRow() {
        liveRow = []
        liveRowWidth = 0
        lastSpace = nil
    }

    /// Writes the live row as a finished row and starts an empty one.
    private mutating func commitLiveRow(into output: inout [UInt8], color: Bool) {
        ANSIWriter.append(liveRow, to: &output, color: color, carriageReturns: false)
        output += [13, 10]
        clearLiveRow()
    }

    /// Adds streamed text to the live row, writing every row it finishes.
    private mutating func append(_ fragment: StyledText.Fragment, columns: Int, color: Bool, into output: inout [UInt8]) {
        for scalar in fragment.text.unicodeScalars {
            if scalar == "\n" {
                commitLiveRow(into: &output, color: color)
                flushHeldStatuses(into: &output, color: color)
                continue
            }
            if scalar.value < 0x20 && scalar != "\t" || scalar.value == 0x7F { continue }
            var width = scalar == "\t" ? 8 - liveRowWidth % 8 : columnWidth(of: scalar)
            if width > 0, liveRowWidth + width > columns {
                wrap(before: scalar, width: width, columns: columns, into: &output, color: color)
                if scalar == " " { continue }  // a space at a row's end is the break itself
                if scalar == "\t" { width = 8 }
            }
            let index = liveRow.last?.style == fragment.style ? liveRow.count - 1 : liveRow.count
            if index == liveRow.count { liveRow.append(StyledText.Fragment("", fragment.style)) }
            if scalar == " ", liveRowWidth > 0 {
                lastSpace = (index, liveRow[index].text.utf8.count, liveRowWidth)
            }
            liveRow[index].text.unicodeScalars.append(scalar)
            liveRowWidth += width
        }
    }

    /// The live row is full: finish it before the last space (the word being written moves to
    /// the next row), or where it is when it has no space or the word alone is too long.
    private mutating func wrap(
        before scalar: Unicode.Scalar, width: Int, columns: Int, into output: inout [UInt8], color: Bool
    ) {
        guard scalar != " ", let space = lastSpace else {
            commitLiveRow(into: &output, color: color)
            return
        }
        var head = Array(liveRow[..<space.fragment])
        var tail: [StyledText.Fragment] = []
        let split = liveRow[space.fragment]
        let scalars = split.text.unicodeScalars
        let spaceIndex = split.text.utf8.index(split.text.utf8.startIndex, offsetBy: space.offset)
        head.append(StyledText.Fragment(String(scalars[..<spaceIndex]), split.style))
        tail.append(StyledText.Fragment(String(scalars[scalars.index(after: spaceIndex)...]), split.style))
        tail += liveRow[(space.fragment + 1)...]
        let tailWidth = liveRowWidth - space.widthBefore - 1
        ANSIWriter.append(head.filter { !$0.text.isEmpty }, to: &output, color: color, carriageReturns: false)
        output += [13, 10]
        clearLiveRow()
        liveRow = tail.filter { !$0.text.isEmpty }
        liveRowWidth = tailWidth
        if tailWidth + width > columns { commitLiveRow(into: &output, color: color) }
    }
}
