import Foundation
import _ProcessShims

import Glibc

/// The child's two long-lived threads: the reader (stdout and stderr, one `poll()`) and the
/// reaper (`waitpid`, then cleanup of what the leader left behind).
extension ChildProcess {
    func startThreads(stdoutFD: Int32, stderrFD: Int32, continuation: AsyncStream<ChildOutput>.Continuation) {
        let drained = DispatchSemaphore(value: 0)
        // A wake pipe lets the reaper stop the reader if a pipe is held open by a process
        // outside the group after the leader exited.
        var wake: [Int32] = [-1, -1]
        _ = parley_pipe_cloexec(&wake)
        let wakeRead = wake[0], wakeWrite = wake[1]

        let reader = Thread { [self] in
            readLoop(stdoutFD: stdoutFD, stderrFD: stderrFD, wakeFD: wakeRead, continuation: continuation)
            close(stdoutFD)
            close(stderrFD)
            close(wakeRead)
            drained.signal()
        }
        reader.name = "parley.child.\(pid).read"
        reader.start()

        let reaper = Thread { [self] in
            let exitStatus = waitForLeader()
            drainAfterExit(drained: drained, wakeWrite: wakeWrite)
            close(wakeWrite)
            stdin.abandon()
            state.withLock { $0.exitStatus = exitStatus }
            continuation.yield(.exited(exitStatus))
            continuation.finish()
            exited.leave()
        }
        reaper.name = "parley.child.\(pid).wait"
        reaper.start()
    }

    private func waitForLeader() -> ExitStatus {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let signalNumber = status & 0x7f
        if signalNumber == 0 { return .exited((status >> 8) & 0xff) }
        return .signaled(signalNumber)
    }

    /// Leftovers of the group (tool processes) would hold the pipes open and live on. Drains
    /// what is left. Anything still holding the pipes open once the reader has sat idle for a
    /// while is a leftover: kill the group and the sweep, then give up on the pipes. A reader
    /// that is merely waiting on a slow consumer is not idle.
    private func drainAfterExit(drained: DispatchSemaphore, wakeWrite: Int32) {
        var escalation = 0
        while drained.wait(timeout: .now() + .milliseconds(100)) == .timedOut {
            let idle = state.withLock { ContinuousClock.now - $0.lastProgress } > .milliseconds(300)
            guard idle else { continue }
            escalation += 1
            if escalation == 1 {
                killLeftovers()
                state.withLock { $0.lastProgress = .now }
            } else {
                state.withLock { $0.stopReading = true }
                var byte: UInt8 = 1
                _ = Glibc.write(wakeWrite, &byte, 1)
                drained.wait()
                return
            }
        }
        if escalation == 0 { killLeftovers() }
    }

    /// Waits for a credit; false when the reader must stop instead.
    private func acquireCredit() -> Bool {
        while credits.wait(timeout: .now() + .milliseconds(100)) == .timedOut {
            let stop = state.withLock { state -> Bool in
                state.lastProgress = .now
                return state.stopReading
            }
            if stop { return false }
        }
        return true
    }

    private func readLoop(stdoutFD: Int32, stderrFD: Int32, wakeFD: Int32,
                          continuation: AsyncStream<ChildOutput>.Continuation) {
        let bufferSize = 256 * 1024
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: bufferSize)
        defer { buffer.deallocate() }
        var fds = [
            pollfd(fd: stdoutFD, events: Int16(POLLIN), revents: 0),
            pollfd(fd: stderrFD, events: Int16(POLLIN), revents: 0),
            pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0),
        ]
        var open = 2
        while open > 0 {
            let ready = poll(&fds, nfds_t(fds.count), -1)
            if ready < 0 {
                if errno == EINTR { continue }
                return
            }
            if fds[2].revents != 0 { return }
            for index in 0..<2 where fds[index].fd >= 0 && fds[index].revents != 0 {
                let count = read(fds[index].fd, buffer, bufferSize)
                if count > 0 {
                    state.withLock { $0.lastProgress = .now }
                    let bytes = Array(UnsafeBufferPointer(start: buffer, count: count))
                    guard acquireCredit() else { return }
                    if case .terminated = continuation.yield(index == 0 ? .stdout(bytes) : .stderr(bytes)) {
                        credits.signal()  // nobody consumes any more: keep draining the pipes
                    }
                } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                    fds[index].fd = -1  // poll ignores negative fds
                    open -= 1
                }
            }
        }
    }
}
