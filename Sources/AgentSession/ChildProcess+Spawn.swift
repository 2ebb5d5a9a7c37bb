import Foundation
import _ProcessShims

import Glibc

extension ChildProcess {
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

        var pipes: [[Int32]] = []
        for _ in 0..<3 {
            var ends: [Int32] = [-1, -1]
            guard parley_pipe_cloexec(&ends) == 0 else {
                let code = errno
                closeAll(pipes.flatMap { $0 })
                throw .spawnFailed(path: executable, errno: code, detail: String(cString: strerror(code)))
            }
            pipes.append(ends)
        }
        let (stdinPipe, stdoutPipe, stderrPipe) = (pipes[0], pipes[1], pipes[2])
        let request = ProcessLauncher.Request(
            executable: executable, arguments: arguments, environment: environment,
            workingDirectory: workingDirectory,
            stdinFD: stdinPipe[0], stdoutFD: stdoutPipe[1], stderrFD: stderrPipe[1])
        let pid: pid_t
        do {
            pid = try ProcessLauncher.launch(request)
        } catch {
            closeAll(pipes.flatMap { $0 })
            throw spawnError(error, executable: executable, workingDirectory: workingDirectory)
        }
        closeAll([stdinPipe[0], stdoutPipe[1], stderrPipe[1]])

        let (stream, continuation) = AsyncStream.makeStream(of: ChildOutput.self, bufferingPolicy: .unbounded)
        // Only Parley's end: the child's end is a separate open file and stays blocking.
        _ = fcntl(stdinPipe[1], F_SETFL, fcntl(stdinPipe[1], F_GETFL) | O_NONBLOCK)
        let child = ChildProcess(pid: pid, stdinFD: stdinPipe[1], output: stream, sweepToken: sweepToken)
        child.startThreads(stdoutFD: stdoutPipe[0], stderrFD: stderrPipe[0], continuation: continuation)
        return child
    }

    private static func spawnError(_ failure: ProcessLauncher.Failure, executable: String,
                                   workingDirectory: String?) -> SessionError {
        let detail = String(cString: strerror(failure.errno))
        switch (failure.stage, failure.errno) {
        case (.workingDirectory, _):
            return .workingDirectoryUnusable(path: workingDirectory ?? "", detail: detail)
        case (.exec, ENOENT):
            return .claudeNotFound(searched: executable)
        case (.exec, EACCES), (.exec, ENOEXEC):
            return .claudeNotExecutable(path: executable)
        default:
            return .spawnFailed(path: executable, errno: failure.errno, detail: detail)
        }
    }

    private static func closeAll(_ fds: [Int32]) {
        for fd in fds where fd >= 0 { close(fd) }
    }
}
