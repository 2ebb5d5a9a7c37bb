import Glibc
import CEditLine

/// The libedit session, confined to the editor thread.
///
/// Everything here runs on that one thread: the `el_gets` loop, the read-char
/// function that polls the keyboard, the output mailbox and the signal pipe,
/// and the key commands. Other threads reach it only through ``EditorChannel``.
final class EditorCore {
    let channel: EditorChannel
    private let editLine: OpaquePointer
    private let history: OpaquePointer
    private let signals: SignalRelay
    private let historyFile: HistoryFile?
    private var lastHistoryEntry: String?
    private let completion: LineEditor.CompletionProvider?
    private let color: Bool

    private var promptPlainText = ""
    private var promptCString: UnsafeMutablePointer<CChar>?
    private var live = LiveOutput()
    private var decoder = UTF8InputDecoder()
    private var readBuffer = [UInt8](repeating: 0, count: 4096)

    private var exitRequested = false
    private var exitReport: LineInput?
    private var submittedLine: String?

    init(
        channel: EditorChannel, prompt: StyledText, historyPath: String?, historySize: Int, color: Bool,
        completion: LineEditor.CompletionProvider?
    ) throws(LineEditorError) {
        LocaleSetup.ensureUTF8()
        guard let editLine = parley_el_init("parley") else { throw LineEditorError(.setupFailed, errno: errno) }
        guard let history = history_init() else {
            el_end(editLine)
            throw LineEditorError(.setupFailed, errno: errno)
        }
        let signals: SignalRelay
        do {
            signals = try SignalRelay()
        } catch {
            history_end(history)
            el_end(editLine)
            throw error
        }
        self.channel = channel
        self.editLine = editLine
        self.history = history
        self.signals = signals
        self.color = color
        self.completion = completion
        self.historyFile = historyPath.map { HistoryFile(path: $0, limit: max(1, historySize)) }
        setPrompt(prompt)
        configure(historySize: historySize)
    }

    deinit {
        free(promptCString)
    }

    private func configure(historySize: Int) {
        parley_el_set_client_data(editLine, Unmanaged.passUnretained(self).toOpaque())
        parley_el_set_editor(editLine, "emacs")
        parley_el_set_prompt(editLine, EditorCallbacks.prompt, CChar(1))
        parley_el_set_read_function(editLine, EditorCallbacks.readCharacter)
        parley_history_set_size(history, Int32(clamping: max(1, historySize)))
        parley_history_set_unique(history, 1)
        parley_el_set_history(editLine, history)
        if let historyFile {
            let entries = historyFile.load()
            for entry in entries { parley_history_enter(history, entry) }
            lastHistoryEntry = entries.last
        }
        let commands: [(String, String, parley_el_command_t, [String])] = [
            ("parley-submit", "Submit the line", EditorCallbacks.submit, ["^J", "^M"]),
            ("parley-interrupt", "Report Ctrl-C", EditorCallbacks.interrupt, ["^C"]),
            ("parley-eof-or-delete", "EOF on an empty line, else delete", EditorCallbacks.endOrDelete, ["^D"]),
            ("parley-complete", "Complete the word at the cursor", EditorCallbacks.complete, ["^I"]),
            ("parley-paste", "Insert a bracketed paste", EditorCallbacks.paste, ["\\e[200~"]),
            ("parley-newline", "Insert a newline", EditorCallbacks.insertNewline, ["\\e^M", "\\e^J"]),
        ]
        for (name, help, function, keys) in commands {
            parley_el_add_function(editLine, name, help, function)
            for key in keys { parley_el_bind(editLine, key, name) }
        }
    }

    // MARK: - The thread's loop

