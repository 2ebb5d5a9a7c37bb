import Glibc
import Locking
import Synchronization

/// A line editor on libedit that lets output appear while the user types.
///
/// The editor runs libedit on a thread of its own (never on the Swift
/// cooperative pool or the main actor) and reports what the user does on
/// ``inputs``. Output written with ``write(_:)`` or ``writeStatus(_:)`` from any
/// thread or task appears *above* the prompt; the prompt and the partly typed
/// line are redrawn below it, and no keystroke is lost.
///
/// ```swift
/// let editor = try LineEditor(prompt: StyledText("› ", .color(.cyan)), historyPath: path)
/// for await input in editor.inputs {
///     switch input {
///     case .line(let text): editor.write(StyledText("you said: \(text)\n"))
///     case .interrupt: continue
///     case .eof, .terminate: editor.stop()
///     }
/// }
/// ```
///
/// Keys: emacs bindings, history with up/down and Ctrl-R, Tab completion
/// through the caller's ``CompletionProvider``, Alt-Enter or a trailing `\`
/// for a newline inside the message, a bracketed paste of several lines as one
/// message, Ctrl-C reported as ``LineInput/interrupt``, Ctrl-D on an empty
/// line as ``LineInput/eof`` (otherwise it deletes the character under the
/// cursor), Ctrl-X Ctrl-E to edit the message in `$VISUAL`/`$EDITOR`, Shift-Tab as ``LineInput/shiftTab``, Esc alone as ``LineInput/interrupt``
/// when ``escapeInterrupts`` is set, Up on an empty line as ``LineInput/recallQueued``
/// when ``recallsQueued`` is set. Resizing redraws; Ctrl-Z suspends and `fg` resumes.
///
/// The terminal is always restored: by ``stop()``, when SIGTERM or SIGHUP
/// arrives (reported as ``LineInput/terminate(signal:)``), and by an `atexit`
/// handler if the process exits while the editor runs. Only one editor may
/// run at a time, and only when standard input and output are terminals;
/// otherwise read plain lines instead.
public final class LineEditor: Sendable {
    /// Returns the completion candidates for the word at the cursor.
    ///
    /// Called on the editor thread with the whole line and the cursor's offset
    /// in Unicode scalars. Each candidate replaces the word at the cursor (the
    /// text after the last space before it): one candidate is inserted with a
    /// trailing space (a directory, ending in `/`, without), several are narrowed to their
    /// common prefix or listed, each with its description.
    public typealias CompletionProvider = @Sendable (_ line: String, _ cursor: Int) -> [CompletionCandidate]

    /// The key bindings.
    public enum EditingMode: String, Sendable {
        /// emacs keys (the default).
        case emacs
        /// vi keys: the prompt starts with `[I]` in insert mode and `[N]` in command (normal) mode.
        case vi
    }

    /// What the user did, in order. Ends when the editor stops.
    public let inputs: AsyncStream<LineInput>

    private let channel: EditorChannel
    private let thread = Locked<pthread_t?>(nil)
    private static let running = Atomic<Bool>(false)

    /// Starts the editor: shows the prompt and begins reading keys.
    ///
    /// - Parameters:
    ///   - prompt: the prompt, styled.
    ///   - historyPath: the history file, or `nil` to keep history in memory only.
    ///   - historySize: how many entries to keep.
    ///   - useColor: whether to emit colour codes (see ``TerminalCapabilities/useColor``).
    ///   - editingMode: emacs or vi key bindings (the user's `~/.editrc` is read after and may change them).
    ///   - commandKeys: control keys (`"\u{14}"` for Ctrl-T) reported as ``LineInput/command(_:)``
    ///     with the command text given here, instead of editing.
    ///   - completion: supplies Tab completions; `nil` makes Tab beep.
    /// - Throws: ``LineEditorError`` when standard input or output is not a
    ///   terminal, another editor runs, or the terminal cannot be set up.
    public init(
        prompt: StyledText, historyPath: String? = nil, historySize: Int = 1000, useColor: Bool = true,
        editingMode: EditingMode = .emacs, commandKeys: [Character: String] = [:], completion: CompletionProvider? = nil
    ) throws(LineEditorError) {
        guard isatty(0) == 1, isatty(1) == 1 else { throw LineEditorError(.notATerminal) }
        guard Self.running.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
        else { throw LineEditorError(.alreadyRunning) }
        let (stream, continuation) = AsyncStream.makeStream(of: LineInput.self, bufferingPolicy: .unbounded)
        inputs = stream
        do throws(LineEditorError) {
            channel = try EditorChannel(color: useColor, continuation: continuation)
            TerminalRestorer.save()
            let core = try EditorCore(
                channel: channel, prompt: prompt, historyPath: historyPath, historySize: historySize,
                color: useColor, editingMode: editingMode, commandKeys: commandKeys, completion: completion)
            var threadID = pthread_t()
            let context = Unmanaged.passRetained(core).toOpaque()
            let result = pthread_create(&threadID, nil, { context in
                let core = Unmanaged<EditorCore>.fromOpaque(context!).takeRetainedValue()
                core.run()
                return nil
            }, context)
            guard result == 0 else {
                Unmanaged<EditorCore>.fromOpaque(context).release()
                throw LineEditorError(.setupFailed, errno: result)
            }
            thread.withLock { $0 = threadID }
        } catch {
            TerminalRestorer.clear()
            Self.running.store(false, ordering: .releasing)
            throw error
        }
    }

