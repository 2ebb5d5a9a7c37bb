/// What the line editor reports to its caller.
public enum LineInput: Sendable, Hashable {
    /// The user submitted a line (without the final newline). Lines continued
    /// with a trailing `\` or pasted with several lines contain `"\n"`.
    case line(String)
    /// The user pressed Ctrl-C (or Esc alone while ``LineEditor/escapeInterrupts`` is true).
    /// The editor cleared the line being edited after Ctrl-C, unless
    /// ``LineEditor/keepsLineOnInterrupt`` is true; after Esc it leaves the line alone.
    case interrupt
    /// The user pressed Ctrl-D on an empty line, or standard input closed.
    /// The editor keeps running (the caller may ask for confirmation) until
    /// ``LineEditor/stop()``; after a closed input the stream ends.
    case eof
    /// The process received SIGTERM or SIGHUP. The editor has already
    /// restored the terminal and stopped; the stream ends after this.
    case terminate(signal: Int32)
    /// A single printable key, reported instead of edited because
    /// ``LineEditor/readNextKey(answers:)`` asked for one (e.g. to answer y/n at once).
    case key(Character)
    /// A control key given to ``LineEditor/init(prompt:historyPath:historySize:useColor:commandKeys:completion:)``
    /// as a shortcut was pressed: the command it stands for (e.g. Ctrl-T for `/tasks`). The line
    /// being edited is left as it is.
    case command(String)
    /// Esc pressed twice on an empty line (Parley: take back the last prompt, as in Claude Code).
    case escapeTwice
    /// The user pressed Shift-Tab.
    case shiftTab
    /// The user pressed Up on an empty line while ``LineEditor/recallsQueued`` is true
    /// (instead of recalling history): the caller may put a message back with ``LineEditor/replaceLine(with:)``.
    case recallQueued
}

/// Why a ``LineEditor`` could not start.
public struct LineEditorError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kinds of failure.
    public enum Kind: Sendable, Hashable {
        /// Standard input or output is not a terminal: read plain lines instead.
        case notATerminal
        /// Another line editor is running in this process.
        case alreadyRunning
        /// libedit or the system refused to set up (see ``LineEditorError/errno``).
        case setupFailed
    }

    /// What went wrong.
    public var kind: Kind
    /// The system error number, when there is one.
    public var errno: Int32?

    /// Creates an error.
    public init(_ kind: Kind, errno: Int32? = nil) {
        self.kind = kind
        self.errno = errno
    }

    /// A sentence for the user.
    public var description: String {
        switch kind {
        case .notATerminal: "the line editor needs a terminal on standard input and output"
        case .alreadyRunning: "a line editor is already running"
        case .setupFailed: "could not set up the terminal" + (errno.map { " (errno \($0))" } ?? "")
        }
    }
}
