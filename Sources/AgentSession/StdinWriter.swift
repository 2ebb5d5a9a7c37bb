import Foundation
import Locking
import _ProcessShims

import Glibc

/// The child's stdin (non-blocking on Parley's side): writes never block the caller.
///
/// A write the pipe takes at once is made on the caller's thread (a turn's line fits in the
/// pipe, so this costs no thread wake-up per turn). What the pipe does not take waits, in
/// order, for a thread of the writer's own, started when needed and ended when nothing is
/// left, which waits in `poll()` for room or for ``abandon()``; no dispatch worker is ever
/// held. Once the pipe is broken or closed, writes are dropped, never fatal.
final class StdinWriter: Sendable {
    private enum Pending { case bytes(Data), close }

    private struct State {
        var open = true
        var pending: [Pending] = []
        /// The writer thread owns the descriptor while it runs (it may be in `write`/`poll`).
        var threadRunning = false
        /// Wakes the writer thread out of `poll()` when stdin is abandoned; exists only while
        /// the thread runs.
        var wake: (read: Int32, write: Int32)?
    }

    private let fd: Int32
    private let name: String
    private let state = Locked(State())

    init(fd: Int32, name: String) {
        self.fd = fd
        self.name = name
        // A write to a pipe whose reader left must fail with EPIPE, never kill Parley. Set
        // here (not only at spawn) so no writer, whoever made its pipe, can raise SIGPIPE.
        Glibc.signal(SIGPIPE, SIG_IGN)
    }

    /// True until stdin was closed, broke or was abandoned.
    var isOpen: Bool { state.withLock { $0.open } }

    /// Writes `data` after everything written before; never blocks.
    func write(_ data: Data) {
        state.withLock { state in
            guard state.open else { return }
            if state.pending.isEmpty && !state.threadRunning {
                guard let written = data.withUnsafeBytes({ Self.writeAvailable(fd, $0) }) else {
                    closeDescriptor(&state)
                    return
                }
                if written == data.count { return }
                state.pending.append(.bytes(data.dropFirst(written)))
            } else {
                state.pending.append(.bytes(data))
            }
            startThreadIfNeeded(&state)
        }
    }

    /// Closes stdin once everything written before has gone out (EOF for the child).
    func close() {
        state.withLock { state in
            guard state.open else { return }
            if state.pending.isEmpty && !state.threadRunning {
                closeDescriptor(&state)
            } else {
                state.pending.append(.close)
            }
        }
    }

    /// Drops whatever waits and closes stdin now (the child is gone).
    func abandon() {
        state.withLock { state in
            guard state.open else { return }
            state.pending.removeAll()
            if state.threadRunning {
                state.open = false
                var byte: UInt8 = 1
                if let wake = state.wake { _ = Glibc.write(wake.write, &byte, 1) }
            } else {
                closeDescriptor(&state)
            }
        }
    }

    private func closeDescriptor(_ state: inout State) {
        state.open = false
        state.pending.removeAll()
        Glibc.close(fd)
    }

    private func startThreadIfNeeded(_ state: inout State) {
        guard !state.threadRunning else { return }
        var ends: [Int32] = [-1, -1]
        guard parley_pipe_cloexec(&ends) == 0 else {
            closeDescriptor(&state)  // no way to wait safely: give up on stdin, as for a broken pipe
            return
        }
        state.wake = (ends[0], ends[1])
        state.threadRunning = true
        let wakeRead = ends[0]
        let thread = Thread { [self] in drain(wakeRead: wakeRead) }
        thread.name = name
        thread.start()
    }

    /// The writer thread: writes what waits, in order, then ends.
    private func drain(wakeRead: Int32) {
        while true {
            let next: Pending? = state.withLock { state in
                guard state.open, !state.pending.isEmpty else {
                    state.threadRunning = false
                    if !state.open { Glibc.close(fd) }
                    if let wake = state.wake {
                        Glibc.close(wake.read)
                        Glibc.close(wake.write)
                        state.wake = nil
                    }
                    return nil
                }
                return state.pending.removeFirst()
            }
            switch next {
            case nil:
                return
            case .close:
                state.withLock { state in
                    state.open = false
                    state.pending.removeAll()
                }
            case .bytes(let data):
                if !writeAll(data, wakeRead: wakeRead) {
                    state.withLock { state in
                        state.open = false
                        state.pending.removeAll()
                    }
                }
            }
        }
    }

    /// Writes all of `data`, waiting for room; false when the pipe broke or was abandoned.
    private func writeAll(_ data: Data, wakeRead: Int32) -> Bool {
        data.withUnsafeBytes { raw -> Bool in
            var done = 0
            while done < raw.count {
                guard let written = Self.writeAvailable(fd, UnsafeRawBufferPointer(rebasing: raw[done...])) else { return false }
                done += written
                if done == raw.count { break }
                var fds = [
                    pollfd(fd: fd, events: Int16(POLLOUT), revents: 0),
                    pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0),
                ]
                while poll(&fds, 2, -1) < 0 && errno == EINTR {}
                if fds[1].revents != 0 { return false }
            }
            return true
        }
    }

    /// Writes as much of `bytes` as the pipe takes without blocking: the count, or nil when the
    /// pipe is broken.
    private static func writeAvailable(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int? {
        guard let base = bytes.baseAddress else { return 0 }
        var done = 0
        while done < bytes.count {
            let written = Glibc.write(fd, base + done, bytes.count - done)
            if written >= 0 {
                done += written
            } else if errno == EINTR {
                continue
            } else if errno == EAGAIN {
                return done
            } else {
                return nil
            }
        }
        return done
    }
}
