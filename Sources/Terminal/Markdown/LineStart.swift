/// What the beginning of a Markdown line turned out to be.
///
/// Decided from the UTF-8 bytes seen so far on the line (every marker is ASCII,
/// so byte positions stand in for scalar positions); ``undecided`` means the
/// prefix could still become more than one thing (`"##"`, `"``"`, `"1"`, `"--"`),
/// so nothing of the line may be shown yet.
enum LineStart: Equatable {
    case undecided
    case blank
    /// Heading text starts at byte offset `contentStart`.
    case heading(level: Int, contentStart: Int)
    /// An opening code fence: the whole line is known.
    case fenceOpen(character: UInt8, length: Int, info: String)
    case bullet(indent: Int, contentStart: Int)
    case ordered(indent: Int, marker: String, contentStart: Int)
    case quote(contentStart: Int)
    /// A row of a pipe table (`| a | b |`): the line is collected whole.
    case tableRow
    case rule
    /// Ordinary text: the whole line so far is content.
    case paragraph

    /// Longest prefix kept undecided, in scalars; beyond it the line is taken as text.
    static let maximumPendingLength = 256

    /// Classifies a line outside a code block.
    ///
    /// - Parameters:
    ///   - line: the UTF-8 bytes of the line seen so far, without the newline.
    ///   - scalarCount: the number of scalars in `line`.
    ///   - ended: whether the line is complete.
    static func classify(_ line: [UInt8], scalarCount: Int, ended: Bool) -> LineStart {
        if !ended, scalarCount > maximumPendingLength { return .paragraph }
        var index = 0
        while index < line.count, line[index] == space { index += 1 }
        guard index < line.count else { return ended ? .blank : .undecided }
        let indent = index
        let first = line[index]
        switch first {
        case UInt8(ascii: "#"):
            let end = runEnd(of: first, in: line, from: index)
            let level = end - index
            if level > 6 { return .paragraph }
            if end == line.count { return ended ? .heading(level: level, contentStart: end) : .undecided }
            return line[end] == space ? .heading(level: level, contentStart: end + 1) : .paragraph
        case UInt8(ascii: "`"), UInt8(ascii: "~"):
            let end = runEnd(of: first, in: line, from: index)
            if end == line.count, !ended { return .undecided }
            if end - index < 3 { return .paragraph }
            let rest = line[end...]
            if first == UInt8(ascii: "`"), rest.contains(UInt8(ascii: "`")) { return .paragraph }
            guard ended else { return .undecided }
            let info = String(decoding: rest, as: UTF8.self).trimmingSpaces()
            return .fenceOpen(character: first, length: end - index, info: info)
        case UInt8(ascii: "-"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "_"):
            guard index + 1 < line.count else { return ended ? .paragraph : .undecided }
            if line[index + 1] == space, first != UInt8(ascii: "_") {
                return .bullet(indent: indent, contentStart: index + 2)
            }
            guard first != UInt8(ascii: "+") else { return .paragraph }
            let rest = line[index...]
            guard rest.allSatisfy({ $0 == first || $0 == space }) else { return .paragraph }
            guard ended else { return .undecided }
            return rest.filter { $0 == first }.count >= 3 ? .rule : .paragraph
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            var end = index
            while end < line.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(line[end]) { end += 1 }
            if end - index > 9 { return .paragraph }
            guard end < line.count else { return ended ? .paragraph : .undecided }
            guard line[end] == UInt8(ascii: ".") || line[end] == UInt8(ascii: ")") else { return .paragraph }
            guard end + 1 < line.count else { return ended ? .paragraph : .undecided }
            guard line[end + 1] == space else { return .paragraph }
            let marker = String(decoding: line[index...end], as: UTF8.self)
            return .ordered(indent: indent, marker: marker, contentStart: end + 2)
        case UInt8(ascii: "|"):
            return .tableRow
        case UInt8(ascii: ">"):
            guard index + 1 < line.count else {
                return ended ? .quote(contentStart: index + 1) : .undecided
            }
            return .quote(contentStart: line[index + 1] == space ? index + 2 : index + 1)
        default:
            return .paragraph
        }
    }

    /// Whether a line inside a code block closes it: `nil` while undecided.
    static func closesFence(
        _ line: [UInt8], scalarCount: Int, ended: Bool, character: UInt8, length: Int
    ) -> Bool? {
        if !ended, scalarCount > maximumPendingLength { return false }
        var index = 0
        while index < line.count, line[index] == space { index += 1 }
        guard index < line.count else { return ended ? false : nil }
        guard line[index] == character else { return false }
        let end = runEnd(of: character, in: line, from: index)
        if end == line.count, !ended { return nil }
        guard end - index >= length else { return false }
        guard line[end...].allSatisfy({ $0 == space }) else { return false }
        return ended ? true : nil
    }

    private static let space = UInt8(ascii: " ")

    private static func runEnd(of byte: UInt8, in line: [UInt8], from start: Int) -> Int {
        var end = start
        while end < line.count, line[end] == byte { end += 1 }
        return end
    }
}

extension String {
    func trimmingSpaces() -> String {
        var scalars = Substring(self).unicodeScalars
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" || last == "\r" { scalars.removeLast() }
        return String(scalars)
    }
}
