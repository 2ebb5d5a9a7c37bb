import Glibc
import CEditLine

/// The libedit session, confined to the editor thread.
///
/// Everything here runs on that one thread: the `el_gets` loop, the read-char
/// function that polls the keyboard, the output mailbox and the signal pipe,
/// and the key commands. Other threads reach it only through ``EditorChannel``.
final class EditorCore {
    let channel: EditorChannel
    let editLine: OpaquePointer
    private let history: OpaquePointer
    private let signals: SignalRelay
    private let historyFile: HistoryFile?
    private var lastHistoryEntry: String?
    /// The history, oldest first, for Ctrl-R (libedit's own copy is not searchable from here).
    var historyEntries: [String] = []
    private let historyLimit: Int
    let completion: LineEditor.CompletionProvider?
    /// Control keys that stand for a command (``LineInput/command(_:)``).
    private let commandKeys: [Character: String]
    let color: Bool

    var promptPlainText = ""
    /// The prompt as the caller set it; a continuation line shows ``continuationPrompt`` instead.
    private(set) var basePrompt = StyledText("")
    /// The prompt on screen now, styled.
    private(set) var shownPrompt = StyledText("")
    /// Lines of the message finished with a trailing `\` (without it), above the current one.
    var continuedLines: [String] = []
    /// Large pastes shown as labels on the line until it is submitted.
    var pastedBlocks = PastedBlocks()
    /// Set while a key command (paste, history search) reads the keys itself: they are not edits.
    var keyCommandReadsKeys = false
    /// Set by a command that ends the edit line: the next `el_gets` starts a fresh one.
    var startFreshLine = false
    private var promptCString: UnsafeMutablePointer<CChar>?
    var live = LiveOutput()
    /// vi's mode as the prompt shows it; `nil` with emacs keys.
    var viMode: ViMode?
    /// The vi mode tracker's state between keys.
    var viKeys = ViKeyTracker()
    var decoder = UTF8InputDecoder()
    /// Whether a key answers a question or is type-ahead.
    private var deliberateKey = DeliberateKey()
    /// How many keys the last read from the keyboard delivered.
    private var keyBatchSize = 0
    private var readBuffer = [UInt8](repeating: 0, count: 4096)

    /// Whether the terminal's own title was saved (``TerminalControl/pushTitle``), to restore at the end.
    private var titlePushed = false

    private var exitRequested = false
    private var exitReport: LineInput?
    var submittedLine: String?

    init(
        channel: EditorChannel, prompt: StyledText, historyPath: String?, historySize: Int, color: Bool,
        editingMode: LineEditor.EditingMode, commandKeys: [Character: String] = [:], completion: LineEditor.CompletionProvider?
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
        self.commandKeys = commandKeys
        self.historyLimit = max(1, historySize)
        self.historyFile = historyPath.map { HistoryFile(path: $0, limit: max(1, historySize)) }
        setPrompt(prompt)
        configure(historySize: historySize, editingMode: editingMode)
    }

    deinit {
        free(promptCString)
    }

    private func configure(historySize: Int, editingMode: LineEditor.EditingMode) {
        parley_el_set_client_data(editLine, Unmanaged.passUnretained(self).toOpaque())
        parley_el_set_editor(editLine, editingMode == .vi ? "vi" : "emacs")
        parley_el_set_prompt(editLine, EditorCallbacks.prompt, CChar(1))
        parley_el_set_read_function(editLine, EditorCallbacks.readCharacter)
        parley_history_set_size(history, Int32(clamping: max(1, historySize)))
        parley_history_set_unique(history, 1)
        parley_el_set_history(editLine, history)
        if let historyFile {
            let entries = historyFile.load()
            for entry in entries { parley_history_enter(history, entry) }
            lastHistoryEntry = entries.last
            historyEntries = entries
        }
        bindKeys()
        // A Ctrl-C (SIGINT from the terminal) would otherwise discard keys typed ahead that
        // the editor had not read yet, and output not yet drawn.
        parley_el_keep_input_on_interrupt(editLine)
        // The user's own libedit settings ($EDITRC or ~/.editrc) come last and win; a `bind -v`
        // or `bind -e` there resets the keymaps, so Parley's keys are bound again.
        let viBefore = parley_el_is_vi(editLine)
        _ = el_source(editLine, nil)
        if parley_el_is_vi(editLine) != viBefore { bindKeys() }
        viMode = parley_el_is_vi(editLine) != 0 ? .insert : nil
        if viMode != nil { parley_el_bind(editLine, ViMode.commandModeKeys, "vi-command-mode") }
        applyPrompt()
    }

