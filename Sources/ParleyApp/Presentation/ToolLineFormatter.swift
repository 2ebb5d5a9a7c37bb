import StreamJSON
import Terminal

/// Formats tool calls and results as the short lines a reader scans.
///
/// A call is one line: a glyph, the tool name and its essential argument (Bash: the
/// command; Read/Write/Edit: the path; Grep/Glob: the pattern; WebFetch: the URL;
/// Task/Agent: the description; anything else: compact JSON), cut to the width.
public struct ToolLineFormatter: Sendable {
    public var width: Int
    /// Result lines shown before "… +N lines".
    public var resultPreviewLines: Int

    public init(width: Int, resultPreviewLines: Int = 3) {
        self.width = max(width, 20)
        self.resultPreviewLines = resultPreviewLines
    }

    /// The essential argument of a call, on one line.
    public static func essentialArgument(of use: ToolUse) -> String {
        let input = use.input
        func field(_ names: String...) -> String? {
            for name in names { if let value = input[name]?.stringValue, !value.isEmpty { return value } }
            return nil
        }
        let argument: String? = switch use.name {
        case "Bash": field("command")
        case "Read", "Write", "Edit", "MultiEdit", "NotebookEdit": field("file_path", "notebook_path", "path")
        case "Grep", "Glob": field("pattern").map { pattern in field("path").map { "\(pattern) in \($0)" } ?? pattern }
        case "WebFetch": field("url")
        case "WebSearch": field("query")
        case "Task", "Agent": field("description", "prompt")
        default: nil
        }
        let text = argument ?? (input.objectValue?.isEmpty == false ? input.compactText : "")
        return text.replacingNewlines()
    }

    /// `⏺ Bash(ls -la)`
    public func callLine(_ use: ToolUse) -> StyledText {
        let argument = Self.essentialArgument(of: use)
        let prefix = "⏺ \(use.name)"
        guard !argument.isEmpty else { return StyledText(prefix, .bold) }
        let room = width - displayWidth(of: prefix) - 2
        return StyledText(prefix, .bold) + StyledText("(" + argument.truncated(toWidth: room) + ")")
    }

    /// The first lines of a result, dim (red for errors), then `… +N lines`.
    public func resultLines(_ result: ToolResult) -> [StyledText] {
        let style: Style = result.isError ? .color(.red) : .dim
        var lines = result.content.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        while lines.last?.trimmingCharacters(in: .whitespaces).isEmpty == true { lines.removeLast() }
        if lines.isEmpty { return [StyledText("  ⎿  (no output)", style)] }
        var output: [StyledText] = []
        for (index, line) in lines.prefix(resultPreviewLines).enumerated() {
            let lead = index == 0 ? "  ⎿  " : "     "
            output.append(StyledText(lead + line.truncated(toWidth: width - 5), style))
        }
        if lines.count > resultPreviewLines {
            output.append(StyledText("     … +\(lines.count - resultPreviewLines) lines", .dim))
        }
        return output
    }
}

extension String {
    func replacingNewlines() -> String {
        var result = ""
        result.reserveCapacity(utf8.count)
        for character in self {
            result.append(character.isNewline ? "↵" : character)
        }
        return result
    }

    /// Cut to at most `width` display columns, ending in "…" when cut.
    func truncated(toWidth width: Int) -> String {
        guard width > 1 else { return "…" }
        if displayWidth(of: self) <= width { return self }
        var result = ""
        var used = 0
        for character in self {
            let w = displayWidth(of: String(character))
            if used + w > width - 1 { break }
            result.append(character)
            used += w
        }
        return result + "…"
    }
}
