import Foundation
import _ProcessShims

import Glibc

/// Starts child processes with `vfork` + `execve` through the C shim, always from one thread
/// that lives as long as Parley.
///
/// Each child gets a parent-death signal (`PR_SET_PDEATHSIG`), so it is stopped however Parley
/// dies, SIGKILL included. Linux sends that signal when the *thread* that forked the child
/// ends, not the process: a child started from a cooperative-pool thread (which the pool may
/// retire) or a short-lived thread would be killed while Parley still runs. So every spawn is
/// handed to ``spawnerThread``, which is started once and never ends.
enum ProcessLauncher {
    /// What a child needs; the pipes are the child's ends.
    struct Request {
        var executable: String
        var arguments: [String]
        var environment: [String: String]
        var workingDirectory: String?
        var stdinFD: Int32
        var stdoutFD: Int32
        var stderrFD: Int32
    }

    /// Why a child could not be started: the step and its errno.
    struct Failure: Error, Equatable {
        enum Stage: Equatable { case fork, setup, workingDirectory, exec }
        let stage: Stage
        let errno: Int32
    }

    /// Signals restored to their defaults in the child (Parley ignores SIGPIPE and handles
    /// INT/TERM/HUP itself; ignored dispositions would otherwise survive `exec`).
    static let defaultedSignals: [Int32] = [SIGPIPE, SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGTSTP, SIGTTIN, SIGTTOU, SIGCHLD, SIGWINCH, SIGUSR1, SIGUSR2]

    /// The signal a child gets when Parley dies. SIGTERM, not SIGKILL: the CLI then stops its
    /// own tool processes (which it started in sessions of their own, out of reach of a group
    /// kill) before it exits, as it does for Parley's ordinary teardown.
    static let parentDeathSignal = SIGTERM

    /// Starts the child on the spawner thread and returns its pid.
    static func launch(_ request: Request) throws(Failure) -> pid_t {
        let result = spawnerThread.run { launchHere(request) }
        return try result.get()
    }

    private static func launchHere(_ request: Request) -> Result<pid_t, Failure> {
        let argv = [request.executable] + request.arguments
        let envp = request.environment.map { "\($0.key)=\($0.value)" }.sorted()
        var pid: pid_t = 0
        var stage: Int32 = 0
        let code: Int32 = withCStrings(argv) { argvPointer in
            withCStrings(envp) { envPointer in
                defaultedSignals.withUnsafeBufferPointer { signals in
                    withOptionalCString(request.workingDirectory) { cwd in
                        var spawnRequest = parley_spawn_request(
                            path: argvPointer[0], argv: argvPointer, envp: envPointer, cwd: cwd,
                            stdin_fd: request.stdinFD, stdout_fd: request.stdoutFD, stderr_fd: request.stderrFD,
                            default_signals: signals.baseAddress, default_signal_count: Int32(signals.count),
                            parent_death_signal: parentDeathSignal)
                        return parley_spawn(&spawnRequest, &pid, &stage)
                    }
                }
            }
        }
        guard code != 0 else { return .success(pid) }
        let failedStage: Failure.Stage = switch Int(stage) {
        case PARLEY_SPAWN_STAGE_FORK: .fork
        case PARLEY_SPAWN_STAGE_CHDIR: .workingDirectory
        case PARLEY_SPAWN_STAGE_EXEC: .exec
        default: .setup
        }
        return .failure(Failure(stage: failedStage, errno: code))
    }

    /// The one thread every child is forked from; started on first use, never ends.
    private static let spawnerThread = SpawnerThread()
}

/// A thread that runs jobs one at a time, for the process's whole life.
private final class SpawnerThread: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [() -> Void] = []

    init() {
        let thread = Thread { [self] in
            while true {
                condition.lock()
                while jobs.isEmpty { condition.wait() }
                let job = jobs.removeFirst()
                condition.unlock()
                job()
            }
        }
        thread.name = "parley.spawner"
        thread.start()
    }

    /// Runs `body` on this thread and waits for its result.
    func run<R>(_ body: @escaping () -> R) -> R {
        let done = DispatchSemaphore(value: 0)
        var result: R?
        condition.lock()
        jobs.append {
            result = body()
            done.signal()
        }
        condition.signal()
        condition.unlock()
        done.wait()
        return result!
    }
}

private func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for pointer in pointers { free(pointer) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}

private func withOptionalCString<R>(_ string: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
    guard let string else { return body(nil) }
    return string.withCString { body($0) }
}
