import Foundation
import Synchronization
import Terminal

import Glibc

/// Writes to standard output and standard error: assistant text (and JSON lines) to
/// stdout, everything else to stderr, so `parley < in > out` leaves a clean transcript.
///
/// Colour is decided once per stream. A write that fails with EPIPE (the reader went away,
/// as in `parley < in | head -1`) calls `onClosedOutput` once and drops further output.
public final class FileDescriptorConsole: Console {
    private let colorOnStdout: Bool
    private let colorOnStderr: Bool
    private let state = Mutex(State())
    private let onClosedOutput: @Sendable () -> Void

    private struct State {
        var stdoutClosed = false
        var stdoutAtLineStart = true
        var reported = false
    }

    public init(colorOnStdout: Bool, colorOnStderr: Bool, onClosedOutput: @escaping @Sendable () -> Void) {
        self.colorOnStdout = colorOnStdout
        self.colorOnStderr = colorOnStderr
        self.onClosedOutput = onClosedOutput
    }

    public func streamText(_ text: StyledText) {
        let rendered = text.rendered(color: colorOnStdout)
        guard !rendered.isEmpty else { return }
        writeStdout(rendered)
    }

    public func line(_ text: StyledText, kind: ConsoleLineKind) {
        write(2, text.rendered(color: colorOnStderr) + "\n")
    }

    public func json(_ line: String) {
        writeStdout(line + "\n")
    }

    private func writeStdout(_ text: String) {
        let closed = state.withLock { $0.stdoutClosed }
        guard !closed else { return }
        if !write(1, text) {
            let first = state.withLock { state -> Bool in
                state.stdoutClosed = true
                defer { state.reported = true }
                return !state.reported
            }
            if first { onClosedOutput() }
        }
    }

    @discardableResult
    private func write(_ fd: Int32, _ text: String) -> Bool {
        TerminalOutput.write(text, fd: fd)
    }
}
