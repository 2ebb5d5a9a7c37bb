/// A Markdown pipe table (`| a | b |` rows, the second a delimiter row such as `|---|:--:|`),
/// laid out for a terminal: aligned columns in a box of line-drawing characters, cells wrapped
/// between words so that the table fits the width.
///
/// ```
/// ┌───────┬──────┐
/// │ Name  │ Size │
/// ├───────┼──────┤
/// │ a.txt │   12 │
/// └───────┴──────┘
/// ```
///
/// Rows start with `|`; a `|` inside a cell is written `\|` (or sits in a code span). Rows with
/// fewer cells than the header are padded, extra cells are dropped. Cells are rendered with the
/// inline Markdown rules (bold, italics, code). When the columns cannot shrink enough (a word
/// wider than its column), words are cut; a table with more columns than the width can hold
/// overflows it.
struct MarkdownTable {
    enum Alignment: Equatable { case left, center, right }

    var header: [StyledText]
    var alignments: [Alignment]
    var rows: [[StyledText]]

    /// The table of `lines` (each a whole row, without its newline), or `nil` when they are not a
    /// table: fewer than two lines, or a second line that is not a delimiter row.
    init?(lines: [[UInt8]], theme: MarkdownTheme, hyperlinks: Bool = false) {
        guard lines.count >= 2 else { return nil }
        let cells = lines.map { Self.cells(of: String(decoding: $0, as: UTF8.self)) }
        guard let alignments = Self.alignments(cells[1]), !cells[0].isEmpty else { return nil }
        let columns = cells[0].count
        func styled(_ row: [String]) -> [StyledText] {
            (0..<columns).map { index in index < row.count ? Self.inline(row[index], theme: theme, hyperlinks: hyperlinks) : StyledText() }
        }
        self.header = styled(cells[0]).map { $0.applying(.bold) }
        self.alignments = (0..<columns).map { $0 < alignments.count ? alignments[$0] : .left }
        self.rows = cells.dropFirst(2).map(styled)
    }

    /// The table drawn to fit `width` columns, one `\n`-terminated line after another.
    func rendered(width: Int, borderStyle: Style) -> StyledText {
        let widths = columnWidths(fitting: width)
        var output = StyledText()
        func border(_ left: String, _ middle: String, _ right: String) {
            output.append(left + widths.map { String(repeating: "─", count: $0 + 2) }.joined(separator: middle) + right + "\n",
                          borderStyle)
        }
        func row(_ cells: [StyledText]) {
            let wrapped = cells.indices.map { cells[$0].wrapped(toWidth: widths[$0]) }
            let height = wrapped.map(\.count).max() ?? 1
            for line in 0..<height {
                output.append("│", borderStyle)
                for (column, cellLines) in wrapped.enumerated() {
                    let text = line < cellLines.count ? cellLines[line] : StyledText()
                    let room = widths[column] - text.displayWidth
                    let before = switch alignments[column] {
                    case .left: 0
                    case .right: room
                    case .center: room / 2
                    }
                    output.append(" " + String(repeating: " ", count: before))
                    output.append(text)
                    output.append(String(repeating: " ", count: room - before) + " ")
                    output.append("│", borderStyle)
                }
                output.append("\n")
            }
        }
        border("┌", "┬", "┐")
        row(header)
        border("├", "┼", "┤")
        for cells in rows { row(cells) }
        border("└", "┴", "┘")
        return output
    }

    /// Each column's natural width (its widest cell), the widest shrunk one column at a time
    /// until the table fits `width` (borders and padding take 3 columns per column, plus 1).
    func columnWidths(fitting width: Int) -> [Int] {
        var widths = header.indices.map { column in
            max(1, ([header[column]] + rows.map { $0[column] }).map(\.displayWidth).max() ?? 1)
        }
        let available = width - 3 * widths.count - 1
        var total = widths.reduce(0, +)
        while total > available, let widest = widths.indices.max(by: { widths[$0] < widths[$1] }), widths[widest] > 1 {
            widths[widest] -= 1
            total -= 1
        }
        return widths
    }

    // MARK: - Parsing

    /// The cells of a row: split at `|` outside code spans and escapes, the outer pipes dropped,
    /// each trimmed, `\|` turned into `|`.
    static func cells(of line: String) -> [String] {
        var cells: [String] = []
        var current = ""
        var inCode = false
        var escaped = false
        var text = Substring(line.trimmingSpaces())
        if text.first == "|" { text = text.dropFirst() }
        for character in text {
            if escaped {
                current += character == "|" ? "|" : "\\" + String(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "`" {
                inCode.toggle()
                current.append(character)
            } else if character == "|", !inCode {
                cells.append(current.trimmingSpaces())
                current = ""
            } else {
                current.append(character)
            }
        }
        if escaped { current += "\\" }
        let last = current.trimmingSpaces()
        if !last.isEmpty { cells.append(last) }
        return cells
    }

    /// The alignments of a delimiter row (`---`, `:--`, `--:`, `:-:` per cell), or `nil`.
    static func alignments(_ cells: [String]) -> [Alignment]? {
        var result: [Alignment] = []
        for cell in cells {
            let left = cell.hasPrefix(":"), right = cell.hasSuffix(":")
            let dashes = cell.dropFirst(left ? 1 : 0).dropLast(right && cell.count > 1 ? 1 : 0)
            guard !dashes.isEmpty, dashes.allSatisfy({ $0 == "-" }) else { return nil }
            result.append(left && right ? .center : right ? .right : .left)
        }
        return result.isEmpty ? nil : result
    }

    /// A cell's text with the inline Markdown rules applied.
    static func inline(_ text: String, theme: MarkdownTheme, hyperlinks: Bool = false) -> StyledText {
        var inline = InlineMarkdown(base: .plain, codeStyle: theme.inlineCode, hyperlinks: hyperlinks)
        var output = StyledTextBuilder()
        var bytes = text
        bytes.withUTF8 { buffer in
            _ = inline.consume(buffer, from: 0, into: &output)
            output.detach()
        }
        inline.endLine(into: &output)
        return output.take()
    }
}
