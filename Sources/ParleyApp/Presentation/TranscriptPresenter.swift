import AgentSession
import Foundation
import StreamJSON
import Terminal

/// Turns ``SessionEvent``s into what a person reads: streamed (Markdown-rendered) text,
/// one line per tool call, result summaries, previews and diffs (see ``ToolCallPresenter``),
/// a subagent's own text nested under its call (``SubagentTextView``), status lines and errors.
///
/// It holds only what rendering needs (the Markdown renderer's current line, whether the
/// cursor is at a line start) and writes to a ``Console``; it never touches a terminal.
///
/// Everything it shows comes from the model, tools or the CLI, so every line leaves through
/// ``show(_:kind:on:)``, which makes it inert (see ``InertText``), and values that are cut to a
/// width are made inert before they are measured. Streamed assistant text goes through an
/// ``InertTextStream`` (a sequence may be split over deltas) before the Markdown renderer sees
/// it, except in plain mode when standard output is not a terminal: there it stays byte-exact.
public struct TranscriptPresenter: Sendable {
    /// How rich the output is.
    public enum Mode: Sendable {
        /// A terminal: Markdown styling, turn footers, start-up status.
        case terminal
        /// Scripted use: assistant text exactly as sent, status lines only where they matter.
        case plain
    }

    public var mode: Mode
    public var width: Int
    /// Show thinking text in full rather than a one-line indicator.
    public var showThinking: Bool
    /// Whether streamed assistant text is made inert: always in terminal mode; in plain mode
    /// when standard output is a terminal.
    public let makesAssistantTextInert: Bool
    private var inertStream = InertTextStream()
    /// The conversation's cost across `claude` processes, for turn footers (the result's own
    /// total counts only its process); `nil` uses the result's.
    public var conversationCostUSD: Double?
    /// The first process continues the most recent conversation (`--continue`): its id is not
    /// known until `system/init`, but it is not a new session.
    public var firstStartContinues = false
    private var markdown = MarkdownStreamRenderer()
    private var atLineStart = true
    private var reportedJunkForProcess = false
    private var lastShownModel: String?
    private var lastShownSession: String?
    private var thinkingShown = false
    private var tools: ToolCallPresenter
    /// An error the CLI wrote as the turn's text (`API Error: 500 …`): said once, with the
    /// turn's end, not twice.
    private var heldErrorText: String?

    /// - Parameters:
    ///   - stdoutIsTerminal: in plain mode, whether assistant text reaches a terminal (then it is
    ///     made inert; otherwise it stays exactly as sent). Terminal mode always is.
    ///   - hyperlinks: in terminal mode, show Markdown links as OSC 8 hyperlinks
    ///     (``Terminal/TerminalCapabilities/hyperlinks``); plain mode shows the Markdown as written.
    public init(mode: Mode, width: Int = 80, showThinking: Bool = false, stdoutIsTerminal: Bool = true,
                hyperlinks: Bool = false) {
        self.mode = mode
        self.width = width
        self.showThinking = showThinking
        self.makesAssistantTextInert = mode == .terminal || stdoutIsTerminal
        self.tools = ToolCallPresenter(width: width, workingDirectory: nil)
        self.markdown = MarkdownStreamRenderer(tableWidth: width, hyperlinks: hyperlinks)
    }

    /// Reads a file before a tool changes it (tests give their own).
    var readFile: @Sendable (String) -> String? {
        get { tools.readFile }
        set { tools.readFile = newValue }
    }

    /// The whole diff of the last file change shown, for `/diff`; `nil` when there was none.
    func lastDiffLines() -> [StyledText]? {
        var tools = tools
        tools.width = width
        return tools.lastDiffLines()
    }

