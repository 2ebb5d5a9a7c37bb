import Glibc
import StreamJSON
import Terminal

/// Formats tool calls and results as the short lines a reader scans.
///
/// A call is one line: a glyph, the tool name and its essential argument (Bash: the
/// command; Read/Write/Edit: the path; Grep/Glob: the pattern; WebFetch: the URL;
/// Task/Agent: the description; anything else: compact JSON), cut to the width. A path inside
/// the working directory is shown relative to it.
///
/// Names, arguments and results come from the model and the tools: they are made inert (see
/// ``InertText``) and put on one line before they are measured and cut.
public struct ToolLineFormatter: Sendable {
    public var width: Int
    /// Result lines shown before "… +N lines".
    public var resultPreviewLines: Int
    /// Paths inside it are shown relative to it.
    public var workingDirectory: String?

    public init(width: Int, resultPreviewLines: Int = 3, workingDirectory: String? = nil) {
        self.width = max(width, 20)
        self.resultPreviewLines = resultPreviewLines
        self.workingDirectory = workingDirectory
    }

    /// A tool name as shown: inert, on one line.
    public static func shownName(_ name: String) -> String {
        InertText.make(name).replacingNewlines()
    }

    /// The essential argument of a call, inert and on one line; a path inside
    /// `workingDirectory` relative to it.
    public static func essentialArgument(of use: ToolUse, workingDirectory: String? = nil) -> String {
        let input = use.input
        func field(_ names: String...) -> String? {
            for name in names { if let value = input[name]?.stringValue, !value.isEmpty { return value } }
            return nil
        }
        let argument: String? = switch use.name {
        case "Bash": field("command")
        case "Read", "Write", "Edit", "MultiEdit", "NotebookEdit":
            field("file_path", "notebook_path", "path").map { FileChangeRenderer.shownPath($0, relativeTo: workingDirectory) }
        case "Grep", "Glob": field("pattern").map { pattern in field("path").map { "\(pattern) in \($0)" } ?? pattern }
        case "WebFetch": field("url")
        case "WebSearch": field("query")
        case "Task", "Agent": field("description", "prompt")
        case AgentQuestion.toolName: AgentQuestion.questions(in: input).map(\.question).joined(separator: " · ")
        case AgentQuestion.planToolName: field("plan").map { plan in
            plan.split(separator: "\n").first.map { $0.drop { $0 == "#" || $0 == " " } }.map(String.init) ?? "" }
        default: nil
        }
        let text = argument ?? (input.objectValue?.isEmpty == false ? input.compactText : "")
        return InertText.make(text).replacingNewlines()
    }

    /// `⏺ Bash(ls -la)`
    public func callLine(_ use: ToolUse) -> StyledText {
        line(use, lead: "⏺ ", style: .bold)
    }

    /// `  ↳ Bash(ls -la)`: names the call a result belongs to when it does not follow it.
    public func labelLine(_ use: ToolUse) -> StyledText {
        line(use, lead: "  ↳ ", style: .dim)
    }

    private func line(_ use: ToolUse, lead: String, style: Style) -> StyledText {
        let argument = Self.essentialArgument(of: use, workingDirectory: workingDirectory)
        let prefix = lead + Self.shownName(use.name)
        guard !argument.isEmpty else { return StyledText(prefix, style) }
        let room = width - displayWidth(of: prefix) - 2
        return StyledText(prefix, style) + StyledText("(" + argument.truncated(toWidth: room) + ")", style == .bold ? .plain : style)
    }

    /// The first lines of a result, dim (red for errors), then `… +N lines`.
    public func resultLines(_ result: ToolResult) -> [StyledText] {
        let style: Style = result.isError ? .color(.red) : .dim
        let (preview, total) = Self.previewLines(of: result.content, count: resultPreviewLines)
        if total == 0 { return [StyledText("  ⎿  (no output)", style)] }
        var output: [StyledText] = []
        for (index, line) in preview.enumerated() {
            let lead = index == 0 ? "  ⎿  " : "     "
            output.append(StyledText(lead + InertText.make(line).truncated(toWidth: width - 5), style))
        }
        if total > preview.count {
            output.append(StyledText("     … +\(total - preview.count) lines", .dim))
        }
        return output
    }

    /// The first `count` lines of `text` and how many lines it has, not counting trailing
    /// blank lines. One pass over the UTF-8 bytes: a huge result is never split into strings.
    /// A `\r` before a newline is dropped from the shown lines.
    static func previewLines(of text: String, count: Int) -> (lines: [String], total: Int) {
        var text = text
        text.makeContiguousUTF8()
        return text.utf8.withContiguousStorageIfAvailable { bytes -> ([String], Int) in
            let newline = UInt8(ascii: "\n")
            // Skip trailing blank lines (only spaces, tabs and CRs before their newline).
            var scan = bytes.count
            while scan > 0, [newline, 0x20, 0x09, 0x0D].contains(bytes[scan - 1]) { scan -= 1 }
            if scan == 0 { return ([], 0) }
            var end = scan
            while end < bytes.count, bytes[end] != newline { end += 1 }
            func line(_ from: Int, _ to: Int) -> String {
                var upper = to
                if upper > from, bytes[upper - 1] == 0x0D { upper -= 1 }
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[from..<upper]), as: UTF8.self)
            }
            // A tool's result can be megabytes, and only its first lines are shown: the newlines
            // are found with memchr.
            var lines: [String] = []
            var total = 1
            var start = 0
            while let index = bytes.firstNewline(from: start, to: end) {
                if lines.count < count { lines.append(line(start, index)) }
                total += 1
                start = index + 1
            }
            if lines.count < count { lines.append(line(start, end)) }
            return (lines, total)
        } ?? ([], 0)
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
