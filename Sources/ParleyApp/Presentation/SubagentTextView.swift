import Terminal

/// A subagent's own text (an `assistant` message with a `parent_tool_use_id`), as lines nested
/// under its Task/Agent call like the subagent's tool calls (``ToolCallPresenter/nesting``).
///
/// In a terminal the text is rendered as Markdown and wrapped between words to the width left
/// after the nesting, each row indented (a wrapped line's own indentation is kept on each of its
/// rows); in plain mode its lines are shown as they are, indented. Blank lines stay blank (not
/// indented), those around the text are dropped, and a text of nothing but whitespace shows nothing. The text is made inert first.
struct SubagentTextView {
    var width: Int
    /// Render Markdown (terminal mode) rather than show the text as written.
    var rendersMarkdown: Bool
    /// Links as OSC 8 hyperlinks (terminal mode).
    var hyperlinks: Bool

    func lines(_ text: String) -> [StyledText] {
        let inert = InertText.make(text).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !inert.isEmpty else { return [] }
        let nesting = ToolCallPresenter.nesting
        guard rendersMarkdown else {
            return inert.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? StyledText() : StyledText(nesting + $0) }
        }
        let available = max(10, width - nesting.count)
        var renderer = MarkdownStreamRenderer(ruleWidth: min(40, available), tableWidth: available, hyperlinks: hyperlinks)
        let rendered = renderer.feed(inert) + renderer.finish()
        return rendered.lines().flatMap { line -> [StyledText] in
            guard !line.isEmpty else { return [line] }
            let indent = String(line.plainText.prefix { $0 == " " })
            let rows = line.displayWidth <= available ? [line] : line.wrapped(toWidth: available - indent.count)
            // A wrapped line lost its indentation: every row gets it back.
            return rows.map { row in StyledText(nesting + (rows.count > 1 ? indent : "")) + row }
        }
    }

}
