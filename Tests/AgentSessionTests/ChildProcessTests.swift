import Foundation
import Locking
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
    /// and the queued one: the calls return at once, stdin ends up closed, and the process
    /// (which ignores SIGPIPE only because the host set it) is still here to check.
    @Test func writesAfterTheChildExitedAreDropped() async throws {
        let child = try ChildProcess.spawn(
            executable: "/bin/true", arguments: [], environment: [:], workingDirectory: nil)
        let (_, status) = await collectStdout(child)
        #expect(status == .exited(0))
        // The reaper abandoned stdin when the child exited.
        #expect(!child.stdin.isOpen)
        let clock = ContinuousClock()
        let began = clock.now
        child.write(Data("small\n".utf8))
        child.write(Data(repeating: 65, count: 1_000_000))
        child.write(Data("after\n".utf8))
        child.closeStdin()
        #expect(clock.now - began < .milliseconds(250))
        #expect(!child.stdin.isOpen)
    }

    /// The direct path and the queued one both notice a broken pipe: a write larger than the
    /// pipe to a child that exits without reading ends with stdin closed, the writer's thread
    /// gone, and nothing left waiting.
    @Test func aQueuedWriteToAChildThatLeavesWithoutReadingIsDropped() async throws {
        var ends: [Int32] = [-1, -1]
        #expect(pipe(&ends) == 0)
        _ = fcntl(ends[1], F_SETFL, fcntl(ends[1], F_GETFL) | O_NONBLOCK)
        let writer = StdinWriter(fd: ends[1], name: "test.stdin")
        writer.write(Data(repeating: 66, count: 1_000_000))  // most of it waits for the thread
        #expect(writer.isOpen)
        close(ends[0])  // the reader leaves: EPIPE for the waiting rest
        let deadline = ContinuousClock.now + .seconds(5)
        while writer.isOpen && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(!writer.isOpen, "the queued write never noticed the broken pipe")
        writer.write(Data("dropped".utf8))
        #expect(!writer.isOpen)
    }

    /// A write waiting for room in a pipe that a leftover process holds open (and never reads)
    /// does not wait forever: when the child exits the writer is abandoned and its thread ends.
    /// (Before, it waited in `poll(POLLOUT, -1)` on a dispatch worker for good.)
    @Test func aWriteWaitingOnAPipeHeldByALeftoverEndsWhenTheChildExits() async throws {
        let child = try ChildProcess.spawn(
            executable: "/bin/sh",
            arguments: ["-c", "setsid sleep 30 >/dev/null 2>&1 & echo $!; sleep 0.3"],
            environment: ["PATH": "/usr/bin:/bin"], workingDirectory: nil)
        child.write(Data(repeating: 67, count: 1_000_000))
        #expect(child.stdin.isOpen)
        let (bytes, status) = await collectStdout(child)
        let leftover = pid_t(String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        defer { if let leftover { kill(leftover, SIGKILL) } }
        #expect(status == .exited(0))
        #expect(leftover.map { kill($0, 0) == 0 } == true, "the leftover should still hold stdin open")
        #expect(!child.stdin.isOpen)
    }

    /// A working directory that cannot be entered fails the spawn with a typed error naming
    /// it, instead of starting the child elsewhere.
    @Test func aMissingWorkingDirectoryIsATypedError() {
        #expect(throws: SessionError.workingDirectoryUnusable(path: "/nonexistent/dir", detail: "No such file or directory")) {
            _ = try ChildProcess.spawn(
                executable: "/bin/true", arguments: [], environment: [:], workingDirectory: "/nonexistent/dir")
        }
    }

    /// The working directory is the one asked for.
    @Test func theChildRunsInTheGivenWorkingDirectory() async throws {
        let child = try ChildProcess.spawn(
            executable: "/bin/pwd", arguments: [], environment: [:], workingDirectory: "/usr/bin")
        let (bytes, status) = await collectStdout(child)
        #expect(status == .exited(0))
        #expect(String(decoding: bytes, as: UTF8.self) == "/usr/bin\n")
    }

    /// The child's parent-death signal is tied to a thread that lives as long as Parley (Linux
    /// sends it when the forking *thread* ends): a child spawned from a thread that then ends
    /// keeps running. That the signal is set is proved end to end (`kill -9` of `parley`).
    @Test func aChildOutlivesTheThreadThatAskedForIt() async throws {
        let spawned = Locked<ChildProcess?>(nil)
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            spawned.withLock {
                $0 = try? ChildProcess.spawn(
                    executable: "/bin/sleep", arguments: ["30"], environment: [:], workingDirectory: nil)
            }
            done.signal()
        }
        thread.start()
        done.wait()
        let child = try #require(spawned.withLock { $0 })
        try await Task.sleep(for: .milliseconds(500))  // the asking thread has ended by now
        #expect(child.exitStatus == nil)
        child.beginTermination(grace: .zero)
        let (_, status) = await collectStdout(child)
        #expect(status == .signaled(SIGTERM))
    }

    /// Teardown is the declared sequence.
    @Test func teardownIsEOFThenTermThenKill() {
        #expect(TeardownStep.sequence(grace: .seconds(3), termGrace: .seconds(2)) == [
            .closeStdin, .awaitExit(.seconds(3)), .signalGroup(SIGTERM), .awaitExit(.seconds(2)),
            .signalGroup(SIGKILL), .sweepDescendants,
        ])
    }
}