    /// Runs until stopped, a terminating signal, or the end of input.
    func run() {
        // Process-directed signals reach a thread that does not block them: make sure this one doesn't.
        for signal in SignalRelay.signals { parley_signal_unblock(signal) }
        TerminalOutput.write("\u{1B}[?2004h")
        parley_el_set_int(editLine, EL_UNBUFFERED, 1)
        while !exitRequested {
            var count: Int32 = 0
            _ = el_gets(editLine, &count)
            if let line = submittedLine {
                submittedLine = nil
                remember(line)
                channel.continuation.yield(.line(line))
                // Start a fresh line: reset the buffer and history position, print the prompt.
                parley_el_set_int(editLine, EL_UNBUFFERED, 0)
                if !exitRequested { parley_el_set_int(editLine, EL_UNBUFFERED, 1) }
            }
        }
        shutDown()
    }

    private func shutDown() {
        parley_flush_stdout()
        var bytes = Array(LiveOutput.eraseSequence(rowsUp: cursorRow()).utf8)
        bytes += live.closeForShutdown(color: color)
        bytes += Array("\u{1B}[?2004l".utf8)
        TerminalOutput.write(bytes)
        parley_el_set_int(editLine, EL_UNBUFFERED, 0)
        el_end(editLine)
        history_end(history)
        signals.release()
        TerminalRestorer.clear()
        channel.markClosed()
        if let exitReport { channel.continuation.yield(exitReport) }
        channel.continuation.finish()
    }

    private func remember(_ line: String) {
        guard !line.isEmpty, line.first != " ", line.contains(where: { !$0.isWhitespace }) else { return }
        parley_history_enter(history, line)
        if line != lastHistoryEntry { historyFile?.append(line) }
        lastHistoryEntry = line
    }

    // MARK: - Reading keys (EL_GETCFN)

    /// Waits for the next key while rendering output and handling signals.
    func readCharacter(into character: UnsafeMutablePointer<wchar_t>?) -> Int32 {
        while true {
            if exitRequested { return 0 }
            if let scalar = decoder.next() {
                if scalar.value >= 0x20, scalar.value != 0x7F, channel.wantsSingleKey.load(ordering: .relaxed),
                   currentLine().0.isEmpty,
                   channel.wantsSingleKey.compareExchange(expected: true, desired: false, ordering: .relaxed).exchanged {
                    channel.continuation.yield(.key(Character(scalar)))
                    continue
                }
                character?.pointee = wchar_t(bitPattern: scalar.value)
                return 1
            }
            var descriptors = [
                pollfd(fd: 0, events: Int16(POLLIN), revents: 0),
                pollfd(fd: channel.wakeRead, events: Int16(POLLIN), revents: 0),
                pollfd(fd: signals.readEnd, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&descriptors, nfds_t(descriptors.count), -1)
            if ready < 0 {
                if errno == EINTR { continue }
                finish(reporting: .eof)
                return 0
            }
            if descriptors[2].revents != 0 { handleSignals() }
            if descriptors[1].revents != 0 { processMailbox() }
            if descriptors[0].revents != 0 { readKeyboard() }
        }
    }

    private func readKeyboard() {
        let count = readBuffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
        if count > 0 {
            decoder.feed(readBuffer[0..<count])
        } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
            finish(reporting: .eof)
        }
    }

    private func finish(reporting report: LineInput?) {
        exitRequested = true
        if exitReport == nil { exitReport = report }
    }

    private func handleSignals() {
        for signal in signals.drain() {
            switch signal {
            case SIGINT: decoder.feed([0x03])
            case SIGWINCH:
                el_resize(editLine)
                render([])
            case SIGTERM, SIGHUP: finish(reporting: .terminate(signal: signal))
            case SIGTSTP: suspend()
            default: break
            }
        }
    }

    private func suspend() {
        parley_flush_stdout()
        TerminalOutput.write(LiveOutput.eraseSequence(rowsUp: cursorRow()) + "\u{1B}[?2004l")
        parley_el_set_int(editLine, EL_PREP_TERM, 0)
        signals.suspendProcess()
        parley_el_set_int(editLine, EL_PREP_TERM, 1)
        TerminalOutput.write("\u{1B}[?2004h")
        live.detachLiveRow()
        el_resize(editLine)
        parley_el_refresh(editLine)
    }

