import Foundation

import Glibc

/// Writes to standard output and standard error so that a stop (SIGTERM, SIGHUP, SIGINT in
/// scripted use) can always cut a waiting write short.
///
/// A blocking `write()` to a pipe nobody reads (`… | parley | sleep 40`) never returns, and
/// the thread doing it holds up the whole shutdown. Here every write first `poll()`s the
/// descriptor together with a stop pipe and writes at most what a ready pipe takes without
/// blocking (`PIPE_BUF`). Once ``stop()`` was called, output that can go out at once still
/// does (an error line to a terminal), and a write that would have to wait is dropped.
/// Regular files never make a writer wait and are written whole.
public final class StoppableOutput: Sendable {
    /// How a write ended.
    public enum Outcome: Sendable, Equatable {
        case written
        /// The reader went away (EPIPE) or the descriptor broke.
        case closed
        /// Dropped (in part) because a stop was asked for and the descriptor was full.
        case stopped
    }

    private let stopRead: Int32
    private let stopWrite: Int32

    public init() {
        var ends: [Int32] = [-1, -1]
        _ = pipe(&ends)
        for fd in ends {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        (stopRead, stopWrite) = (ends[0], ends[1])
    }

    deinit {
        close(stopRead)
        close(stopWrite)
    }

    /// From now on a write that has to wait for its reader is dropped. Safe from any thread.
    public func stop() {
        var byte: UInt8 = 1
        _ = Glibc.write(stopWrite, &byte, 1)
    }

    /// Writes all of `text` to `fd`, unless the reader left or a stop cut it short.
    @discardableResult
    public func write(_ text: String, fd: Int32) -> Outcome {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBytes { write(UnsafeRawBufferPointer($0), fd: fd) }
    }

    private func write(_ bytes: UnsafeRawBufferPointer, fd: Int32) -> Outcome {
        guard let base = bytes.baseAddress else { return .written }
        let wholeWrites = Self.isRegularFile(fd)
        var done = 0
        while done < bytes.count {
            if !wholeWrites {
                var fds = [
                    pollfd(fd: fd, events: Int16(POLLOUT), revents: 0),
                    pollfd(fd: stopRead, events: Int16(POLLIN), revents: 0),
                ]
                if poll(&fds, 2, -1) < 0 {
                    if errno == EINTR { continue }
                    return .closed
                }
                if fds[0].revents == 0 { return .stopped }  // only the stop is ready
            }
            let size = wholeWrites ? bytes.count - done : min(bytes.count - done, Int(PIPE_BUF))
            let written = Glibc.write(fd, base + done, size)
            if written < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return .closed
            }
            done += written
        }
        return .written
    }

    private static func isRegularFile(_ fd: Int32) -> Bool {
        var info = stat()
        return fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }
}
