import Glibc
import CEditLine
import Synchronization

/// The write end of the signal self-pipe, read by the async-signal handler.
private let signalPipeWrite = Atomic<Int32>(-1)

/// Writes the signal number to the self-pipe; nothing else is safe in a handler.
private let relaySignal: @convention(c) (Int32) -> Void = { signal in
    let savedErrno = errno
    let fd = signalPipeWrite.load(ordering: .relaxed)
    if fd >= 0 {
        var byte = UInt8(truncatingIfNeeded: signal)
        _ = write(fd, &byte, 1)
    }
    errno = savedErrno
}

/// Turns SIGINT, SIGWINCH, SIGTERM, SIGHUP and SIGTSTP into bytes on a pipe
/// that the editor thread polls alongside the keyboard.
///
/// Handlers use `SA_RESTART` so that other threads' blocking calls are not
/// disturbed; the editor's `poll` wakes because the pipe becomes readable.
/// ``release()`` puts back whatever handlers were installed before.
final class SignalRelay {
    static let signals: [Int32] = [SIGINT, SIGWINCH, SIGTERM, SIGHUP, SIGTSTP]

    /// The end the editor polls.
    let readEnd: Int32
    private let writeEnd: Int32
    private var savedActions: [Int32: parley_signal_action] = [:]

    init() throws(LineEditorError) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw LineEditorError(.setupFailed, errno: errno) }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        readEnd = fds[0]
        writeEnd = fds[1]
        signalPipeWrite.store(writeEnd, ordering: .relaxed)
        for signal in Self.signals {
            var saved = parley_signal_action()
            _ = parley_signal_catch(signal, relaySignal, &saved)
            savedActions[signal] = saved
        }
    }

    /// The signals received since the last call.
    func drain() -> [Int32] {
        var buffer = [UInt8](repeating: 0, count: 64)
        var received: [Int32] = []
        while true {
            let count = buffer.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            received += buffer[0..<count].map { Int32($0) }
        }
        return received
    }

    /// Stops the process as the default SIGTSTP action would, then re-arms the handler.
    func suspendProcess() {
        _ = parley_signal_default(SIGTSTP)
        parley_signal_unblock(SIGTSTP)
        _ = raise(SIGTSTP)
        _ = parley_signal_catch(SIGTSTP, relaySignal, nil)
    }

    /// Restores the previous handlers and closes the pipe.
    func release() {
        for (signal, var saved) in savedActions { _ = parley_signal_release(signal, &saved) }
        signalPipeWrite.store(-1, ordering: .relaxed)
        close(readEnd)
        close(writeEnd)
    }
}
