import AgentSession
import StreamJSON
import Terminal
import Testing
@testable import ParleyApp

/// What the model, a tool or the CLI sends never reaches the console as control characters
/// (issue 12): every line and, where it goes to a terminal, the streamed text is made inert.
@Suite struct PresenterInertTests {
    static let hostile = "\u{1B}]0;PWNED\u{07}\u{1B}]52;c;cm0gLXJmIH4v\u{07}\u{1B}[2J\u{1B}[3A\u{1B}[2K\u{1B}[6n\u{9B}2J\r"
    static let shown = "␛]0;…␛]52;…␛[2J␛[3A␛[2K␛[6n␛[2J␍"
    let message = QueuedMessage(id: "m1", text: "hi", sequenceNumber: 1)

    func present(_ events: [SessionEvent], mode: TranscriptPresenter.Mode, stdoutIsTerminal: Bool = true) -> RecordingConsole {
        let console = RecordingConsole()
        var presenter = TranscriptPresenter(mode: mode, width: 200, showThinking: true, stdoutIsTerminal: stdoutIsTerminal)
        for event in events { presenter.present(event, on: console) }
        presenter.closeText(on: console)
        return console
    }

    /// No C0 control other than a newline or a tab, no DEL, no C1 control.
    func isInert(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { ($0.value >= 0x20 && !(0x7F...0x9F).contains($0.value)) || $0 == "\n" || $0 == "\t" }
    }

    @Test(arguments: [TranscriptPresenter.Mode.terminal, .plain])
    func streamedTextSplitInsideSequencesIsInert(mode: TranscriptPresenter.Mode) {
        let text = "before " + Self.hostile + " after"
        let deltas = stride(from: 0, to: text.count, by: 3).map { start in
            String(Array(text)[start..<min(start + 3, text.count)])
        }
        let console = present(deltas.map { .textDelta($0) } + [.assistantText(text, alreadyStreamed: true, isError: false)], mode: mode)
        #expect(console.streamedText == "before " + Self.shown + " after\n")
    }

    @Test func scriptedTextToAPipeStaysExact() {
        let text = "before " + Self.hostile + " after"
        let console = present([.textDelta(String(text.prefix(9))), .textDelta(String(text.dropFirst(9)))], mode: .plain,
                              stdoutIsTerminal: false)
        #expect(console.streamedText == text + "\n")
    }

    @Test(arguments: [TranscriptPresenter.Mode.terminal, .plain])
    func everyLineIsInert(mode: TranscriptPresenter.Mode) {
        let h = Self.hostile
        let failed = TurnSummary(message: message, result: TurnResult(
            subtype: "success", isError: true, text: "API Error \(h)", terminalReason: "api_error\(h)"), elapsed: .seconds(1))
        var events: [SessionEvent] = []
        events.append(.processStarted(pid: 7, resumedSessionID: "s\(h)"))
        events.append(.sessionInitialized(SessionInit(sessionID: "s\(h)", model: "model\(h)")))
        events.append(.thinking("thought\(h)"))
        events.append(.toolUse(ToolUse(id: "t", name: "Bash\(h)", input: ["command": .string("ls\(h)")])))
        events.append(.toolUse(ToolUse(id: "t", name: "Custom", input: ["field": .string("v\(h)")])))
        events.append(.toolResult(ToolResult(toolUseID: "t", content: "out\(h)" + "\nline 2\(h)", isError: false)))
        events.append(.status(.permissionDenied(toolName: "Write\(h)", message: "no\(h)")))
        events.append(.status(.permissionModeChanged("plan\(h)")))
        events.append(.status(.toolProgress(toolName: "Bash\(h)", elapsedSeconds: 3)))
        events.append(.status(.localCommandOutput("cost\(h)")))
        events.append(.messageQueued(QueuedMessage(id: "q", text: "queued\(h)", sequenceNumber: 2), position: 1))
        events.append(.assistantText("API Error\(h)", alreadyStreamed: false, isError: true))
        events.append(.turnCompleted(failed))
        events.append(.stalled(silentFor: .seconds(5), lastEvent: "event\(h)"))
        events.append(.undecodableLine(UndecodableLine(text: "junk\(h)", byteCount: 40, reason: "not valid JSON")))
        events.append(.processExited(status: .exited(1), expected: false, stderrTail: ["stderr\(h)"]))
        events.append(.messageNotAnswered(QueuedMessage(id: "q", text: "lost\(h)", sequenceNumber: 2), reason: .processCrashed))
        let console = present(events, mode: mode)
        let lines = console.entries.compactMap { if case .line(let text, _) = $0 { text } else { nil } }
        // 16: the API error text the CLI wrote is said once, in the turn-failed line (issue 13.10).
        #expect(lines.count >= 16)
        for line in lines { #expect(isInert(line), Comment(rawValue: line.debugDescription)) }
        // A name that is not Bash shows its input as JSON (escaped, and any C1 control made inert).
        #expect(console.lines(ConsoleLineKind.tool).contains { $0.hasPrefix("⏺ Bash" + Self.shown + "({\"command\":\"ls\\u001b]0;") })
        // The preview drops the `\r` of a line end.
        #expect(console.lines(ConsoleLineKind.tool).contains("  ⎿  out" + Self.shown.dropLast()))
        #expect(console.lines(ConsoleLineKind.error).contains("  stderr: stderr" + Self.shown))
        #expect(console.lines(ConsoleLineKind.error).contains { $0.hasPrefix("✗ turn failed (api_error" + Self.shown + "): API Error " + Self.shown.dropLast())  })
        if mode == .terminal {
            #expect(console.lines(ConsoleLineKind.status).contains { $0.hasPrefix("● model model" + Self.shown) })
        }
        #expect(console.lines(ConsoleLineKind.status).contains("✗ Write" + Self.shown + " denied: no" + Self.shown))
    }
}
