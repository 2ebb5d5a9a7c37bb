/// Large pastes shown on the edit line as a short label (`[Pasted text #1 +120 lines]`) and
/// put back in full when the line is submitted, so a long paste leaves the prompt usable.
///
/// The labels are ordinary text on the line: editing around them works, and deleting over
/// one (Backspace at its end, Delete at its start) removes it whole. The blocks belong to
/// the message being edited: ``reset()`` forgets them once it is submitted.
struct PastedBlocks {
    /// A paste of more lines than this is shown as a label.
    static let lineLimit = 3
    /// A paste of more characters than this is shown as a label.
    static let characterLimit = 1000

    private var blocks: [(label: String, text: String)] = []
    private var count = 0

    /// Whether `text` is large enough to be shown as a label.
    static func isLarge(_ text: String) -> Bool {
        text.count > characterLimit || text.split(separator: "\n", omittingEmptySubsequences: false).count > lineLimit
    }

    /// Keeps `text` and returns the label that stands for it.
    mutating func add(_ text: String) -> String {
        count += 1
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
        let label = lines > 1 ? "[Pasted text #\(count) +\(lines) lines]" : "[Pasted text #\(count) \(text.count) chars]"
        blocks.append((label, text))
        return label
    }

    /// `line` with every label replaced by its text.
    func expand(_ line: String) -> String {
        guard !blocks.isEmpty, line.contains("[Pasted text #") else { return line }
        var expanded = line
        for block in blocks { expanded = expanded.replacing(block.label, with: block.text) }
        return expanded
    }

    /// The length in scalars of a label ending at `cursor` in `line`, if one does.
    func labelLength(endingAt cursor: Int, in line: [Unicode.Scalar]) -> Int? {
        blocks.lazy.map { Array($0.label.unicodeScalars) }.first { label in
            cursor >= label.count && Array(line[(cursor - label.count)..<cursor]) == label
        }?.count
    }

    /// The length in scalars of a label starting at `cursor` in `line`, if one does.
    func labelLength(startingAt cursor: Int, in line: [Unicode.Scalar]) -> Int? {
        blocks.lazy.map { Array($0.label.unicodeScalars) }.first { label in
            cursor + label.count <= line.count && Array(line[cursor..<(cursor + label.count)]) == label
        }?.count
    }

    /// Forgets the blocks (the message was submitted); numbering starts again at 1.
    mutating func reset() {
        blocks = []
        count = 0
    }
}
