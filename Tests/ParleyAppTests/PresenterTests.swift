import AgentSession
import StreamJSON
import Terminal
import Testing
@testable import ParleyApp

@Suite struct PresenterTests {
    func present(_ events: [SessionEvent], mode: TranscriptPresenter.Mode = .plain, width: Int = 80) -> RecordingConsole {
        let console = RecordingConsole()
        var presenter = TranscriptPresenter(mode: mode, width: width)
        for event in events { presenter.present(event, on: console) }
        return console
    }

    let message = QueuedMessage(id: "m1", text: "hi", sequenceNumber: 1)

    @Test func streamedTextIsShownOnceAndTheLineClosed() {
        let console = present([
            .textDelta("Hel"), .textDelta("lo"), .assistantText("Hello", alreadyStreamed: true, isError: false),
        ])
        #expect(console.streamedText == "Hello\n")
    }

    @Test func textThatWasNeverStreamedIsShownWhole() {
        let console = present([.assistantText("Whole reply", alreadyStreamed: false, isError: false)])
        #expect(console.streamedText == "Whole reply\n")
    }

    @Test func toolCallsAreOneLineWithTheEssentialArgument() {
        let cases: [(String, JSONValue, String)] = [
            ("Bash", ["command": "ls -la"], "⏺ Bash(ls -la)"),
            ("Read", ["file_path": "/etc/hosts"], "⏺ Read(/etc/hosts)"),
            ("Write", ["file_path": "notes.txt", "content": "x"], "⏺ Write(notes.txt)"),
            ("Edit", ["file_path": "a.swift", "old_string": "a", "new_string": "b"], "⏺ Edit(a.swift)"),
            ("Grep", ["pattern": "TODO"], "⏺ Grep(TODO)"),
            ("Glob", ["pattern": "**/*.swift"], "⏺ Glob(**/*.swift)"),
            ("WebFetch", ["url": "https://example.com", "prompt": "x"], "⏺ WebFetch(https://example.com)"),
            ("Task", ["description": "find bugs", "prompt": "long"], "⏺ Task(find bugs)"),
            ("Custom", ["b": 1, "a": "x"], "⏺ Custom({\"a\":\"x\",\"b\":1})"),
            ("Bash", ["command": "echo one\necho two"], "⏺ Bash(echo one↵echo two)"),
        ]
        for (name, input, expected) in cases {
            let console = present([.toolUse(ToolUse(id: "t", name: name, input: input))])
            #expect(console.lines(.tool) == [expected])
        }
    }

    @Test func longToolArgumentsAreCutToTheWidth() {
        let console = present([.toolUse(ToolUse(id: "t", name: "Bash", input: ["command": .string(String(repeating: "x", count: 300))]))], width: 40)
        let line = try! #require(console.lines(.tool).first)
        #expect(displayWidth(of: line) <= 40)
        #expect(line.hasSuffix("…)"))
    }

    @Test func toolResultsShowTheFirstLinesThenACount() {
        let content = (1...10).map { "line \($0)" }.joined(separator: "\n")
        let console = present([.toolResult(ToolResult(toolUseID: "t", content: content, isError: false))])
        #expect(console.lines(.tool) == ["  ⎿  line 1", "     line 2", "     line 3", "     … +7 lines"])
    }

    @Test func toolErrorsAreRed() {
        let console = RecordingConsole()
        var presenter = TranscriptPresenter(mode: .terminal)
        let styled = StyledTextCapture()
        presenter.present(.toolResult(ToolResult(toolUseID: "t", content: "boom", isError: true)), on: styled)
        #expect(styled.lines.first?.fragments.first?.style.foreground == .red)
        _ = console
    }

    @Test func apiRetriesAreOneStatusLine() {
        let retry = APIRetry(attempt: 3, maxRetries: 10, retryDelayMilliseconds: 4500, errorStatus: 529, error: "overloaded")
        let console = present([.status(.apiRetry(retry))])
        #expect(console.lines(.status) == ["API overloaded (529), retry 3/10 in 4.5 s"])
    }

    @Test func statusLinesCloseAnOpenParagraphFirst() {
        let console = present([.textDelta("partial"), .toolUse(ToolUse(id: "t", name: "Bash", input: ["command": "ls"]))])
        #expect(console.entries == [.stream("partial"), .stream("\n"), .line("⏺ Bash(ls)", .tool)])
    }

