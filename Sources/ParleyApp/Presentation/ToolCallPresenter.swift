import StreamJSON
import Terminal

/// The transcript's view of tool calls: a line per call, and per result either a one-line
/// summary (Read, Grep, Glob, WebFetch, and file changes with their diff) or the first lines of
/// its output.
///
/// It remembers the open calls, so that a result that does not directly follow its call
/// (parallel calls, or a permission question in between) is labelled with it (`↳ Bash(echo one)`),
/// and the file each Edit, MultiEdit or Write changes, read when the call is seen (see
/// ``FileChange``), so that its result shows the diff. The last change stays for `/diff`.
/// A subagent's calls and results (those with a `parentToolUseID`) are indented under its
/// Task/Agent call, and the subagent's hand-back internals are left out of its result.
struct ToolCallPresenter: Sendable {
    var width: Int
    /// Paths inside it are shown relative to it (the CLI's `cwd` once known).
    var workingDirectory: String?
    /// Reads a file before a tool changes it; injected by tests.
    var readFile: @Sendable (String) -> String? = FileSnapshot.read
    /// The last file change shown, for `/diff`.
    private(set) var lastFileChange: FileChange?
    private var openCalls: [String: ToolUse] = [:]
    private var fileChanges: [String: FileChange] = [:]
    /// The call whose line or result was the last thing shown, if it was.
    private var lastShownCallID: String?

    /// Calls remembered at most, so that calls without results never pile up.
    static let maximumOpenCalls = 256

    init(width: Int, workingDirectory: String?) {
        self.width = width
        self.workingDirectory = workingDirectory
    }

    /// What a subagent's calls and results are indented by, under its Task/Agent call.
    static let nesting = "    "

    private func formatter(nested: Bool = false) -> ToolLineFormatter {
        ToolLineFormatter(width: width - (nested ? Self.nesting.count : 0), workingDirectory: workingDirectory)
    }

    private func diffRenderer(nested: Bool = false) -> FileChangeRenderer {
        FileChangeRenderer(width: width - (nested ? Self.nesting.count : 0), workingDirectory: workingDirectory)
    }

    /// A subagent's lines, indented under its call.
    private func nest(_ lines: [StyledText], _ nested: Bool) -> [StyledText] {
        nested ? lines.map { StyledText(Self.nesting) + $0 } : lines
    }

    /// Something else was shown: the next result is no longer right under its call.
    mutating func noteOtherOutput() { lastShownCallID = nil }

    /// The lines of a call; for a file change the file is read now, before the tool runs.
    mutating func callLines(_ use: ToolUse) -> [StyledText] {
        noteCall(use)
        lastShownCallID = use.id
        return nest([formatter(nested: use.parentToolUseID != nil).callLine(use)], use.parentToolUseID != nil)
    }

    /// Remembers a call (reading the file a file change changes) and returns that change.
    @discardableResult
    mutating func noteCall(_ use: ToolUse) -> FileChange? {
        if openCalls.count >= Self.maximumOpenCalls { openCalls.removeAll(); fileChanges.removeAll() }
        openCalls[use.id] = use
        guard FileChange.isFileChangingTool(use.name), let path = use.input["file_path"]?.stringValue,
              let change = FileChange(toolName: use.name, input: use.input, before: readFile(path)) else { return nil }
        fileChanges[use.id] = change
        return change
    }

    /// The one-line summary of a successful result whose call was noted, forgetting the call.
    mutating func summary(of result: ToolResult) -> String? {
        let call = openCalls.removeValue(forKey: result.toolUseID)
        let change = fileChanges.removeValue(forKey: result.toolUseID)
        guard !result.isError else { return nil }
        if let change { return diffRenderer().summary(change) }
        return call.flatMap { ToolResultSummary.summary(of: result.content, tool: $0.name) }
    }

    /// The lines of a result: a label when it does not follow its call, then a summary and
    /// diff, or the first lines of the output.
    mutating func resultLines(_ result: ToolResult) -> [StyledText] {
        let call = openCalls[result.toolUseID]
        let change = fileChanges[result.toolUseID]
        let summary = summary(of: result)
        let nested = result.parentToolUseID != nil
        let formatter = formatter(nested: nested)
        var lines: [StyledText] = []
        if let call, lastShownCallID != result.toolUseID { lines.append(formatter.labelLine(call)) }
        lastShownCallID = result.toolUseID
        if let summary {
            lines.append(StyledText("  ⎿  " + summary, .dim))
            if let change {
                lastFileChange = change
                lines += diffRenderer(nested: nested).lines(change)
            }
        } else if let call, ToolResultSummary.isSubagent(call.name) {
            var report = result
            report.content = ToolResultSummary.withoutSubagentInternals(result.content)
            lines += formatter.resultLines(report)
        } else {
            lines += formatter.resultLines(result)
        }
        return nest(lines, nested)
    }

    /// The last change's full diff, for `/diff`.
    func lastDiffLines() -> [StyledText]? {
        guard let change = lastFileChange else { return nil }
        var whole = diffRenderer()
        whole.maximumLines = nil
        return [StyledText(whole.summary(change), .bold)] + whole.lines(change)
    }
}
