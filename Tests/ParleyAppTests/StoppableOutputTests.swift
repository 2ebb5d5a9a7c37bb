import Foundation
import Testing
import ParleyApp

import Glibc

/// Scripted output never holds Parley hostage: a write waiting for a reader that does not read
/// ends when a stop is asked for, while output that fits still goes out.
@Suite(.timeLimit(.minutes(1))) struct StoppableOutputTests {
    /// A pipe; the write end is returned with the read end.
    private func makePipe() -> (read: Int32, write: Int32) {
        var ends: [Int32] = [-1, -1]
        #expect(pipe(&ends) == 0)
        return (ends[0], ends[1])
    }

    /// Runs a blocking body on a thread of its own: the cooperative pool has one thread per
    /// core (two here), and two tests blocked in a write on it would starve the tasks that
    /// would unblock them.
    private func onThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: body()) }.start()
        }
    }

    @Test func aWriteWaitingOnAFullPipeEndsOnStop() async throws {
        let (readEnd, writeEnd) = makePipe()
        defer { close(readEnd); close(writeEnd) }
        let output = StoppableOutput()
        let big = String(repeating: "x", count: 1 << 20)  // 16 times what the pipe holds
        async let outcome = onThread { output.write(big, fd: writeEnd) }
        try await Task.sleep(for: .milliseconds(300))  // now waiting for room
        output.stop()
        let result = await outcome
        #expect(result == .stopped)
        // What fits still goes out after the stop: drain the pipe, then a short write succeeds.
        var buffer = [UInt8](repeating: 0, count: 1 << 17)
        _ = fcntl(readEnd, F_SETFL, O_NONBLOCK)
        while read(readEnd, &buffer, buffer.count) > 0 {}
        #expect(output.write("after the stop\n", fd: writeEnd) == .written)
        let count = read(readEnd, &buffer, buffer.count)
        #expect(count > 0 && String(decoding: buffer[0..<count], as: UTF8.self) == "after the stop\n")
    }

    @Test func aClosedReaderIsReportedAsClosed() {
        let (readEnd, writeEnd) = makePipe()
        defer { close(writeEnd) }
        close(readEnd)
        signal(SIGPIPE, SIG_IGN)
        #expect(StoppableOutput().write("nobody\n", fd: writeEnd) == .closed)
    }

    @Test func everyByteArrivesInOrderThroughASlowReader() async throws {
        let (readEnd, writeEnd) = makePipe()
        defer { close(readEnd) }
        let text = (0..<20_000).map { "line \($0)\n" }.joined()
        async let received = onThread { () -> String in
            var data = Data()
            var buffer = [UInt8](repeating: 0, count: 7000)
            while true {
                let count = read(readEnd, &buffer, buffer.count)
                if count <= 0 { break }
                data.append(contentsOf: buffer[0..<count])
                usleep(200)
            }
            return String(decoding: data, as: UTF8.self)
        }
        let written = await onThread { StoppableOutput().write(text, fd: writeEnd) }
        #expect(written == .written)
        close(writeEnd)
        #expect(await received == text)
    }
}