    @Test func crashesRestartsAndUnansweredMessagesAreExplained() {
        let console = present([
            .processExited(status: .signaled(9), expected: false, stderrTail: ["panic: oh no"]),
            .messageNotAnswered(message, reason: .processCrashed),
            .restarting(attempt: 1, maxAttempts: 3, delay: .seconds(1)),
        ])
        #expect(console.lines(.error).contains("✗ claude killed by signal 9 (SIGKILL) unexpectedly"))
        #expect(console.lines(.error).contains("  stderr: panic: oh no"))
        #expect(console.lines(.error).contains { $0.contains("not answered: “hi”") && $0.contains("/retry") })
        #expect(console.lines(.status) == ["↻ restarting claude in 1.0 s (attempt 1/3), the conversation continues"])
    }

    @Test func junkIsReportedOncePerProcess() {
        let junk = SessionEvent.undecodableLine(UndecodableLine(text: "\u{1b}[31mgarbage", byteCount: 12, reason: "not valid JSON"))
        let console = present([junk, junk, junk, .processStarted(pid: 2, resumedSessionID: nil), junk])
        #expect(console.lines(.error).count == 2)
        #expect(!console.lines(.error)[0].contains("\u{1b}"))
    }

    @Test func theTerminalModeAddsAFooterAndInterruptedMarker() {
        let summary = TurnSummary(message: message, result: TurnResult(
            subtype: "error_during_execution", isError: true, terminalReason: "aborted_streaming", totalCostUSD: 0.0123,
            inputTokens: 100, outputTokens: 20), elapsed: .milliseconds(1500))
        let console = present([.turnCompleted(summary)], mode: .terminal)
        #expect(console.lines(.status) == ["⏹ interrupted", "─ 1.5 s · $0.0123 · 100 in · 20 out tokens"])
    }

    @Test func failedTurnsSayWhy() {
        let summary = TurnSummary(message: message, result: TurnResult(
            subtype: "success", isError: true, text: "API Error: 529 overloaded", terminalReason: "api_error"),
            elapsed: .seconds(1))
        let console = present([.turnCompleted(summary)])
        #expect(console.lines(.error) == ["✗ turn failed (api_error): API Error: 529 overloaded"])
    }

    @Test func markdownIsStyledInTerminalModeButNotInPlainMode() {
        let plain = present([.textDelta("**bold** and `code`"), .assistantText("", alreadyStreamed: true, isError: false)])
        #expect(plain.streamedText == "**bold** and `code`\n")
        let styled = StyledTextCapture()
        var presenter = TranscriptPresenter(mode: .terminal)
        presenter.present(.textDelta("**bo"), on: styled)
        presenter.present(.textDelta("ld** and `code`\n"), on: styled)
        presenter.closeText(on: styled)
        let text = styled.streamed.map(\.plainText).joined()
        #expect(text.contains("bold") && !text.contains("**") && !text.contains("`"))
        let boldText = styled.streamed.flatMap(\.fragments).filter(\.style.isBold).map(\.text).joined()
        #expect(boldText == "bold")
    }
}

/// A console that keeps the styled values, to check styles.
final class StyledTextCapture: Console, @unchecked Sendable {
    var streamed: [StyledText] = []
    var lines: [StyledText] = []
    func streamText(_ text: StyledText) { streamed.append(text) }
    func line(_ text: StyledText, kind: ConsoleLineKind) { lines.append(text) }
    func json(_ line: String) {}
}

extension PresenterTests {
    @Test func resultPreviewCountsLinesWithoutSplittingEverything() {
        #expect(ToolLineFormatter.previewLines(of: "", count: 3) == ([], 0))
        #expect(ToolLineFormatter.previewLines(of: "\n  \n\t\n", count: 3) == ([], 0))
        #expect(ToolLineFormatter.previewLines(of: "one", count: 3) == (["one"], 1))
        #expect(ToolLineFormatter.previewLines(of: "a\nb\nc\nd\ne\n\n  \n", count: 3) == (["a", "b", "c"], 5))
        #expect(ToolLineFormatter.previewLines(of: "\nsecond", count: 3) == (["", "second"], 2))
        #expect(ToolLineFormatter.previewLines(of: "dos\r\nlines\r\n", count: 3) == (["dos", "lines"], 2))
        #expect(ToolLineFormatter.previewLines(of: "héllo ✓\nwörld", count: 1) == (["héllo ✓"], 2))
        let big = String(repeating: "0123456789\n", count: 500_000)
        let (lines, total) = ToolLineFormatter.previewLines(of: big, count: 3)
        #expect(lines == ["0123456789", "0123456789", "0123456789"] && total == 500_000)
    }
}