    private func bindKeys() {
        let commands: [(String, String, parley_el_command_t, [String])] = [
            ("parley-submit", "Submit the line", EditorCallbacks.submit, ["^J", "^M"]),
            ("parley-interrupt", "Report Ctrl-C", EditorCallbacks.interrupt, ["^C"]),
            ("parley-eof-or-delete", "EOF on an empty line, else delete", EditorCallbacks.endOrDelete, ["^D"]),
            ("parley-complete", "Complete the word at the cursor", EditorCallbacks.complete, ["^I"]),
            ("parley-paste", "Insert a bracketed paste", EditorCallbacks.paste, ["\\e[200~"]),
            ("parley-newline", "Insert a newline", EditorCallbacks.insertNewline, ["\\e^M", "\\e^J"]),
            ("parley-shift-tab", "Report Shift-Tab", EditorCallbacks.shiftTab, ["\\e[Z"]),
            ("parley-edit-in-editor", "Edit the message in $VISUAL/$EDITOR", EditorCallbacks.editInExternalEditor, ["^X^E"]),
            ("parley-search", "Search the history", EditorCallbacks.searchHistory, ["^R"]),
            ("parley-escape-twice", "Report Esc Esc on an empty line", EditorCallbacks.escapeTwice, ["\\e\\e"]),
            ("parley-backward-char", "Move left one character", EditorCallbacks.backwardCharacter, ["^B", "\\e[D", "\\eOD"]),
            ("parley-forward-char", "Move right one character", EditorCallbacks.forwardCharacter, ["^F", "\\e[C", "\\eOC"]),
            ("parley-delete-prev-char", "Delete the character before the cursor", EditorCallbacks.deleteBackward, ["^?", "^H"]),
            ("parley-delete-next-char", "Delete the character under the cursor", EditorCallbacks.deleteForward, ["\\e[3~"]),
        ]
        for (name, help, function, keys) in commands {
            parley_el_add_function(editLine, name, help, function)
            for key in keys { parley_el_bind(editLine, key, name) }
        }
        // vi's command mode submits, interrupts and ends the same way.
        for (name, keys) in [("parley-submit", ["^J", "^M"]), ("parley-interrupt", ["^C"]), ("parley-eof-or-delete", ["^D"])] {
            for key in keys { parley_el_bind_command_mode(editLine, key, name) }
        }
        parley_el_add_function(editLine, "parley-key-command", "Report a command key", EditorCallbacks.keyCommand)
        for key in commandKeys.keys {
            guard let value = key.asciiValue, value < 0x20 else { continue }
            parley_el_bind(editLine, "^" + String(UnicodeScalar(value + 0x40)), "parley-key-command")
        }
        // Home and End as terminals and tmux send them, whatever TERM says.
        for key in ["\\e[1~", "\\e[H", "\\eOH", "\\e[7~"] { parley_el_bind(editLine, key, "ed-move-to-beg") }
        for key in ["\\e[4~", "\\e[F", "\\eOF", "\\e[8~"] { parley_el_bind(editLine, key, "ed-move-to-end") }
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
                // The line goes out first (Enter → stdin is what the user waits for); the output
                // mark and the history file are this thread's, written before any output it renders.
                channel.continuation.yield(.line(line))
                TerminalOutput.write(TerminalControl.outputStartMark)
                remember(line)
                // A new line starts in insert mode.
                if viMode == .normal { viMode = .insert; applyPrompt() }
                startFreshLine = true
            }
            if startFreshLine {
                startFreshLine = false
                // Start a fresh line: reset the buffer and history position, print the prompt.
                parley_el_set_int(editLine, EL_UNBUFFERED, 0)
                if !exitRequested { parley_el_set_int(editLine, EL_UNBUFFERED, 1) }
            }
        }
        shutDown()
    }

    /// A command key was pressed: report its command, leave the line alone.
    func reportKeyCommand(_ key: Int32) -> UInt8 {
        guard let scalar = UnicodeScalar(UInt32(max(0, key))), let command = commandKeys[Character(scalar)] else {
            return UInt8(CC_ERROR)
        }
        channel.continuation.yield(.command(command))
        return UInt8(CC_NORM)
    }

    private func shutDown() {
        parley_flush_stdout()
        var bytes = live.detach(editAreaCursorRow: cursorRow(), columns: columns, color: color)
        bytes += Array("\u{1B}[?2004l".utf8)
        if titlePushed { bytes += Array(TerminalControl.popTitle.utf8) }
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
        if line != lastHistoryEntry {
            historyFile?.append(line)
            historyEntries.append(line)
            if historyEntries.count > historyLimit { historyEntries.removeFirst(historyEntries.count - historyLimit) }
        }
        lastHistoryEntry = line
    }

    // MARK: - Reading keys (EL_GETCFN)

    /// Waits for the next key while rendering output and handling signals.
    func readCharacter(into character: UnsafeMutablePointer<wchar_t>?) -> Int32 {
        while true {
            if exitRequested { return 0 }
            let request = channel.singleKeyRequest.load(ordering: .relaxed)
            deliberateKey.observe(request: request, now: DeliberateKey.now())
            if decoder.peek() == "\u{1B}", interceptEscape() { continue }
            if let scalar = decoder.next() {
                if request != 0, channel.singleKeyAnswers.withLock({ $0.contains(Character(String(scalar).lowercased())) }),
                   deliberateKey.answers(lineIsEmpty: currentLine().0.isEmpty && continuedLines.isEmpty, aloneInBatch: keyBatchSize == 1),
                   channel.singleKeyRequest.compareExchange(expected: request, desired: 0, ordering: .relaxed).exchanged {
                    channel.continuation.yield(.key(Character(scalar)))
                    continue
                }
                if takeZeroWidthJoiner(scalar) { continue }
                if viMode != nil { trackViMode(after: scalar) }
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

    func readKeyboard() {
        let count = readBuffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
        if count > 0 {
            decoder.feed(readBuffer[0..<count])
            keyBatchSize = decoder.pendingCount
            deliberateKey.keysArrived(at: DeliberateKey.now())
        } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
            finish(reporting: .eof)
        }
    }

    private func finish(reporting report: LineInput?) {
        exitRequested = true
        if exitReport == nil { exitReport = report }
    }

    private func handleSignals() {
        handle(signals.drain())
    }

    /// Forgets a Ctrl-C that arrived as SIGINT while another program had the terminal.
    func dropPendingInterrupts() {
        handle(signals.drain().filter { $0 != SIGINT })
    }

    private func handle(_ caught: [Int32]) {
        for signal in caught {
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
        TerminalOutput.write(live.detach(editAreaCursorRow: cursorRow(), columns: columns, color: color) + Array("\u{1B}[?2004l".utf8))
        parley_el_set_int(editLine, EL_PREP_TERM, 0)
        signals.suspendProcess()
        parley_el_set_int(editLine, EL_PREP_TERM, 1)
        TerminalOutput.write("\u{1B}[?2004h")
        el_resize(editLine)
        parley_el_refresh(editLine)
    }

    private func processMailbox() {
        let mailbox = channel.take()
        if let statusRow = mailbox.statusRow { live.statusRow = statusRow }
        if !mailbox.items.isEmpty || mailbox.prompt != nil || mailbox.statusRow != nil || mailbox.replacementLine != nil
            || mailbox.openEditor {
            render(mailbox.items, newPrompt: mailbox.prompt, newLine: mailbox.replacementLine, openEditor: mailbox.openEditor)
        }
        if mailbox.stopRequested { finish(reporting: nil) }
    }

    // MARK: - Output above the prompt

    /// Erases the edit area, writes `items` above it and lets libedit redraw.
    /// `newLine` replaces the line being edited.
    func render(_ items: [OutputItem], newPrompt: StyledText? = nil, newLine: String? = nil, openEditor: Bool = false) {
        parley_flush_stdout()
        // A resize may not have been signalled yet, but the terminal has already reflowed:
        // lay out for the width it has now.
        let width = Int(parley_window_columns(1))
        if width > 0, width != columns { el_resize(editLine) }
        var bytes = live.render(items, editAreaCursorRow: cursorRow(), columns: columns, color: color)
        if !titlePushed, items.contains(where: { if case .control(.title) = $0 { true } else { false } }) {
            titlePushed = true
            bytes = Array(TerminalControl.pushTitle.utf8) + bytes
        }
        if let newPrompt { setPrompt(newPrompt) }
        if let newLine { replaceLine(with: newLine) }
        if openEditor { _ = editInExternalEditor() }
        TerminalOutput.write(bytes)
        parley_el_refresh(editLine)
    }

    var columns: Int {
        let columns = Int(parley_el_columns(editLine))
        return columns > 0 ? columns : 80
    }

    func cursorRow() -> Int {
        let (line, cursor) = currentLine()
        return EditAreaLayout.cursorRow(prompt: promptPlainText, line: line, cursor: cursor, columns: columns)
    }

    func setPrompt(_ prompt: StyledText) {
        basePrompt = prompt
        applyPrompt()
    }

    /// Shows the caller's prompt (marked as a prompt, OSC 133), or the continuation prompt while
    /// a message continues; in vi mode after the mode's marker.
    func applyPrompt() {
        let prompt = continuedLines.isEmpty ? basePrompt : Self.continuationPrompt(for: basePrompt)
        showPrompt(viMode.map { $0.marker + prompt } ?? prompt, marked: continuedLines.isEmpty)
    }

    /// Shows `prompt` (until the next ``applyPrompt()`` when it is not the caller's: a history search).
    func showPrompt(_ prompt: StyledText, marked: Bool = false) {
        shownPrompt = prompt
        promptPlainText = prompt.plainText
        free(promptCString)
        promptCString = strdup(PromptRenderer.render(prompt, color: color, marks: marked))
    }

    /// `…` right-aligned under the prompt's `›`, so continued lines line up with the first.
    static func continuationPrompt(for prompt: StyledText) -> StyledText {
        StyledText(String(repeating: " ", count: max(0, displayWidth(of: prompt.plainText) - 2)) + "… ", .dim)
    }

    /// The prompt string for libedit's prompt callback.
    var promptPointer: UnsafeMutablePointer<CChar>? { promptCString }

    static func from(_ editLine: OpaquePointer?) -> EditorCore? {
        guard let editLine, let data = parley_el_client_data(editLine) else { return nil }
        return Unmanaged<EditorCore>.fromOpaque(data).takeUnretainedValue()
    }
}
