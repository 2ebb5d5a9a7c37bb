import Foundation
import Locking
import Terminal

import Glibc

/// Writes to standard output and standard error: assistant text (and JSON lines) to
/// stdout, everything else to stderr, so `parley < in > out` leaves a clean transcript.
///
/// Whole lines (stderr) are made inert (see ``InertText``), whoever built them, so a log of
/// them is safe to show too; assistant text on stdout is made inert by the presenter only when
/// stdout is a terminal, and JSON lines are escaped by their encoder.
///
/// Colour is decided once per stream. A write that fails with EPIPE (the reader went away,
/// as in `parley < in | head -1`) calls `onClosedOutput` once and drops further output.
/// After ``stopWriting()`` a write that would wait for its reader is dropped (``StoppableOutput``).
public final class FileDescriptorConsole: Console {
    private let colorOnStdout: Bool
    private let colorOnStderr: Bool
    private let state = Locked(State())
    private let onClosedOutput: @Sendable () -> Void
    private let output = StoppableOutput()

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
        write(2, text.madeInert().rendered(color: colorOnStderr) + "\n")
    }

    public func json(_ line: String) {
        writeStdout(line + "\n")
    }

    /// Parley is stopping: drop output that would wait for a reader (safe from any thread).
    public func stopWriting() {
        output.stop()
    }

    private func writeStdout(_ text: String) {
        let closed = state.withLock { $0.stdoutClosed }
        guard !closed else { return }
        if write(1, text) == .closed {
            let first = state.withLock { state -> Bool in
                state.stdoutClosed = true
                defer { state.reported = true }
                return !state.reported
            }
            if first { onClosedOutput() }
        }
    }

    @discardableResult
    private func write(_ fd: Int32, _ text: String) -> StoppableOutput.Outcome {
        output.write(text, fd: fd)
    }
}
