import Foundation
import Locking
import _ProcessShims

import Glibc

/// The one way tests and benchmarks start programs: as a shell would, with an empty signal
/// mask and default dispositions, and nothing of the caller's descriptors.
///
/// Swift Testing runs tests on dispatch worker threads, which block most signals, and a child
/// inherits its parent thread's mask. Started with Foundation's `Process` from such a thread,
/// a program (tmux's server, `parley` itself) would run with SIGTERM, SIGCHLD, SIGWINCH…
/// blocked, which breaks exactly what the end-to-end tests check. (Parley's own `claude` is
/// started by `ChildProcess`, which needs more: a parent-death signal, see ProcessLauncher.)
public enum CleanSpawn {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    /// Where one of the child's standard streams goes.
    public enum Stdio: Sendable {
        /// A pipe; the caller gets the other end.
        case pipe
        /// /dev/null.
        case null
        /// A file: read for stdin; created and appended to for stdout and stderr.
        case file(String)
    }

    /// A started program; its pipes are the parent's ends (or -1).
    public struct Child: Sendable {
        public let pid: pid_t
        public let stdinFD: Int32
        public let stdoutFD: Int32
        public let stderrFD: Int32
    }

    /// Spawns `arguments[0]` with a clean signal state. Pipes are made for the streams asked
    /// for; the others are /dev/null.
    public static func spawn(_ arguments: [String], environment: [String: String], workingDirectory: String? = nil,
                             pipeStdin: Bool = false, pipeStdout: Bool = false, pipeStderr: Bool = false) throws -> Child {
        try spawn(arguments, environment: environment, workingDirectory: workingDirectory,
                  stdin: pipeStdin ? .pipe : .null, stdout: pipeStdout ? .pipe : .null, stderr: pipeStderr ? .pipe : .null)
    }

    /// Spawns `arguments[0]` with a clean signal state and the given streams. With
    /// `newSession` the program starts a session of its own (`setsid`); with
    /// `controllingTerminal` (a pseudo-terminal's slave path) also with that terminal as its
    /// controlling terminal and its three streams.
    public static func spawn(_ arguments: [String], environment: [String: String], workingDirectory: String? = nil,
                             stdin: Stdio, stdout: Stdio, stderr: Stdio, newSession: Bool = false,
                             controllingTerminal: String? = nil) throws -> Child {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var parentEnds: [Int32] = [-1, -1, -1]
        var childEnds: [Int32] = []
        func cleanUp() { (parentEnds + childEnds).filter { $0 >= 0 }.forEach { close($0) } }
        if let controllingTerminal {
            // After setsid (done first by glibc), opening the slave makes it the controlling terminal.
            posix_spawn_file_actions_addopen(&actions, 0, controllingTerminal, O_RDWR, 0)
            posix_spawn_file_actions_adddup2(&actions, 0, 1)
            posix_spawn_file_actions_adddup2(&actions, 0, 2)
        } else {
            for (fd, stdio) in [(Int32(0), stdin), (1, stdout), (2, stderr)] {
                switch stdio {
                case .pipe:
                    var ends: [Int32] = [-1, -1]
                    // Both ends close-on-exec: a program another test spawns meanwhile must not inherit
                    // them (a daemon such as the tmux server would hold the pipe open for its life).
                    // dup2 clears the flag on the child's copy.
                    guard parley_pipe_cloexec(&ends) == 0 else {
                        cleanUp()
                        throw Failure(description: "pipe failed: \(String(cString: strerror(errno)))")
                    }
                    let (childEnd, parentEnd) = fd == 0 ? (ends[0], ends[1]) : (ends[1], ends[0])
                    posix_spawn_file_actions_adddup2(&actions, childEnd, fd)
                    parentEnds[Int(fd)] = parentEnd
                    childEnds.append(childEnd)
                case .null:
                    posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0)
                case .file(let path):
                    posix_spawn_file_actions_addopen(&actions, fd, path, fd == 0 ? O_RDONLY : (O_WRONLY | O_CREAT | O_APPEND), 0o600)
                }
            }
        }
        // Nothing of the test process leaks into the program (as from a shell). Without it
        // (glibc < 2.34) only close-on-exec descriptors are closed.
        _ = parley_spawn_add_closefrom(&actions, 3)
        if let workingDirectory {
            let code = parley_spawn_add_chdir(&actions, workingDirectory)
            guard code == 0 else {
                cleanUp()
                throw Failure(description: "cannot start \(arguments[0]) in \(workingDirectory): \(String(cString: strerror(code)))")
            }
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigfillset(&defaults)
        sigdelset(&defaults, SIGKILL)
        sigdelset(&defaults, SIGSTOP)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        // POSIX_SPAWN_SETSID is 0x80 in glibc (hidden from Swift without _GNU_SOURCE).
        let setsid: Int32 = newSession || controllingTerminal != nil ? 0x80 : 0
        posix_spawnattr_setflags(&attributes, Int16(Int32(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF) | setsid))

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, envp)
        childEnds.forEach { close($0) }
        childEnds = []
        guard result == 0 else {
            cleanUp()
            throw Failure(description: "cannot start \(arguments[0]): \(String(cString: strerror(result)))")
        }
        return Child(pid: pid, stdinFD: parentEnds[0], stdoutFD: parentEnds[1], stderrFD: parentEnds[2])
    }

    /// Runs `arguments` to completion and returns its standard output (captured only when
    /// asked: a daemon it starts would otherwise hold the pipe open). A program that does not
    /// finish within `timeout` is killed and the call throws, so a stuck helper fails a test
    /// instead of hanging the run.
    public static func run(_ arguments: [String], environment: [String: String], captureOutput: Bool,
                           timeout: TimeInterval = 10) throws -> String {
        let child = try spawn(arguments, environment: environment, pipeStdout: captureOutput)
        let output = captureOutput ? readAll(child.stdoutFD) : { Data() }
        guard wait(child.pid, timeout: timeout) != nil else {
            kill(child.pid, SIGKILL)
            _ = wait(child.pid, timeout: 5)
            throw Failure(description: "\(arguments.joined(separator: " ")) did not finish in \(Int(timeout)) s")
        }
        return String(decoding: output(), as: UTF8.self)
    }

    /// Waits for `pid` up to `timeout`; returns the shell-style status (128+signal when killed),
    /// or nil on timeout.
    public static func wait(_ pid: pid_t, timeout: TimeInterval) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let status = poll(pid) { return status }
            if Date() >= deadline { return nil }
            usleep(5_000)
        }
    }

    /// The shell-style status of `pid` if it has exited (reaping it), -1 if it is not our
    /// child, nil while it runs.
    public static func poll(_ pid: pid_t) -> Int32? {
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid {
                let signal = status & 0x7f
                return signal == 0 ? (status >> 8) & 0xff : 128 + signal
            }
            if result < 0 && errno == EINTR { continue }
            return result < 0 ? -1 : nil
        }
    }

    /// Reads a descriptor to EOF on a background thread.
    public static func readAll(_ fd: Int32) -> @Sendable () -> Data {
        let box = Locked(Data())
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            forEachChunk(fd) { chunk in box.withLock { $0.append(chunk) } }
            done.signal()
        }
        return {
            done.wait()
            done.signal()
            return box.withLock { $0 }
        }
    }

    /// Calls `body` with each chunk read from `fd` until EOF, then closes it.
    public static func forEachChunk(_ fd: Int32, _ body: (Data) -> Void) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count > 0 { body(Data(buffer[0..<count])) } else if count == 0 || errno != EINTR { break }
        }
        close(fd)
    }
}
