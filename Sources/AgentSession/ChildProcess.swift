import Foundation
import Synchronization
import _ProcessShims

import Glibc

/// Output from a child process, in the order it happened.
enum ChildOutput: Sendable {
    case stdout([UInt8])
    case stderr([UInt8])
    /// The process ended and both pipes are drained. Always the last element.
    case exited(ExitStatus)
}

/// One spawned process, in its own process group, with its three standard streams on pipes.
///
/// What it guarantees:
/// - No shell: the executable gets an argument vector, a working directory and an environment.
/// - Both output pipes are read, on one dedicated thread that `poll()`s them together, for the
///   process's whole life, so the child can never block on a full pipe.
/// - Writes to stdin never block the caller: one that the pipe takes at once is written on the
///   caller's thread (stdin is non-blocking on Parley's side), anything else waits its turn on a
///   serial queue; once the child is gone they are dropped (EPIPE), never fatal.
/// - The child is always reaped (a dedicated thread waits in `waitpid`). When the leader exits,
///   whatever is left of its process group (tool processes the CLI started) is killed.
/// - ``output`` ends with exactly one ``ChildOutput/exited(_:)`` after all output was delivered.
final class ChildProcess: Sendable {
    let pid: pid_t
    let output: AsyncStream<ChildOutput>

    private let stdinFD: Int32
    private let writeQueue: DispatchQueue
    private let state: Locked<State>
    /// Chunks handed to the consumer but not yet processed. The reader waits for a credit
    /// before handing over another, so a child that writes faster than Parley can process
    /// blocks in `write()` instead of growing Parley's memory.
    private let credits = DispatchSemaphore(value: ChildProcess.chunksInFlight)
    private let exited = DispatchGroup()
    private let sweepToken: String?

    static let chunksInFlight = 8

    private struct State {
        var stdinOpen = true
        /// Writes handed to `writeQueue` and not finished; a direct write must wait for them.
        var queuedWrites = 0
        var exitStatus: ExitStatus?
        var exitWaiters: [CheckedContinuation<ExitStatus, Never>] = []
        var stopReading = false
        /// Last time the reader got data or was held up by the consumer (so not idle).
        var lastProgress = ContinuousClock.now
    }

    private init(pid: pid_t, stdinFD: Int32, output: AsyncStream<ChildOutput>, sweepToken: String?) {
        self.pid = pid
        self.stdinFD = stdinFD
        self.output = output
        self.sweepToken = sweepToken
        self.writeQueue = DispatchQueue(label: "parley.child.\(pid).stdin")
        self.state = Locked(State())
        exited.enter()
    }

    /// The consumer finished with one stdout or stderr chunk; the reader may hand over another.
    func chunkProcessed() {
        credits.signal()
    }

    /// Signals restored to their defaults in the child (Parley ignores SIGPIPE and handles
    /// INT/TERM/HUP itself; ignored dispositions would otherwise survive `exec`).
    private static let defaultedSignals: [Int32] = [SIGPIPE, SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGTSTP, SIGTTIN, SIGTTOU, SIGCHLD, SIGWINCH, SIGUSR1, SIGUSR2]