    private func processMailbox() {
        let mailbox = channel.take()
        if !mailbox.items.isEmpty || mailbox.prompt != nil { render(mailbox.items, newPrompt: mailbox.prompt) }
        if mailbox.stopRequested { finish(reporting: nil) }
    }

    // MARK: - Output above the prompt

    /// Erases the edit area, writes `items` above it and lets libedit redraw.
    func render(_ items: [OutputItem], newPrompt: StyledText? = nil) {
        parley_flush_stdout()
        let bytes = live.render(items, editAreaCursorRow: cursorRow(), columns: columns, color: color)
        if let newPrompt { setPrompt(newPrompt) }
        TerminalOutput.write(bytes)
        parley_el_refresh(editLine)
    }

    private var columns: Int {
        let columns = Int(parley_el_columns(editLine))
        return columns > 0 ? columns : 80
    }

    private func cursorRow() -> Int {
        let (line, cursor) = currentLine()
        return EditAreaLayout.cursorRow(prompt: promptPlainText, line: line, cursor: cursor, columns: columns)
    }

    private func setPrompt(_ prompt: StyledText) {
        promptPlainText = prompt.plainText
        free(promptCString)
        promptCString = strdup(PromptRenderer.render(prompt, color: color))
    }

    /// The prompt string for libedit's prompt callback.
    var promptPointer: UnsafeMutablePointer<CChar>? { promptCString }

    // MARK: - Commands

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

    private func moveCursorToEnd() {
        let (line, cursor) = currentLine()
        if line.count > cursor { _ = el_cursor(editLine, Int32(line.count - cursor)) }
    }

    private func insert(_ text: String) {
        guard !text.isEmpty else { return }
        _ = el_insertstr(editLine, text)
    }

    func submit() -> UInt8 {
        let (line, cursor) = currentLine()
        if line.last == "\\" {
            moveCursorToEnd()
            el_deletestr(editLine, 1)
            insert("\n")
            return UInt8(CC_REFRESH)
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
        } else {
            TerminalOutput.write((rowsBelow > 0 ? "\u{1B}[\(rowsBelow)B" : "") + "\r\n")
        }
        submittedLine = String(String.UnicodeScalarView(line))
        return UInt8(CC_NEWLINE)
    }

    func interrupt() -> UInt8 {
        channel.continuation.yield(.interrupt)
        guard !channel.keepsLineOnInterrupt.load(ordering: .relaxed) else { return UInt8(CC_NORM) }
        let (line, _) = currentLine()
        guard !line.isEmpty else { return UInt8(CC_NORM) }
        moveCursorToEnd()
        el_deletestr(editLine, Int32(line.count))
        return UInt8(CC_REFRESH)
    }

    func endOrDelete() -> UInt8 {
        let (line, cursor) = currentLine()
        if line.isEmpty {
            channel.continuation.yield(.eof)
            return UInt8(CC_NORM)
        }
        guard cursor < line.count else { return UInt8(CC_NORM) }
        _ = el_cursor(editLine, 1)
        el_deletestr(editLine, 1)
        return UInt8(CC_REFRESH)
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
            let rows = CompletionPlan.columns(all, width: columns)
            render([.endLine, .text(StyledText(rows.joined(separator: "\n") + "\n"))])
            return UInt8(CC_NORM)
        }
    }

    func paste() -> UInt8 {
        let endMarker: [Unicode.Scalar] = ["\u{1B}", "[", "2", "0", "1", "~"]
        var scalars: [Unicode.Scalar] = []
        var character: wchar_t = 0
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
        insert(text)
        return UInt8(CC_REFRESH)
    }

    func insertNewline() -> UInt8 {
        insert("\n")
        return UInt8(CC_REFRESH)
    }

    static func from(_ editLine: OpaquePointer?) -> EditorCore? {
        guard let editLine, let data = parley_el_client_data(editLine) else { return nil }
        return Unmanaged<EditorCore>.fromOpaque(data).takeUnretainedValue()
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