    public mutating func present(_ event: SessionEvent, on console: some Console) {
        switch event {
        case .toolUse, .toolResult, .thinkingDelta, .capabilitiesLearned, .turnStarted, .permissionCancelled, .status,
             .messageUsage: break
        // A question is shown (between a call and its result) only in a terminal.
        case .permissionRequested: if mode == .terminal { tools.noteOtherOutput() }
        default: tools.noteOtherOutput()
        }
        tools.width = width
        switch event {
        case .textDelta(let text):
            stream(text, on: console)
        case .assistantText(let text, let alreadyStreamed, let isError):
            if !alreadyStreamed {
                if isError {
                    heldErrorText = text
                } else {
                    stream(text, on: console)
                }
            }
            closeText(on: console)
        case .thinkingStarted:
            if !showThinking, !thinkingShown, mode == .terminal {
                closeText(on: console)
                thinkingShown = true
                show(StyledText("✻ thinking…", .dim), kind: .status, on: console)
            }
        case .thinkingDelta:
            break
        case .thinking(let text):
            if showThinking {
                closeText(on: console)
                let thought = StyledText("✻ " + text.trimmingCharacters(in: .whitespacesAndNewlines), .dim.merging(.italic))
                show(thought, kind: .status, on: console)
            }
        case .toolUse(let use):
            closeText(on: console)
            for line in tools.callLines(use) { show(line, kind: .tool, on: console) }
        case .toolResult(let result):
            closeText(on: console)
            for line in tools.resultLines(result) { show(line, kind: .tool, on: console) }
        case .subagentText(let text, _):
            closeText(on: console)
            let view = SubagentTextView(width: width, rendersMarkdown: mode == .terminal, hyperlinks: markdown.hyperlinks)
            for line in view.lines(text) { show(line, kind: .tool, on: console) }
        case .status(let update):
            if let line = statusLine(update) {
                tools.noteOtherOutput()
                closeText(on: console)
                show(line, kind: .status, on: console)
            }
        case .permissionRequested, .permissionCancelled, .capabilitiesLearned, .messageUsage:
            break
        case .processStarted(let pid, let resumed):
            reportedJunkForProcess = false
            if mode == .terminal {
                let what = resumed.map { "resuming session \(Self.shortID($0))" }
                    ?? (firstStartContinues ? "continuing the most recent conversation" : "new session")
                firstStartContinues = false
                closeText(on: console)
                show(StyledText("● claude started (pid \(pid), \(what))", .dim), kind: .status, on: console)
            }
        case .sessionInitialized(let info):
            tools.workingDirectory = info.cwd
            if mode == .terminal, info.model != lastShownModel || info.sessionID != lastShownSession {
                closeText(on: console)
                show(StyledText("● model \(info.model) · session \(Self.shortID(info.sessionID))", .dim), kind: .status, on: console)
            }
            lastShownModel = info.model
            lastShownSession = info.sessionID
        case .messageQueued(let message, let position):
            let text = InertText.make(message.text).replacingNewlines().truncated(toWidth: 50)
            show(StyledText("queued (\(position)): " + text, .dim), kind: .status, on: console)
        case .turnStarted:
            thinkingShown = false
            heldErrorText = nil
        case .turnCompleted(let summary):
            closeText(on: console)
            presentTurnEnd(summary, on: console)
        case .messageNotAnswered(let message, let reason):
            closeText(on: console)
            sayHeldError(on: console)
            let text = InertText.make(message.text).replacingNewlines().truncated(toWidth: 40)
            show(StyledText("✗ not answered: “\(text)” — \(reason)"
                + (reason == .processCrashed || reason == .interruptEscalated || reason == .stalled ? "; /retry sends it again" : ""),
                .color(.red)), kind: .error, on: console)
        case .undecodableLine(let line):
            if !reportedJunkForProcess {
                reportedJunkForProcess = true
                closeText(on: console)
                let sample = InertText.make(line.text).replacingNewlines()
                show(StyledText("⚠ ignored output from claude that is not JSON (\(line.reason)): "
                    + sample.truncated(toWidth: 60) + " (further ones are not reported)", .dim), kind: .error, on: console)
            }
        case .stalled(let silentFor, let lastEvent):
            closeText(on: console)
            show(StyledText("⚠ no output from claude for \(Self.seconds(silentFor)) (last event: \(lastEvent)); "
                + "/interrupt stops the turn", .color(.yellow)), kind: .error, on: console)
        case .processExited(let status, let expected, let stderrTail):
            guard !expected else { return }
            closeText(on: console)
            show(StyledText("✗ claude \(status) unexpectedly", .color(.red)), kind: .error, on: console)
            for line in stderrTail.suffix(5) {
                show(StyledText("  stderr: " + line, .dim), kind: .error, on: console)
            }
        case .restarting(let attempt, let maxAttempts, let delay):
            show(StyledText("↻ restarting claude in \(Self.seconds(delay)) (attempt \(attempt)/\(maxAttempts)), "
                + "the conversation continues", .color(.yellow)), kind: .status, on: console)
        case .failed(let error):
            closeText(on: console)
            show(StyledText("✗ \(error)", .color(.red)), kind: .error, on: console)
        case .closed:
            closeText(on: console)
        }
    }

