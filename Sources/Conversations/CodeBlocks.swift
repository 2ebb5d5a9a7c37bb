/// The fenced code blocks of a Markdown text (`/copy N`).
public enum CodeBlocks {
    /// Each block's content, without its fences, in order. An unclosed block runs to the end.
    public static func extract(from markdown: String) -> [String] {
        var blocks: [String] = []
        var current: [Substring]?
        var fence = ""
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.drop { $0 == " " }
            if current == nil {
                let marker = trimmed.prefix { $0 == "`" || $0 == "~" }
                if marker.count >= 3, Set(marker).count == 1 {
                    fence = String(marker)
                    current = []
                }
            } else if trimmed.hasPrefix(fence), trimmed.drop(while: { $0 == fence.first }).allSatisfy(\.isWhitespace) {
                blocks.append(current!.joined(separator: "\n"))
                current = nil
            } else {
                current!.append(line)
            }
        }
        if let current { blocks.append(current.joined(separator: "\n")) }
        return blocks
    }
}