    /// Spawns `executable` with `arguments` (argv[0] is the executable path).
    ///
    /// With a `sweepToken`, the token is put in the child's environment and, once the child has
    /// exited, every process still carrying it (tool processes that detached) is killed.
    static func spawn(executable: String, arguments: [String], environment: [String: String],
                      workingDirectory: String?, sweepToken: String? = nil) throws(SessionError) -> ChildProcess {
        var environment = environment
        if let sweepToken { environment[DescendantSweeper.variable] = sweepToken }
        // Parley must survive writing to a dead child's stdin.
        Glibc.signal(SIGPIPE, SIG_IGN)

        var stdinPipe: [Int32] = [-1, -1]
        var stdoutPipe: [Int32] = [-1, -1]
        var stderrPipe: [Int32] = [-1, -1]
        guard parley_pipe_cloexec(&stdinPipe) == 0 else { throw spawnError(executable, errno) }
        guard parley_pipe_cloexec(&stdoutPipe) == 0 else {
            let code = errno
            closeAll(stdinPipe)
            throw spawnError(executable, code)
        }
        guard parley_pipe_cloexec(&stderrPipe) == 0 else {
            let code = errno
            closeAll(stdinPipe + stdoutPipe)
            throw spawnError(executable, code)
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdinPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, stdoutPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, stderrPipe[1], 2)
        parley_spawn_add_closefrom(&actions, 3)
        if let workingDirectory {
            parley_spawn_add_chdir(&actions, workingDirectory)
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signalNumber in defaultedSignals { sigaddset(&defaults, signalNumber) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = [executable] + arguments
        let envp = environment.map { "\($0.key)=\($0.value)" }.sorted()
        var pid: pid_t = 0
        let result = withCStrings(argv) { argvPointer in
            withCStrings(envp) { envPointer in
                posix_spawn(&pid, executable, &actions, &attributes, argvPointer, envPointer)
            }
        }
        close(stdinPipe[0])
        close(stdoutPipe[1])
        close(stderrPipe[1])
        guard result == 0 else {
            closeAll([stdinPipe[1], stdoutPipe[0], stderrPipe[0]])
            throw spawnError(executable, result)
        }

        let (stream, continuation) = AsyncStream.makeStream(of: ChildOutput.self, bufferingPolicy: .unbounded)
        // Only Parley's end: the child's end is a separate open file and stays blocking.
        _ = fcntl(stdinPipe[1], F_SETFL, fcntl(stdinPipe[1], F_GETFL) | O_NONBLOCK)
        let child = ChildProcess(pid: pid, stdinFD: stdinPipe[1], output: stream, sweepToken: sweepToken)
        child.startThreads(stdoutFD: stdoutPipe[0], stderrFD: stderrPipe[0], continuation: continuation)
        return child
    }

    private static func spawnError(_ path: String, _ code: Int32) -> SessionError {
        switch code {
        case ENOENT: .claudeNotFound(searched: path)
        case EACCES, ENOEXEC: .claudeNotExecutable(path: path)
        default: .spawnFailed(path: path, errno: code, detail: String(cString: strerror(code)))
        }
    }

    private static func closeAll(_ fds: [Int32]) {
        for fd in fds where fd >= 0 { close(fd) }
    }

    // MARK: Threads

    private func startThreads(stdoutFD: Int32, stderrFD: Int32, continuation: AsyncStream<ChildOutput>.Continuation) {
        let pid = self.pid
        let drained = DispatchSemaphore(value: 0)
        // A wake pipe lets the waiter stop the reader if a pipe is held open by a process
        // outside the group after the leader exited.
        var wake: [Int32] = [-1, -1]
        _ = parley_pipe_cloexec(&wake)
        let wakeRead = wake[0], wakeWrite = wake[1]

        let reader = Thread { [self] in
            self.readLoop(stdoutFD: stdoutFD, stderrFD: stderrFD, wakeFD: wakeRead, continuation: continuation)
            close(stdoutFD)
            close(stderrFD)
            close(wakeRead)
            drained.signal()
        }
        reader.name = "parley.child.\(pid).read"
        reader.start()

        let waiter = Thread { [self] in
            var status: Int32 = 0
            while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
            let exitStatus = Self.decode(status)
            // Leftovers of the group (tool processes) would hold the pipes open and live on.
            // Drain what is left. Anything still holding the pipes open once the reader has sat
            // idle for a while is a leftover (a tool process): kill the group and the sweep, then
            // give up on the pipes. A reader that is merely waiting on a slow consumer is not idle.
            var escalation = 0
            while drained.wait(timeout: .now() + .milliseconds(100)) == .timedOut {
                let idle = self.state.withLock { ContinuousClock.now - $0.lastProgress } > .milliseconds(300)
                guard idle else { continue }
                escalation += 1
                if escalation == 1 {
                    kill(-pid, SIGKILL)
                    if let token = self.sweepToken { DescendantSweeper.killAll(token: token) }
                    self.state.withLock { $0.lastProgress = .now }
                } else {
                    self.state.withLock { $0.stopReading = true }
                    var byte: UInt8 = 1
                    _ = Glibc.write(wakeWrite, &byte, 1)
                    drained.wait()
                    break
                }
            }
            if escalation == 0 {
                kill(-pid, SIGKILL)
                if let token = self.sweepToken { DescendantSweeper.killAll(token: token) }
            }
            close(wakeWrite)
            self.closeStdin()
            continuation.yield(.exited(exitStatus))
            continuation.finish()
            let waiters = self.state.withLock { state -> [CheckedContinuation<ExitStatus, Never>] in
                state.exitStatus = exitStatus
                defer { state.exitWaiters.removeAll() }
                return state.exitWaiters
            }
            for waiter in waiters { waiter.resume(returning: exitStatus) }
            self.exited.leave()
        }
        waiter.name = "parley.child.\(pid).wait"
        waiter.start()
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

    private static func decode(_ status: Int32) -> ExitStatus {
        let signalNumber = status & 0x7f
        if signalNumber == 0 { return .exited((status >> 8) & 0xff) }
        return .signaled(signalNumber)
    }

    // MARK: Control

    /// Writes `data` to the child's stdin without blocking the caller. Dropped silently once
    /// stdin is closed or broken.
    ///
    /// When nothing is queued the write is tried at once on the caller's thread (a turn's line
    /// fits in the pipe, so this saves waking the queue's thread once per turn); what the pipe
    /// does not take at once goes to the serial queue, behind any earlier write.
    func write(_ data: Data) {
        let rest: Data? = state.withLock { state in
            if state.queuedWrites == 0 {
                guard state.stdinOpen else { return nil }
                let written = data.withUnsafeBytes { Self.writeAvailable(stdinFD, $0) }
                guard let written else {
                    state.stdinOpen = false
                    close(stdinFD)
                    return nil
                }
                if written == data.count { return nil }
                state.queuedWrites += 1
                return data.dropFirst(written)
            }
            state.queuedWrites += 1
            return data
        }
        guard let rest else { return }
        writeQueue.async { [self] in
            defer { state.withLock { $0.queuedWrites -= 1 } }
            guard state.withLock({ $0.stdinOpen }) else { return }
            let ok = rest.withUnsafeBytes { raw -> Bool in
                guard var pointer = raw.baseAddress else { return true }
                var remaining = raw.count
                while remaining > 0 {
                    let written = Glibc.write(stdinFD, pointer, remaining)
                    if written < 0 {
                        if errno == EINTR { continue }
                        if errno == EAGAIN {
                            // The child is not reading: wait until the pipe has room.
                            var descriptor = pollfd(fd: stdinFD, events: Int16(POLLOUT), revents: 0)
                            _ = poll(&descriptor, 1, -1)
                            continue
                        }
                        return false
                    }
                    remaining -= written
                    pointer += written
                }
                return true
            }
            if !ok { closeStdinNow() }
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

    /// Closes the child's stdin after everything already queued was written (EOF for the CLI).
    func closeStdin() {
        // Counted like a write, so that a write after it queues behind it (and is dropped)
        // instead of going straight to the pipe before the EOF.
        state.withLock { $0.queuedWrites += 1 }
        writeQueue.async { [self] in
            closeStdinNow()
            state.withLock { $0.queuedWrites -= 1 }
        }
    }

    private func closeStdinNow() {
        let shouldClose = state.withLock { state -> Bool in
            defer { state.stdinOpen = false }
            return state.stdinOpen
        }
        if shouldClose { close(stdinFD) }
    }

    /// Sends `signal` to the process, or to its whole process group.
    func signal(_ signalNumber: Int32, toGroup: Bool = false) {
        guard state.withLock({ $0.exitStatus == nil }) else { return }
        kill(toGroup ? -pid : pid, signalNumber)
    }

    /// The exit status once the process has ended and its output was drained.
    var exitStatus: ExitStatus? { state.withLock { $0.exitStatus } }

    /// Waits for the process to end.
    func waitForExit() async -> ExitStatus {
        await withCheckedContinuation { continuation in
            let status = state.withLock { state -> ExitStatus? in
                if let status = state.exitStatus { return status }
                state.exitWaiters.append(continuation)
                return nil
            }
            if let status { continuation.resume(returning: status) }
        }
    }

    /// Waits for the process to end, at most `timeout`. `nil` when it is still running.
    func waitForExit(timeout: Duration) async -> ExitStatus? {
        if let status = exitStatus { return status }
        return await withTaskGroup(of: ExitStatus?.self) { group in
            group.addTask { await self.waitForExit() }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? exitStatus
        }
    }

    /// Starts the teardown sequence on a thread of its own (so that it runs on time however
    /// busy the cooperative pool is): close stdin, wait `grace` for a clean exit (the CLI
    /// flushes its session file and leaves by itself), SIGTERM the group, wait `termGrace`,
    /// SIGKILL. The exit arrives on ``output`` as usual.
    func beginTermination(grace: Duration, termGrace: Duration = .seconds(2)) {
        closeStdin()
        let thread = Thread { [self] in
            if exited.wait(timeout: .now() + grace.dispatchInterval) == .success { return }
            signal(SIGTERM, toGroup: true)
            if exited.wait(timeout: .now() + termGrace.dispatchInterval) == .success { return }
            signal(SIGKILL, toGroup: true)
            if let sweepToken { DescendantSweeper.killAll(token: sweepToken) }
        }
        thread.name = "parley.child.\(pid).teardown"
        thread.start()
    }

    /// The teardown sequence, awaited: returns with the process reaped.
    func terminate(grace: Duration, termGrace: Duration = .seconds(2)) async -> ExitStatus {
        beginTermination(grace: grace, termGrace: termGrace)
        return await waitForExit()
    }
}

private func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for pointer in pointers { free(pointer) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}

extension Duration {
    var dispatchInterval: DispatchTimeInterval {
        let (seconds, attoseconds) = components
        return .nanoseconds(Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000))
    }
}