    /// Says an error the CLI wrote as the turn's text when the turn's end will not.
    private mutating func sayHeldError(on console: some Console) {
        if let text = heldErrorText { show(StyledText(text, .color(.red)), kind: .error, on: console) }
        heldErrorText = nil
    }

    /// Ends a streamed paragraph: flushes the Markdown renderer and ends the line.
    public mutating func closeText(on console: some Console) {
        if makesAssistantTextInert {
            let held = inertStream.finish()
            if !held.isEmpty { emitAssistantText(held, on: console) }
        }
        if mode == .terminal {
            let rest = markdown.finish()
            if !rest.isEmpty { emitStream(rest, on: console) }
        }
        if !atLineStart {
            console.streamText(StyledText("\n"))
            atLineStart = true
        }
    }

    private mutating func stream(_ text: String, on console: some Console) {
        guard !text.isEmpty else { return }
        emitAssistantText(makesAssistantTextInert ? inertStream.feed(text) : text, on: console)
    }

    private mutating func emitAssistantText(_ text: String, on console: some Console) {
        guard !text.isEmpty else { return }
        switch mode {
        case .terminal:
            // emitStream ignores output without characters.
            emitStream(markdown.feed(text), on: console)
        case .plain:
            emitStream(StyledText(text), on: console)
        }
    }

    private mutating func emitStream(_ text: StyledText, on console: some Console) {
        // Only the last non-empty fragment decides whether the line is closed (no join per delta).
        guard let last = text.fragments.last(where: { !$0.text.isEmpty }) else { return }
        let lastByte = last.text.utf8.withContiguousStorageIfAvailable { $0.last } ?? last.text.utf8.last
        atLineStart = lastByte == UInt8(ascii: "\n")
        console.streamText(text)
    }

    /// Every whole line leaves through here, made inert: its values may come from the model, a
    /// tool or the CLI (Parley's own words and styles are inert already).
    private func show(_ line: StyledText, kind: ConsoleLineKind, on console: some Console) {
        console.line(line.madeInert(), kind: kind)
    }

    private mutating func presentTurnEnd(_ summary: TurnSummary, on console: some Console) {
        let result = summary.result
        if !result.isError || result.wasInterrupted { sayHeldError(on: console) }
        heldErrorText = nil
        if result.wasInterrupted {
            show(StyledText("⏹ interrupted", .color(.yellow)), kind: .status, on: console)
        } else if result.isError {
            let detail = result.errors.first ?? result.text ?? result.subtype
            let reason = result.terminalReason.map { " (\($0))" } ?? ""
            show(StyledText("✗ turn failed\(reason): \(detail.replacingNewlines())", .color(.red)), kind: .error, on: console)
        }
        // A command claude answers itself (`/cost`, `/context`) asks no model, and a record-only
        // line (a `!command`'s output) runs no model turn: no footer for either.
        guard mode == .terminal, summary.message.extras.asksForReply,
              result.inputTokens > 0 || result.outputTokens > 0 else { return }
        var parts = [Self.seconds(summary.elapsed)]
        parts.append(String(format: "$%.4f", conversationCostUSD ?? result.totalCostUSD))
        parts.append("\(result.inputTokens) in · \(result.outputTokens) out tokens")
        show(StyledText("─ " + parts.joined(separator: " · "), .dim), kind: .status, on: console)
    }

