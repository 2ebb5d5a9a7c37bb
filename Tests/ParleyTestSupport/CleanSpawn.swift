import Foundation
import _ProcessShims

import Glibc

/// Starts programs the way a shell would: an empty signal mask and default dispositions.
///
/// Swift Testing runs tests on dispatch worker threads, which block most signals, and a child
/// inherits its parent thread's mask. Started with Foundation's `Process` from such a thread,
/// a program (tmux's server, `parley` itself) would run with SIGTERM, SIGCHLD, SIGWINCH…
/// blocked, which breaks exactly what the end-to-end tests check.
public enum CleanSpawn {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
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
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var parentEnds: [Int32] = [-1, -1, -1]
        var childEnds: [Int32] = []
        for (fd, wanted, childReads) in [(Int32(0), pipeStdin, true), (1, pipeStdout, false), (2, pipeStderr, false)] {
            if wanted {
                var ends: [Int32] = [-1, -1]
                // Both ends close-on-exec: a program another test spawns meanwhile must not inherit
                // them (a daemon such as the tmux server would hold the pipe open for its life).
                // dup2 clears the flag on the child's copy.
                guard parley_pipe_cloexec(&ends) == 0 else { throw Failure(description: "pipe failed: \(errno)") }
                let (childEnd, parentEnd) = childReads ? (ends[0], ends[1]) : (ends[1], ends[0])
                posix_spawn_file_actions_adddup2(&actions, childEnd, fd)
                posix_spawn_file_actions_addclose(&actions, childEnd)
                parentEnds[Int(fd)] = parentEnd
                childEnds.append(childEnd)
            } else {
                posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0)
            }
        }
        // Nothing of the test process leaks into the program (as from a shell).
        parley_spawn_add_closefrom(&actions, 3)
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
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let previousDirectory = FileManager.default.currentDirectoryPath
        if let workingDirectory { _ = chdir(workingDirectory) }
        defer { if workingDirectory != nil { _ = chdir(previousDirectory) } }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, envp)
        childEnds.forEach { close($0) }
        guard result == 0 else {
            parentEnds.filter { $0 >= 0 }.forEach { close($0) }
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
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid {
                let signal = status & 0x7f
                return signal == 0 ? (status >> 8) & 0xff : 128 + signal
            }
            if result < 0 && errno != EINTR { return -1 }
            if Date() >= deadline { return nil }
            usleep(5_000)
        }
    }

    /// Reads a descriptor to EOF on a background thread.
    public static func readAll(_ fd: Int32) -> @Sendable () -> Data {
        let box = DataBox()
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            var data = Data()
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = read(fd, &buffer, buffer.count)
                if count > 0 { data.append(contentsOf: buffer[0..<count]) } else if count == 0 || errno != EINTR { break }
            }
            close(fd)
            box.set(data)
            done.signal()
        }
        return {
            done.wait()
            done.signal()
            return box.get()
        }
    }
}

final class DataBox: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func set(_ value: Data) { lock.lock(); data = value; lock.unlock() }
    func get() -> Data { lock.lock(); defer { lock.unlock() }; return data }
}
