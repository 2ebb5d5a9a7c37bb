import Testing

@testable import Terminal

@Suite("Status row")
struct StatusRowTests {
    @Test func theStatusRowIsDrawnLastAndRewrittenInPlace() {
        var live = LiveOutput()
        live.statusRow = StyledText("running 1s")
        let first = live.renderText([], editAreaCursorRow: 0, columns: 40, color: false)
        #expect(first == "\r\u{1B}[K\u{1B}[C\u{1B}[J\rrunning 1s\r\n")
        live.statusRow = StyledText("running 2s")
        // The row on screen is part of the volatile area: the next render moves up over it.
        let second = live.renderText([], editAreaCursorRow: 0, columns: 40, color: false)
        #expect(second == "\r\u{1B}[1A\u{1B}[K\u{1B}[C\u{1B}[J\rrunning 2s\r\n")
    }

    @Test func outputGoesAboveTheStatusRowAndNeverEntersTheTranscriptUnderIt() {
        var live = LiveOutput()
        live.statusRow = StyledText("running 1s")
        _ = live.renderText([], editAreaCursorRow: 0, columns: 40, color: false)
        let bytes = live.renderText([.text("partial"), .status("⏺ Bash")], editAreaCursorRow: 1, columns: 40, color: false)
        // Up over the edit area's row and the status row; the live row, its held status, then the row.
        #expect(bytes == "\r\u{1B}[2A\u{1B}[K\u{1B}[C\u{1B}[J\rpartial\r\n⏺ Bash\r\nrunning 1s\r\n")
        let next = live.renderText([.text(" line\n")], editAreaCursorRow: 0, columns: 40, color: false)
        #expect(next == "\r\u{1B}[3A\u{1B}[K\u{1B}[C\u{1B}[J\rpartial line\r\n⏺ Bash\r\nrunning 1s\r\n")
    }

    @Test func removingTheRowErasesItAndNothingIsWrittenInItsPlace() {
        var live = LiveOutput()
        live.statusRow = StyledText("running 1s")
        _ = live.renderText([], editAreaCursorRow: 0, columns: 40, color: false)
        live.statusRow = nil
        let bytes = live.renderText([], editAreaCursorRow: 0, columns: 40, color: false)
        #expect(bytes == "\r\u{1B}[1A\u{1B}[K\u{1B}[C\u{1B}[J\r")
        #expect(live.drawnStatusRow == nil)
        // Gone for good: the next render does not move up over it.
        #expect(live.renderText([], editAreaCursorRow: 0, columns: 40, color: false) == "\r\u{1B}[K\u{1B}[C\u{1B}[J\r")
    }

    @Test func aRowWrappedByANarrowerTerminalIsErasedWhole() {
        var live = LiveOutput()
        live.statusRow = StyledText("running 12s · Bash · sonnet")
        _ = live.renderText([], editAreaCursorRow: 0, columns: 40, color: false)
        // Drawn as one row of 27 columns; at 10 the terminal reflows it over three.
        let bytes = live.renderText([], editAreaCursorRow: 0, columns: 10, color: false)
        #expect(bytes.hasPrefix("\r\u{1B}[3A\u{1B}[K\u{1B}[C\u{1B}[J\r"))
    }

    @Test func detachingErasesTheRowAndForgetsIt() {
        var live = LiveOutput()
        live.statusRow = StyledText("running 1s")
        _ = live.renderText([], editAreaCursorRow: 0, columns: 40, color: false)
        let bytes = String(decoding: live.detach(editAreaCursorRow: 0, columns: 40, color: false), as: UTF8.self)
        #expect(bytes == "\r\u{1B}[1A\u{1B}[K\u{1B}[C\u{1B}[J\r")
        #expect(live.statusRow == nil && live.drawnStatusRow == nil)
    }

    @Test func theRowKeepsItsStyleOnlyWithColour() {
        var live = LiveOutput()
        live.statusRow = StyledText("running 1s", .dim)
        #expect(live.renderText([], editAreaCursorRow: 0, columns: 40, color: true).contains("\u{1B}["))
        var plain = LiveOutput()
        plain.statusRow = StyledText("running 1s", .dim)
        #expect(plain.renderText([], editAreaCursorRow: 0, columns: 40, color: false) == "\r\u{1B}[K\u{1B}[C\u{1B}[J\rrunning 1s\r\n")
    }
}

@Suite("Prompt marks (OSC 133)")
struct PromptMarkTests {
    @Test func theMarksRideInTheFirstAndLastRuns() {
        let prompt = StyledText("demo", .bold) + StyledText(" › ", .color(.cyan))
        #expect(PromptRenderer.render(prompt, color: true, marks: true)
                == "\u{1}\u{1B}]133;A\u{07}\u{1B}[0;1m\u{1}demo\u{1}\u{1B}[0;36m\u{1} ›\u{1}\u{1B}[0m\u{1B}]133;B\u{07}\u{1} ")
        #expect(PromptRenderer.render(StyledText("> "), color: false, marks: true)
                == "\u{1}\u{1B}]133;A\u{07}\u{1}>\u{1}\u{1B}]133;B\u{07}\u{1} ")
        // Without marks nothing changes.
        #expect(PromptRenderer.render(StyledText("> "), color: false) == "> ")
    }

    @Test func controlsGoOutInOrderWithTheOutput() {
        var live = LiveOutput()
        let bytes = live.renderText([.text("a\n"), .control(.commandFinished), .text("b\n")], editAreaCursorRow: 0, columns: 20, color: false)
        #expect(bytes == "\r\u{1B}[K\u{1B}[C\u{1B}[J\ra\r\n\u{1B}]133;D\u{07}b\r\n")
    }
}