    private func statusLine(_ update: StatusUpdate) -> StyledText? {
        switch update {
        case .apiRetry(let retry):
            let cause: String = switch retry.error {
            case "overloaded": "API overloaded"
            case "rate_limit": "API rate limit"
            case "server_error": "API server error"
            case "authentication_failed": "API authentication failed"
            default: retry.errorStatus == nil ? "API unreachable" : "API error"
            }
            let status = retry.errorStatus.map { " (\($0))" } ?? ""
            let delay = String(format: "%.1f s", retry.retryDelayMilliseconds / 1000)
            return StyledText("\(cause)\(status), retry \(retry.attempt)/\(retry.maxRetries) in \(delay)", .color(.yellow))
        case .compacting:
            return StyledText("compacting the conversation…", .dim)
        case .compacted(let pre, let post):
            // `post_tokens` counts the summary and the context claude keeps, so it can exceed
            // `pre_tokens` for a short conversation.
            let before = pre.map { "\($0) tokens of conversation" }
            let after = post.map { "\($0) tokens in context now" }
            let detail = [before, after].compactMap { $0 }.joined(separator: "; ")
            return StyledText("conversation compacted" + (detail.isEmpty ? "" : " (\(detail))"), .dim)
        case .permissionModeChanged(let mode):
            return StyledText("permission mode: \(mode)", .dim)
        case .permissionDenied(let tool, let message):
            return StyledText("✗ \(tool) denied" + (message.map { ": \($0)" } ?? ""), .color(.yellow))
        case .task(let task):
            // A subagent's start is its Task call's line; an update without a description is
            // only the CLI's bookkeeping (`◦ task: completed`).
            guard let what = task.description, !(task.kind == "task_started" && task.taskType == "local_agent") else { return nil }
            let state = task.status ?? (task.kind == "task_started" ? "started" : task.kind.replacingOccurrences(of: "task_", with: ""))
            if task.kind == "task_notification" {
                // Its text is the task's summary (a subagent's report), on one line.
                let summary = InertText.make(what).replacingNewlines().trimmingCharacters(in: .whitespaces)
                return StyledText(("◦ task \(state)" + (summary.isEmpty ? "" : ": " + summary)).truncated(toWidth: width), .dim)
            }
            return StyledText("◦ \(what): \(state)", .dim)
        case .toolProgress(let name, let elapsed):
            return StyledText("◦ \(name ?? "tool") still running (\(Int(elapsed ?? 0)) s)", .dim)
        case .streamRestarted:
            return StyledText("(the stream broke off; claude is asking again)", .dim)
        case .conversationReset:
            return StyledText("● new conversation", .dim)
        case .localCommandOutput(let text):
            return StyledText(text, .dim)
        case .unmatchedResult(let expected, _):
            return StyledText("⚠ claude ended the turn of another message while “\(expected.text.replacingNewlines().truncated(toWidth: 40))” "
                + "was running; ignored, waiting for its own result", .color(.yellow))
        }
    }

    /// A session id's first eight characters (the whole id is in `/status`).
    static func shortID(_ id: String) -> String {
        id.count > 8 ? String(id.prefix(8)) + "…" : id
    }

    static func seconds(_ duration: Duration) -> String {
        let components = duration.components
        let value = Double(components.seconds) + Double(components.attoseconds) / 1e18
        return value < 10 ? String(format: "%.1f s", value) : String(format: "%.0f s", value)
    }
}
