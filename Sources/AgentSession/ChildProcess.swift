import Foundation
import Locking

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
/// - No shell: the executable gets an argument vector, a working directory and an environment
///   (``spawn(executable:arguments:environment:workingDirectory:sweepToken:)``).
/// - It dies with Parley, however Parley dies: it gets a parent-death signal (``ProcessLauncher``).
/// - Both output pipes are read, on one dedicated thread that `poll()`s them together, for the
///   process's whole life, so the child can never block on a full pipe; the hand-off is
///   bounded (``chunksInFlight``). A reaper thread waits in `waitpid`; when the leader exits,
///   whatever is left of its process group and its sweep token is killed (ChildProcess+Threads).
/// - Writes to stdin never block the caller (``StdinWriter``); once the child is gone they are
///   dropped (EPIPE), never fatal.
/// - Teardown is a declared sequence of steps on a thread of its own (``TeardownStep``).
/// - ``output`` ends with exactly one ``ChildOutput/exited(_:)`` after all output was delivered.
final class ChildProcess: Sendable {
    let pid: pid_t
    let output: AsyncStream<ChildOutput>

    let stdin: StdinWriter
    let state: Locked<State>
    /// Chunks handed to the consumer but not yet processed. The reader waits for a credit
    /// before handing over another, so a child that writes faster than Parley can process
    /// blocks in `write()` instead of growing Parley's memory.
    let credits = DispatchSemaphore(value: ChildProcess.chunksInFlight)
    /// Left once the process is reaped and its output delivered.
    let exited = DispatchGroup()
    let sweepToken: String?

    static let chunksInFlight = 8

    struct State {
        var exitStatus: ExitStatus?
        var stopReading = false
        /// Last time the reader got data or was held up by the consumer (so not idle).
        var lastProgress = ContinuousClock.now
    }

    init(pid: pid_t, stdinFD: Int32, output: AsyncStream<ChildOutput>, sweepToken: String?) {
        self.pid = pid
        self.stdin = StdinWriter(fd: stdinFD, name: "parley.child.\(pid).stdin")
        self.output = output
        self.sweepToken = sweepToken
        self.state = Locked(State())
        exited.enter()
    }

    /// The consumer finished with one stdout or stderr chunk; the reader may hand over another.
    func chunkProcessed() {
        credits.signal()
    }

    /// Writes `data` to the child's stdin without blocking the caller. Dropped silently once
    /// stdin is closed or broken.
    func write(_ data: Data) {
        stdin.write(data)
    }

    /// Closes the child's stdin after everything already written (EOF for the CLI).
    func closeStdin() {
        stdin.close()
    }

    /// Sends `signal` to the process, or to its whole process group.
    func signal(_ signalNumber: Int32, toGroup: Bool = false) {
        guard state.withLock({ $0.exitStatus == nil }) else { return }
        kill(toGroup ? -pid : pid, signalNumber)
    }

    /// The exit status once the process has ended and its output was drained.
    var exitStatus: ExitStatus? { state.withLock { $0.exitStatus } }

    /// Kills what is left of the process: its group, and every process carrying its sweep token.
    func killLeftovers() {
        kill(-pid, SIGKILL)
        if let sweepToken { DescendantSweeper.killAll(token: sweepToken) }
    }
}

extension Duration {
    var dispatchInterval: DispatchTimeInterval {
        let (seconds, attoseconds) = components
        return .nanoseconds(Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000))
    }
}
