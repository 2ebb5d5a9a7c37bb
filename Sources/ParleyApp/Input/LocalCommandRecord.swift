import AgentSession

/// What a `!command` puts into the conversation: the command and its output, each stream kept
/// to its first and last 15 KiB (``HeadTailBuffer``), in the tags Claude Code itself uses for
/// its `!` commands (`<bash-input>`, `<bash-stdout>`, `<bash-stderr>`), plus the exit status.
struct LocalCommandRecord: Sendable {
    let command: String
    private(set) var stdout = HeadTailBuffer.standard()
    private(set) var stderr = HeadTailBuffer.standard()

    init(command: String) {
        self.command = command
    }

    mutating func append(_ output: LocalCommand.Output) {
        switch output {
        case .stdout(let bytes): stdout.append(bytes)
        case .stderr(let bytes): stderr.append(bytes)
        case .exited: break
        }
    }

    /// The conversation's text for the command once it ended with `status`.
    func text(status: ExitStatus) -> String {
        "<bash-input>\(command)</bash-input>\n"
            + "<bash-stdout>\(stdout.text)</bash-stdout>\n"
            + "<bash-stderr>\(stderr.text)</bash-stderr>\n"
            + "<bash-exit-status>\(Self.describe(status))</bash-exit-status>"
    }

    /// `exit 0`, `exit 2`, `killed by signal 2 (SIGINT)`.
    static func describe(_ status: ExitStatus) -> String {
        switch status {
        case .exited(let code): "exit \(code)"
        case .signaled: status.description
        }
    }
}

/// Cuts output that arrives in chunks into whole lines for the screen. A line longer than
/// ``maxLineBytes`` is shown in pieces, so a command that never writes a newline still shows.
struct OutputLineSplitter: Sendable {
    static let maxLineBytes = 64 * 1024
    private var pending: [UInt8] = []

    /// The lines completed by `bytes` (without their `\n`).
    mutating func append(_ bytes: [UInt8]) -> [String] {
        pending.append(contentsOf: bytes)
        var lines: [String] = []
        var start = 0
        for index in pending.indices where pending[index] == UInt8(ascii: "\n") {
            lines.append(String(decoding: pending[start..<index], as: UTF8.self))
            start = index + 1
        }
        pending.removeFirst(start)
        if pending.count >= Self.maxLineBytes {
            lines.append(String(decoding: pending, as: UTF8.self))
            pending.removeAll()
        }
        return lines
    }

    /// The unfinished last line, if any.
    mutating func finish() -> String? {
        defer { pending.removeAll() }
        return pending.isEmpty ? nil : String(decoding: pending, as: UTF8.self)
    }
}
