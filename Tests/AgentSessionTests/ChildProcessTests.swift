import Foundation
import Testing
@testable import AgentSession
import enum AgentSession.ExitStatus  // not Testing's

/// The process host on its own, with ordinary programs as the child.
@Suite(.timeLimit(.minutes(3))) struct ChildProcessTests {
    /// Everything the child wrote to stdout, once it has exited.
    private func collectStdout(_ child: ChildProcess) async -> (bytes: [UInt8], status: ExitStatus?) {
        var bytes: [UInt8] = []
        var status: ExitStatus?
        for await output in child.output {
            switch output {
            case .stdout(let chunk): bytes += chunk
            case .stderr: break
            case .exited(let exit): status = exit
            }
            child.chunkProcessed()
        }
        return (bytes, status)
    }

    /// A child that does not read for a while gets writes larger than the pipe holds: the
    /// first is written in part at once, the rest waits on the queue, later writes queue behind
    /// it, and the child receives every byte in order. Nothing blocks the caller meanwhile.
    @Test func writesLargerThanThePipeArriveWholeAndInOrder() async throws {
        let pieces = (0..<6).map { k in
            (0..<(k.isMultiple(of: 2) ? 700_000 : 17)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ k) }
        }
        let child = try ChildProcess.spawn(
            executable: "/bin/sh", arguments: ["-c", "sleep 1; exec cat"],
            environment: ["PATH": "/usr/bin:/bin"], workingDirectory: nil)
        let clock = ContinuousClock()
        let began = clock.now
        for piece in pieces { child.write(Data(piece)) }
        child.closeStdin()
        // The writes returned while the child was still asleep (a blocking write takes ≥ 1 s).
        #expect(clock.now - began < .milliseconds(800))
        let (bytes, status) = await collectStdout(child)
        #expect(status == .exited(0))
        let expected = pieces.flatMap { $0 }
        #expect(bytes.count == expected.count)
        #expect(bytes == expected)
    }

    /// Writing to a child that has exited is dropped, never fatal, on both the direct path
    /// and the queued one.
    @Test func writesAfterTheChildExitedAreDropped() async throws {
        let child = try ChildProcess.spawn(
            executable: "/bin/true", arguments: [], environment: [:], workingDirectory: nil)
        let (_, status) = await collectStdout(child)
        #expect(status == .exited(0))
        let clock = ContinuousClock()
        let began = clock.now
        child.write(Data("small\n".utf8))
        child.write(Data(repeating: 65, count: 1_000_000))
        child.write(Data("after\n".utf8))
        child.closeStdin()
        #expect(clock.now - began < .milliseconds(250))
        // Let the queued writes run into the broken pipe while the test still watches.
        try await Task.sleep(for: .milliseconds(200))
    }
}
