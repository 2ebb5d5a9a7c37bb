/// What the beginning of a Markdown line turned out to be.
///
/// Decided from the scalars seen so far on the line; ``undecided`` means the
/// prefix could still become more than one thing (`"##"`, `"``"`, `"1"`, `"--"`),
/// so nothing of the line may be shown yet.
enum LineStart: Equatable {
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
    static func classify(_ line: [Unicode.Scalar], ended: Bool) -> LineStart {
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
            let info = String(String.UnicodeScalarView(rest)).trimmingSpaces()
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
    func trimmingSpaces() -> String {
        var scalars = Substring(self).unicodeScalars
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" || last == "\r" { scalars.removeLast() }
        return String(scalars)
    }
}