    deinit { stop() }

    /// Whether Ctrl-C leaves the line being edited in place (for example while
    /// a reply streams and Ctrl-C means "interrupt the reply"). When false, the
    /// default, Ctrl-C also clears the line. Either way ``LineInput/interrupt``
    /// is reported.
    public var keepsLineOnInterrupt: Bool {
        get { channel.keepsLineOnInterrupt.load(ordering: .relaxed) }
        set { channel.keepsLineOnInterrupt.store(newValue, ordering: .relaxed) }
    }

    /// Whether Esc pressed alone is reported as ``LineInput/interrupt`` (the line is kept).
    /// ESC followed within 75 ms by another key stays the Meta prefix of an Alt-key or the
    /// start of an escape sequence, as when it is false (the default).
    public var escapeInterrupts: Bool {
        get { channel.escapeInterrupts.load(ordering: .relaxed) }
        set { channel.escapeInterrupts.store(newValue, ordering: .relaxed) }
    }

    /// Whether Up on an empty line is reported as ``LineInput/recallQueued`` instead of
    /// recalling history (while the caller holds queued messages to give back).
    public var recallsQueued: Bool {
        get { channel.recallsQueued.load(ordering: .relaxed) }
        set { channel.recallsQueued.store(newValue, ordering: .relaxed) }
    }

    /// Replaces the line being edited with `text` (newlines kept), cursor at its end. Thread-safe.
    public func replaceLine(with text: String) {
        channel.post(line: text)
    }

    /// Opens the message being edited in `$VISUAL` or `$EDITOR` (as Ctrl-X Ctrl-E does): the
    /// editor gets the terminal, and the saved text becomes the edit line. Thread-safe.
    public func openExternalEditor() {
        channel.requestExternalEditor()
    }

    /// Reports the next *deliberate* press of one of `answers` (case ignored) as
    /// ``LineInput/key(_:)`` instead of editing it: one-key answers such as y/n to a question
    /// just written above the prompt.
    ///
    /// Type-ahead never answers: a key counts only when the line being edited is empty, the
    /// question has been on screen for half a second, the user paused for half a second
    /// before it, and it arrived alone (not in a paste or burst). Every other key is edited
    /// as usual, so nothing typed is lost. One key only; control keys keep their meaning.
    public func readNextKey(answers: Set<Character>) {
        channel.requestSingleKey(answers: answers)
    }

    /// Cancels a pending ``readNextKey(answers:)``.
    public func cancelReadNextKey() {
        channel.singleKeyRequest.store(0, ordering: .relaxed)
    }

    /// Writes streamed text above the prompt. It may end mid-line: the
    /// unfinished row is shown at once and completed by later writes.
    /// Thread-safe; after ``stop()`` the text goes straight to standard output.
    public func write(_ text: StyledText) {
        guard !text.isEmpty else { return }
        channel.post(.text(text))
    }

    /// Returns once at most `limit` bytes of streamed text wait for the editor thread (at
    /// once when that is already so): a producer faster than the terminal awaits this
    /// between writes so that what it has written is not held in memory without bound.
    public func waitForRoom(limit: Int = 1 << 20) async {
        await channel.waitForRoom(limit: limit)
    }

    /// Bytes of streamed text written and not yet taken by the editor thread (0 once it has
    /// shut down). Cheap: for deciding whether ``waitForRoom(limit:)`` is needed.
    public var pendingTextBytes: Int { channel.pendingTextBytes }

    /// Writes a whole status line (no trailing newline needed) above the prompt, at once.
    /// While streamed text is mid-line the status shows under that unfinished line and
    /// takes its place after it when the line ends (see ``endLine()``), so it never splits
    /// a paragraph. Long lines wrap at words.
    public func writeStatus(_ text: StyledText) {
        channel.post(.status(text))
    }

    /// Ends the streamed line if it is unfinished (as if `"\n"` were written)
    /// and places the status lines shown under it. Does nothing at the start of a line.
    public func endLine() {
        channel.post(.endLine)
    }

    /// Shows `row` as the last line above the prompt, replacing the previous one, or removes
    /// it (`nil`). The row is redrawn with the prompt and never enters the transcript: for a
    /// status that changes (a running turn's elapsed time). Each call redraws once; nothing
    /// redraws between calls. It is cut to one row of the terminal's width. Thread-safe.
    public func setStatusRow(_ row: StyledText?) {
        channel.post(statusRow: row)
    }

    /// Sends a control that draws nothing (bell, notification, title, end-of-output mark) to
    /// the terminal, in order with the output. After ``stop()`` it is dropped. Thread-safe.
    public func send(_ control: TerminalControl) {
        channel.post(.control(control))
    }

    /// Replaces the prompt and redraws it. Thread-safe.
    public func setPrompt(_ prompt: StyledText) {
        channel.post(prompt: prompt)
    }

    /// Stops the editor: erases the prompt, restores the terminal and waits
    /// for the editor thread to finish. Safe to call more than once and from
    /// any thread but the editor's own (where it only requests the stop).
    public func stop() {
        channel.requestStop()
        let threadID: pthread_t? = thread.withLock { id in
            defer { id = nil }
            return id
        }
        guard let threadID else { return }
        if pthread_equal(threadID, pthread_self()) != 0 {
            pthread_detach(threadID)
        } else {
            pthread_join(threadID, nil)
        }
        Self.running.store(false, ordering: .releasing)
    }
}
