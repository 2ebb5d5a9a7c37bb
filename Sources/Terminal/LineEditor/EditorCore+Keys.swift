import CEditLine
import Glibc

/// Keys Parley reads before libedit sees them (Esc alone, Up on an empty line) and the
/// key commands that are reported to the caller rather than edited (Shift-Tab).
extension EditorCore {
    /// How long a lone ESC waits for the rest of an Alt-key or escape sequence before it
    /// counts as the Esc key itself (vim's `ttimeoutlen` idea): a terminal sends a whole
    /// sequence in one write, a person typing Esc then a letter takes far longer.
    static let escapeTimeoutMilliseconds: Int32 = 75

    /// Handles the waiting ESC when it starts a key Parley reports instead of editing (Esc alone,
    /// Up on an empty line); true when it took it (or read more keys to decide), so the reader
    /// looks again. Only called with ESC next, so other keys pay nothing for it.
    func interceptEscape() -> Bool {
        if decoder.pendingCount == 1, viMode == .insert {
            // Esc alone leaves insert mode. libedit would wait for the rest of an escape
            // sequence, so it gets a private sequence bound to vi-command-mode instead.
            if keyboardReady(withinMilliseconds: Self.escapeTimeoutMilliseconds) {
                readKeyboard()
                return true
            }
            decoder.skip(1)
            decoder.feed([0x1F, 0x1E])  // ViMode.commandModeKeys
            viMode = .normal
            render([], newPrompt: basePrompt)
            return true
        }
        if decoder.pendingCount == 1 {
            // In vi mode Esc is the way to command mode.
            guard viMode == nil, channel.escapeInterrupts.load(ordering: .relaxed) else { return false }
            if keyboardReady(withinMilliseconds: Self.escapeTimeoutMilliseconds) {
                readKeyboard()
                return true
            }
            decoder.skip(1)
            channel.continuation.yield(.interrupt)
            return true
        }
        if let second = decoder.peek(1), second == "[" || second == "O", decoder.peek(2) == "A",
           channel.recallsQueued.load(ordering: .relaxed), continuedLines.isEmpty, currentLine().line.isEmpty {
            decoder.skip(3)
            channel.continuation.yield(.recallQueued)
            return true
        }
        return false
    }

    private func keyboardReady(withinMilliseconds timeout: Int32) -> Bool {
        var descriptor = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
        while true {
            let ready = poll(&descriptor, 1, timeout)
            if ready < 0, errno == EINTR { continue }
            return ready > 0
        }
    }

    func reportShiftTab() -> UInt8 {
        channel.continuation.yield(.shiftTab)
        return UInt8(CC_NORM)
    }

    /// Replaces the line being edited with `text` (which may hold newlines), cursor at its end.
    func replaceLine(with text: String) {
        moveCursorToEnd()
        let count = currentLine().line.count
        if count > 0 { el_deletestr(editLine, Int32(count)) }
        insert(text)
    }
}
