import Foundation
import Locking

import Glibc

/// A program started with ``CleanSpawn`` that a test watches while it runs: stdin written on
/// demand, stdout and stderr (when piped) collected as timestamped chunks by threads of their
/// own, its exit status once it ends. What tests used Foundation's `Process` for.
public final class SpawnedProgram: @unchecked Sendable {
    /// One piece of output and when it arrived.
    public struct Chunk: Sendable {
        public let time: Date
        public let bytes: Data
    }

    public let pid: pid_t
    private let stdinFD: Int32
    private struct Output {
        var stdoutChunks: [Chunk] = []
        var stderrData = Data()
        var status: Int32?
    }
    private let output = Locked(Output())
    /// True once stdin is closed; held while writing it (which may block on a full pipe).
    private let inputClosed = Locked(false)
    private let drained = DispatchGroup()

    public init(_ arguments: [String], environment: [String: String], workingDirectory: String? = nil,
                stdin: CleanSpawn.Stdio = .pipe, stdout: CleanSpawn.Stdio = .pipe, stderr: CleanSpawn.Stdio = .pipe) throws {
        let child = try CleanSpawn.spawn(arguments, environment: environment, workingDirectory: workingDirectory,
                                         stdin: stdin, stdout: stdout, stderr: stderr)
        pid = child.pid
        stdinFD = child.stdinFD
        collect(child.stdoutFD) { [output] chunk in output.withLock { $0.stdoutChunks.append(Chunk(time: Date(), bytes: chunk)) } }
        collect(child.stderrFD) { [output] chunk in output.withLock { $0.stderrData.append(chunk) } }
    }

    deinit {
        closeInput()
        if isRunning { kill(pid, SIGKILL) }
        _ = CleanSpawn.wait(pid, timeout: 5)
    }

    private func collect(_ fd: Int32, _ sink: @escaping @Sendable (Data) -> Void) {
        guard fd >= 0 else { return }
        drained.enter()
        Thread.detachNewThread { [drained] in
            CleanSpawn.forEachChunk(fd, sink)
            drained.leave()
        }
    }

    /// Writes all of `data` to the program's stdin (blocking while its pipe is full).
    public func write(_ data: Data) {
        inputClosed.withLock { closed in
            guard !closed, stdinFD >= 0 else { return }
            data.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let written = Glibc.write(stdinFD, raw.baseAddress! + offset, raw.count - offset)
                    if written < 0 { if errno == EINTR { continue } else { return } }
                    offset += written
                }
            }
        }
    }

    public func write(_ text: String) { write(Data(text.utf8)) }

    /// Closes the program's stdin (EOF).
    public func closeInput() {
        inputClosed.withLock { closed in
            guard !closed else { return }
            closed = true
            if stdinFD >= 0 { close(stdinFD) }
        }
    }

    /// True until the program has exited (then it is reaped and ``exitStatus`` is set).
    public var isRunning: Bool {
        output.withLock { output in
            if output.status == nil { output.status = CleanSpawn.poll(pid) }
            return output.status == nil
        }
    }

    /// The shell-style exit status (128 + signal when killed), once it has exited.
    public var exitStatus: Int32? {
        _ = isRunning
        return output.withLock { $0.status }
    }

    /// Waits up to `timeout` for the exit; then SIGKILLs it. Returns the status, or nil when it
    /// had to be killed. Output is fully collected when this returns.
    @discardableResult
    public func wait(timeout: TimeInterval) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while isRunning && Date() < deadline { usleep(5_000) }
        let timedOut = isRunning
        if timedOut {
            kill(pid, SIGKILL)
            while isRunning { usleep(5_000) }
        }
        drained.wait()
        return timedOut ? nil : exitStatus
    }

    public var chunks: [Chunk] { output.withLock { $0.stdoutChunks } }
    public var stdoutByteCount: Int { chunks.reduce(0) { $0 + $1.bytes.count } }
    public var stdoutData: Data { chunks.reduce(into: Data()) { $0.append($1.bytes) } }
    public var stdout: String { String(decoding: stdoutData, as: UTF8.self) }
    public var stderr: String { output.withLock { String(decoding: $0.stderrData, as: UTF8.self) } }
}
