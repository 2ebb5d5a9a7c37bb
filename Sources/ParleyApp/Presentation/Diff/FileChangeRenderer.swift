import StreamJSON
import Terminal

/// Draws a ``FileChange`` as the lines of a unified diff for the transcript and the permission
/// question: a summary (`Updated Sources/a.swift (+2 -1)`), then each hunk's lines with a line
/// number, a `-`/`+` marker (red/green; the markers stay without colour) and the text, hunks
/// separated by `⋮`. Long diffs are cut with `… +N lines`.
///
/// File and tool text is made inert (see ``InertText``) before it is measured and cut, tabs
/// become spaces, and every line fits `width`.
struct FileChangeRenderer: Sendable {
    /// Columns available.
    var width: Int
    /// Paths inside this directory are shown relative to it.
    var workingDirectory: String?
    /// Diff lines shown before `… +N lines`; `nil` shows them all.
    var maximumLines: Int?

    /// Columns before a diff line's number.
    static let indent = "     "

    init(width: Int, workingDirectory: String?, maximumLines: Int? = 16) {
        self.width = max(width, 20)
        self.workingDirectory = workingDirectory
        self.maximumLines = maximumLines
    }

    /// `Updated a.swift (+2 -1)`, `Created notes.txt (12 lines)`, `Overwrote b.txt (+3 -5)`.
    func summary(_ change: FileChange) -> String {
        let path = Self.shownPath(change.path, relativeTo: workingDirectory)
        let counts = Self.counts(change.hunks)
        switch change.kind {
        case .create:
            let lines = LineDiff.lines(of: change.newText).count
            return "Created \(path) (\(lines) line\(lines == 1 ? "" : "s"))"
        case .edit: return "Updated \(path) (+\(counts.added) -\(counts.removed))"
        case .overwrite: return "Overwrote \(path) (+\(counts.added) -\(counts.removed))"
        }
    }

    /// The diff's lines, indented under the summary; the last says how many were left out.
    func lines(_ change: FileChange) -> [StyledText] {
        let hunks = change.hunks
        let highest = hunks.last?.lines.map(\.shownNumber).max() ?? 0
        let numberWidth = change.lineNumbersKnown ? String(highest).count : 0
        let textWidth = width - Self.indent.count - numberWidth - (numberWidth > 0 ? 1 : 0) - 2
        var output: [StyledText] = []
        for (index, hunk) in hunks.enumerated() {
            if index > 0 { output.append(StyledText(Self.indent + "⋮", .dim)) }
            for line in hunk.lines {
                output.append(render(line, numberWidth: numberWidth, textWidth: textWidth))
            }
        }
        guard let maximumLines, output.count > maximumLines + 1 else { return output }
        let hidden = output.count - maximumLines
        return output.prefix(maximumLines) + [StyledText(Self.indent + "… +\(hidden) lines (/diff shows all)", .dim)]
    }

    private func render(_ line: DiffLine, numberWidth: Int, textWidth: Int) -> StyledText {
        let (marker, style): (String, Style) = switch line.kind {
        case .context: (" ", .dim)
        case .removed: ("-", .color(.red))
        case .added: ("+", .color(.green))
        }
        var text = StyledText(Self.indent)
        if numberWidth > 0 {
            let number = String(line.shownNumber)
            text += StyledText(String(repeating: " ", count: numberWidth - number.count) + number + " ", .dim)
        }
        let shown = InertText.make(line.text).replacingOccurrences(of: "\t", with: "    ")
        text += StyledText(marker + " " + shown.truncated(toWidth: textWidth), style)
        return text
    }

    /// Lines added and removed over all hunks.
    static func counts(_ hunks: [DiffHunk]) -> (added: Int, removed: Int) {
        var added = 0, removed = 0
        for hunk in hunks {
            for line in hunk.lines {
                if line.kind == .added { added += 1 } else if line.kind == .removed { removed += 1 }
            }
        }
        return (added, removed)
    }

    /// `path` relative to `directory` when it lies inside it, else as given; inert, on one line.
    static func shownPath(_ path: String, relativeTo directory: String?) -> String {
        var shown = path
        if let directory, !directory.isEmpty {
            let base = directory.hasSuffix("/") ? directory : directory + "/"
            if path.hasPrefix(base), path.count > base.count { shown = String(path.dropFirst(base.count)) }
        }
        return InertText.make(shown).replacingNewlines()
    }
}

extension FileChangeRenderer {
    /// Diff lines shown in a permission question before `… +N lines`.
    static let permissionPreviewLines = 40

    /// The diff a file-changing call would make, for its permission question (the file is read
    /// now, before the tool runs). Empty for other tools.
    func permissionPreview(toolName: String, input: JSONValue) -> [StyledText] {
        guard FileChange.isFileChangingTool(toolName), let path = input["file_path"]?.stringValue,
              let change = FileChange(toolName: toolName, input: input, before: FileSnapshot.read(path)) else { return [] }
        var renderer = self
        renderer.maximumLines = Self.permissionPreviewLines
        return renderer.lines(change)
    }
}
