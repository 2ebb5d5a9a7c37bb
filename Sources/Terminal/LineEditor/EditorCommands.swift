import CEditLine

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The key commands Parley binds in libedit (see ``EditorCore``): submit, continuation,
/// Ctrl-C, Ctrl-D, completion, bracketed paste, newline. They run on the editor thread.
extension EditorCore {
    /// The line being edited and the cursor's offset, in scalars.
    func currentLine() -> (line: [Unicode.Scalar], cursor: Int) {
        guard let info = el_wline(editLine)?.pointee, let buffer = info.buffer else { return ([], 0) }
        let count = info.lastchar - buffer
        let cursor = info.cursor - buffer
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(count)
        for index in 0..<count {
            if let scalar = Unicode.Scalar(UInt32(bitPattern: buffer[index])) { scalars.append(scalar) }
        }
        return (scalars, cursor)
    }

    func moveCursorToEnd() {
        let (line, cursor) = currentLine()
        if line.count > cursor { _ = el_cursor(editLine, Int32(line.count - cursor)) }
    }

    func insert(_ text: String) {
        guard !text.isEmpty else { return }
        _ = el_insertstr(editLine, text)
    }

    /// Esc Esc: reported on an empty line (not inside a continued message), ignored otherwise.
    func escapeTwice() -> UInt8 {
        if currentLine().line.isEmpty && continuedLines.isEmpty { channel.continuation.yield(.escapeTwice) }
        return UInt8(CC_NORM)
    }

    func submit() -> UInt8 {
        let (line, cursor) = currentLine()
        let typed = String(String.UnicodeScalarView(line))
        if line.last == "\\" {
            // Continue the message: this line goes above, as typed, and a fresh line with the
            // continuation prompt takes its place (the lines above are kept whatever is done
            // to it, history recall included).
            parley_flush_stdout()
            writeAboveEditArea(typed)
            continuedLines.append(String(typed.dropLast()))
            applyPrompt()
            startFreshLine = true
            return UInt8(CC_NEWLINE)
        }
        let rowsBelow =
            EditAreaLayout.lastRow(prompt: promptPlainText, line: line, columns: columns)
            - EditAreaLayout.cursorRow(prompt: promptPlainText, line: line, cursor: cursor, columns: columns)
        parley_flush_stdout()
        if live.hasLiveRow {
            // A reply is mid-line just above the prompt. Leaving the submitted line on screen
            // would put it between the live row and the new prompt, and the next redraw would
            // leave a stale copy of the live row behind. Erase the edit area instead, so the new
            // prompt takes its place right under the live row (the caller reports the line).
            let row = EditAreaLayout.cursorRow(prompt: promptPlainText, line: line, cursor: cursor, columns: columns)
            TerminalOutput.write(LiveOutput.eraseSequence(rowsUp: row))
        } else if live.drawnStatusRow != nil {
            // A running turn's status row is drawn just above the prompt. A newline here would
            // strand it above the submitted line, and the next redraw, which starts at the status
            // row's place, would erase the submitted line instead. So the line goes into the
            // transcript above the status row, which is drawn again under it.
            writeAboveEditArea(typed)
        } else {
            TerminalOutput.write((rowsBelow > 0 ? "\u{1B}[\(rowsBelow)B" : "") + "\r\n")
        }
        submittedLine = pastedBlocks.expand((continuedLines + [typed]).joined(separator: "\n"))
        pastedBlocks.reset()
        if !continuedLines.isEmpty {
            // The continuation prompt gives way to the caller's.
            continuedLines = []
            applyPrompt()
        }
        return UInt8(CC_NEWLINE)
    }

    /// Writes the prompt and `typed` as a finished line into the transcript, above the status
    /// row if one is drawn, and leaves the cursor on a fresh row for the prompt. The line is made
    /// inert: a paste may have put an escape sequence in it.
    private func writeAboveEditArea(_ typed: String) {
        TerminalOutput.write(live.render([.status(shownPrompt + StyledText(typed).madeInert())], editAreaCursorRow: cursorRow(),
                                         columns: columns, color: color))
    }

    func interrupt() -> UInt8 {
        channel.continuation.yield(.interrupt)
        guard !channel.keepsLineOnInterrupt.load(ordering: .relaxed) else { return UInt8(CC_NORM) }
        let (line, _) = currentLine()
        if !continuedLines.isEmpty {
            // Ctrl-C abandons the whole message, the lines above included.
            continuedLines = []
            applyPrompt()
            if line.isEmpty { return UInt8(CC_REFRESH) }
        }
        guard !line.isEmpty else { return UInt8(CC_NORM) }
        moveCursorToEnd()
        el_deletestr(editLine, Int32(line.count))
        return UInt8(CC_REFRESH)
    }

    func endOrDelete() -> UInt8 {
        let (line, cursor) = currentLine()
        if line.isEmpty {
            // Not while a message continues: its lines above would be lost.
            guard continuedLines.isEmpty else { return UInt8(CC_ERROR) }
            channel.continuation.yield(.eof)
            return UInt8(CC_NORM)
        }
        guard cursor < line.count else { return UInt8(CC_NORM) }
        return deleteCharacter(forward: true)
    }

