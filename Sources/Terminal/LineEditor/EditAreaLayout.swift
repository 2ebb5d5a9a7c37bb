/// Where libedit puts the prompt and the line being edited, row by row.
///
/// Output above the prompt must first erase the edit area, which means moving
/// the cursor up to its first row. That row count has to match libedit's own
/// layout exactly, including wrapped input: a character of width `w` that does
/// not fit in the rest of the row moves to the next row (when `w > 1`), a row
/// that becomes full wraps, `\n` starts a new row, tabs advance to the next
/// multiple of 8, ASCII control characters show as `^X` (2 columns) and other
/// non-printable characters as `\U+XXXX`.
enum EditAreaLayout {
    /// The row (from 0) of the position after `scalars`, laid out from column 0.
    static func row(after scalars: some Sequence<Unicode.Scalar>, columns: Int) -> Int {
        var position = Position(columns: max(1, columns))
        for scalar in scalars { position.advance(over: scalar) }
        return position.row
    }

    /// The cursor's row within the edit area.
    static func cursorRow(prompt: String, line: [Unicode.Scalar], cursor: Int, columns: Int) -> Int {
        row(after: Array(prompt.unicodeScalars) + line.prefix(max(0, min(cursor, line.count))), columns: columns)
    }

    /// The last row the edit area occupies.
    static func lastRow(prompt: String, line: [Unicode.Scalar], columns: Int) -> Int {
        row(after: Array(prompt.unicodeScalars) + line, columns: columns)
    }

    /// The columns libedit gives one scalar.
    static func visualWidth(of scalar: Unicode.Scalar) -> Int {
        if scalar.value < 0x20 || scalar.value == 0x7F { return 2 }
        if scalar.value < 0x7F { return 1 }
        if (0x80..<0xA0).contains(scalar.value) { return 2 }
        if scalar.properties.generalCategory == .unassigned || scalar.properties.generalCategory == .privateUse {
            return scalar.value > 0xFFFF ? 8 : 7
        }
        return columnWidth(of: scalar)
    }

    private struct Position {
        let columns: Int
        var row = 0
        var column = 0

        init(columns: Int) { self.columns = columns }

        mutating func advance(over scalar: Unicode.Scalar) {
            switch scalar {
            case "\n":
                row += 1
                column = 0
                return
            case "\t":
                let width = 8 - column % 8
                place(width: width, padIfWide: false)
            default:
                place(width: visualWidth(of: scalar), padIfWide: true)
            }
        }

        private mutating func place(width: Int, padIfWide: Bool) {
            if padIfWide, width > 1, column + width > columns {
                row += 1
                column = 0
            }
            column += width
            while column >= columns {
                row += 1
                column -= columns
            }
        }
    }
}