    func complete() -> UInt8 {
        guard let completion else { return UInt8(CC_ERROR) }
        let (line, cursor) = currentLine()
        let text = String(String.UnicodeScalarView(line))
        let candidates = completion(text, cursor)
        switch CompletionPlan.plan(line: text, cursor: cursor, candidates: candidates) {
        case .none:
            return UInt8(CC_ERROR)
        case .replace(let wordLength, let replacement):
            if wordLength > 0 { el_deletestr(editLine, Int32(wordLength)) }
            insert(replacement)
            return UInt8(CC_REFRESH)
        case .list(let all):
            let rows = CompletionPlan.rows(all, width: columns)
            // Names and descriptions come from files and the CLI: shown inert.
            render([.endLine, .text(StyledText(rows.joined(separator: "\n") + "\n").madeInert())])
            return UInt8(CC_NORM)
        }
    }

    func paste() -> UInt8 {
        let endMarker: [Unicode.Scalar] = ["\u{1B}", "[", "2", "0", "1", "~"]
        var scalars: [Unicode.Scalar] = []
        var character: wchar_t = 0
        keyCommandReadsKeys = true
        defer { keyCommandReadsKeys = false }
        while el_wgetc(editLine, &character) == 1 {
            guard let scalar = Unicode.Scalar(UInt32(bitPattern: character)) else { continue }
            scalars.append(scalar)
            if scalars.count >= endMarker.count, Array(scalars.suffix(endMarker.count)) == endMarker {
                scalars.removeLast(endMarker.count)
                break
            }
        }
        var text = String(String.UnicodeScalarView(scalars))
        text = text.replacingCRLF()
        while text.last == "\n" { text.removeLast() }
        insert(PastedBlocks.isLarge(text) ? pastedBlocks.add(text) : text)
        return UInt8(CC_REFRESH)
    }

    func insertNewline() -> UInt8 {
        insert("\n")
        return UInt8(CC_REFRESH)
    }

}

extension String {
    /// `\r\n` and lone `\r` as `\n`.
    func replacingCRLF() -> String {
        guard unicodeScalars.contains("\r") else { return self }
        var output = String.UnicodeScalarView()
        var previousWasCR = false
        for scalar in unicodeScalars {
            if scalar == "\n", previousWasCR {
                previousWasCR = false
                continue
            }
            previousWasCR = scalar == "\r"
            output.append(scalar == "\r" ? "\n" : scalar)
        }
        return String(output)
    }
}

/// Cursor motion and deletion by whole characters (grapheme clusters), so that an emoji
/// sequence such as 👩‍💻 (three scalars) or a letter with a combining accent is never split:
/// libedit itself moves by single scalars.
extension EditorCore {
    /// Puts a typed U+200D ZERO WIDTH JOINER (what glues 👩 and 💻 into 👩‍💻) into the line
    /// without drawing it; false for any other key, or while a key command reads the keys itself.
    ///
    /// libedit's display keeps one character per screen cell: a zero-width one is dropped by every
    /// redraw, so it can never draw 👩‍💻 whole. Typing at the end of the line writes the joiner
    /// through, though, and the terminal then draws the emoji in 2 columns where libedit counts 4,
    /// so every later redraw lands in the wrong columns (pieces shown twice). Kept out of the
    /// terminal, the sequence always shows as its pictures side by side, where libedit and
    /// ``EditAreaLayout`` put them; the text sent keeps the joiner.
    func takeZeroWidthJoiner(_ scalar: Unicode.Scalar) -> Bool {
        guard scalar == "\u{200D}", !keyCommandReadsKeys, viMode != .normal else { return false }
        insert(String(scalar))
        return true
    }

    /// The scalar offsets of the character boundaries just before and after `cursor`.
    static func characterBoundaries(in line: [Unicode.Scalar], around cursor: Int) -> (before: Int, after: Int) {
        var boundaries = [0]
        for character in String(String.UnicodeScalarView(line)) {
            boundaries.append(boundaries[boundaries.count - 1] + character.unicodeScalars.count)
        }
        return (boundaries.last { $0 < cursor } ?? 0, boundaries.first { $0 > cursor } ?? line.count)
    }

    func moveCharacter(forward: Bool) -> UInt8 {
        let (line, cursor) = currentLine()
        let (before, after) = Self.characterBoundaries(in: line, around: cursor)
        let target = forward ? after : before
        guard target != cursor else { return UInt8(CC_NORM) }
        _ = el_cursor(editLine, Int32(target - cursor))
        return UInt8(CC_CURSOR)
    }

    func deleteCharacter(forward: Bool) -> UInt8 {
        let (line, cursor) = currentLine()
        // A paste's label goes whole.
        if let length = forward ? pastedBlocks.labelLength(startingAt: cursor, in: line) : pastedBlocks.labelLength(endingAt: cursor, in: line) {
            if forward { _ = el_cursor(editLine, Int32(length)) }
            el_deletestr(editLine, Int32(length))
            return UInt8(CC_REFRESH)
        }
        let (before, after) = Self.characterBoundaries(in: line, around: cursor)
        if forward {
            guard after > cursor else { return UInt8(CC_NORM) }
            _ = el_cursor(editLine, Int32(after - cursor))
            el_deletestr(editLine, Int32(after - cursor))
        } else {
            guard before < cursor else { return UInt8(CC_ERROR) }
            el_deletestr(editLine, Int32(cursor - before))
        }
        return UInt8(CC_REFRESH)
    }
}
