import Foundation
import ParleyTestSupport
import StreamJSON
import Testing

import Glibc

/// Issue 7's faults through the built `parley` in piped mode (3, 4, 5 and the piped part of 7),
/// against `fake-claude` or programs that are not `claude` at all.
@Suite(.serialized, .timeLimit(.minutes(3))) struct FaultPipedTests {
    // MARK: 3. Junk and huge lines

    @Test func junkIsOneDimWarningPerProcessAndNeverFatal() async throws {
        let fixture = FaultFixture()
        defer { fixture.directory.remove() }
        let outcome = try await fixture.run("""
            junk fc:garbage
            more fc:garbage fc:bytewise
            split fc:bytewise fc:words=30
            tiny fc:tinylines=10000 fc:tinyrate=10000

            """)
        #expect(outcome.status == 0, "stderr: \(outcome.stderr)")
        let warnings = FaultFixture.lines(outcome.stderr).filter { $0.contains("not JSON") }
        #expect(warnings.count == 1, "stderr: \(outcome.stderr)")
        #expect(warnings.first?.hasPrefix("⚠ ignored output from claude that is not JSON") == true)
        #expect(warnings.first?.contains("further ones are not reported") == true)
        #expect(FaultFixture.lines(outcome.stderr).count == 1, "stderr: \(outcome.stderr)")
        #expect(outcome.stdout.contains("Echo: junk fc:garbage\n"))
        #expect(outcome.stdout.contains("Echo: more fc:garbage fc:bytewise\n"))
        #expect(outcome.stdout.contains("lorem ipsum dolor sit amet"))
        #expect(outcome.stdout.hasSuffix("Echo: tiny fc:tinylines=10000 fc:tinyrate=10000\n"))
        #expect(fixture.record.starts.count == 1)
    }

    @Test func aSixtyFourMegabyteLineStreamsThroughInBoundedMemory() async throws {
        let fixture = FaultFixture()
        defer { fixture.directory.remove() }
        let parley = try fixture.watched()
        parley.write("big fc:huge=64\nafter\n")
        parley.closeInput()
        let status = await parley.wait(timeout: 180)
        #expect(status == 0, "stderr: \(parley.stderr.prefix(2000))")
        #expect(parley.stdoutByteCount >= 64 << 20)
        #expect(parley.stdout.hasSuffix("Echo: after\n"))
        #expect(parley.stderr.isEmpty, "stderr: \(parley.stderr.prefix(2000))")
        let peakMB = parley.peakResidentKB / 1024
        print("parley peak RSS (VmHWM) while a 64 MiB line streamed: \(peakMB) MiB, CPU \(parley.cpuSeconds) s")
        // Three lines of 64 MiB pass through (delta, assistant, result): a sane bound is a
        // small multiple of the line, not of the whole stream.
        #expect(peakMB > 0 && Double(peakMB) < 1024 * faultScale, "peak RSS \(peakMB) MiB")
    }

    // MARK: 4. stderr flood

    @Test func aHundredMegabytesOfStderrDoNotStopTheReply() async throws {
        let fixture = FaultFixture()
        defer { fixture.directory.remove() }
        let started = Date()
        let outcome = try await fixture.run("flood fc:stderr=100 fc:words=300\nafter\n", timeout: 120)
        #expect(outcome.status == 0, "stderr: \(outcome.stderr.prefix(2000))")
        #expect(outcome.stdout.split(whereSeparator: \.isWhitespace).count == 300 + 2)
        #expect(outcome.stdout.hasSuffix("Echo: after\n"))
        // A healthy process's stderr is drained and dropped, not shown.
        #expect(!outcome.stderr.contains("stderr flood"))
        print("parley, 100 MB stderr flood: \(Date().timeIntervalSince(started)) s")
    }

    @Test func theLastStderrLinesAreShownWhenTheProcessDiesAfterAFlood() async throws {
        let fixture = FaultFixture()
        defer { fixture.directory.remove() }
        let outcome = try await fixture.run("die fc:stderr=5 fc:crash=3@end fc:words=100\nafter\n")
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("✗ claude exited with status 3 unexpectedly"), "stderr: \(outcome.stderr)")
        let shown = FaultFixture.lines(outcome.stderr).filter { $0.hasPrefix("  stderr: ") }
        #expect((1...5).contains(shown.count), "stderr: \(outcome.stderr)")
        #expect(shown.allSatisfy { $0.hasPrefix("  stderr: fake-claude stderr flood line") && $0.count <= 320 })
        #expect(outcome.stderr.contains("not answered: “die fc:stderr=5"))
        #expect(outcome.stdout.hasSuffix("Echo: after\n"))
    }

    // MARK: 5. Early exit

    @Test func exitZeroMidTurnIsACrashNotASuccess() async throws {
        let fixture = FaultFixture()
        defer { fixture.directory.remove() }
        let outcome = try await fixture.run("one\ntwo fc:exit0\nthree\n")
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("✗ claude exited with status 0 unexpectedly"), "stderr: \(outcome.stderr)")
        #expect(outcome.stderr.contains("not answered: “two fc:exit0”"))
        #expect(outcome.stdout.contains("Echo: one\n") && outcome.stdout.hasSuffix("Echo: three\n"))
        #expect(fixture.record.starts.count == 2)
    }

    @Test func exitBeforeInitGivesUpAfterFourStartsWithoutSpinning() async throws {
        let fixture = FaultFixture()
        defer { fixture.directory.remove() }
        // Parley's own CPU from /proc just before it exits (getrusage of children would count
        // every fake-claude it reaped too). The restart delays add up to 1.8 s of waiting.
        let started = Date()
        let parley = try fixture.watched(environment: [
            "FAKE_CLAUDE_CRASH_ON_START": "7", "FAKE_CLAUDE_CRASH_STARTS": "99", "PARLEY_RESTART_DELAYS": "0.3,0.6,0.9",
        ])
        parley.write("hello\nworld\n")
        parley.closeInput()
        let status = await parley.wait(timeout: 30)
        let elapsed = Date().timeIntervalSince(started)
        #expect(status == 1)
        #expect(fixture.record.starts.count == 4, "spawns: \(fixture.record.starts.count)")
        #expect(parley.stderr.contains("claude exited with status 7 4 times in a row; giving up"), "stderr: \(parley.stderr)")
        #expect(parley.stderr.contains("stderr: fake-claude: simulated crash on start (exit 7)"))
        // Both reported: the queued one as not answered when the session failed, the rest as not sent.
        #expect(parley.stderr.contains("not answered: “hello”") && parley.stderr.contains("not sent: “world”"),
                "stderr: \(parley.stderr)")
        #expect(elapsed >= 1.8)
        // No busy loop: waiting out the backoff costs (almost) no CPU.
        print("crash on start: \(elapsed) s wall, parley CPU \(parley.cpuSeconds) s")
        #expect(parley.cpuSeconds < 1.0 * faultScale, "parley used \(parley.cpuSeconds) s of CPU in \(elapsed) s")
    }

    @Test func aMissingBinaryIsOneLineAndNoRetry() async throws {
        let fixture = FaultFixture()
        defer { fixture.directory.remove() }
        let outcome = try await fixture.run("hello\nworld\n", ["--claude", "/nonexistent/claude"])
        #expect(outcome.status == 1)
        let errors = FaultFixture.lines(outcome.stderr).filter { $0.contains("claude not found") }
        #expect(errors.count == 1, "stderr: \(outcome.stderr)")
        #expect(errors.first?.contains("/nonexistent/claude") == true)
        #expect(outcome.stdout.isEmpty)
    }

    @Test func aNonExecutableBinaryIsOneLineAndNoRetry() async throws {
        let fixture = FaultFixture()
        defer { fixture.directory.remove() }
        let path = fixture.directory.file("claude")
        FileManager.default.createFile(atPath: path, contents: Data("#!/bin/sh\n".utf8), attributes: [.posixPermissions: 0o644])
        let outcome = try await fixture.run("hello\n", ["--claude", path])
        #expect(outcome.status == 1)
        let errors = FaultFixture.lines(outcome.stderr).filter { $0.contains("is not executable") }
        #expect(errors.count == 1, "stderr: \(outcome.stderr)")
        #expect(outcome.stdout.isEmpty)
    }

    /// `--claude /bin/echo`: prints its arguments (not JSON) and exits 0 at once, every time.
    @Test func aProgramThatPrintsNonsenseAndExitsIsBoundedToFourStarts() async throws {
        let fixture = FaultFixture()
        defer { fixture.directory.remove() }
        let echo = fixture.script("echo-claude", "echo start >> \"$0.starts\"\nexec /bin/echo \"$@\"")
        let started = Date()
        let outcome = try await fixture.run("hello\nworld\n", ["--claude", echo], timeout: 30)
        let elapsed = Date().timeIntervalSince(started)
        let starts = (try? String(contentsOfFile: echo + ".starts", encoding: .utf8))?.split(separator: "\n").count ?? 0
        print("--claude echo: \(starts) starts, \(elapsed) s, stderr:\n\(outcome.stderr)")
        #expect(outcome.status == 1)
        #expect(starts == 4)
        #expect(outcome.stderr.contains("giving up"))
        // Its output is reported as junk once per process at most, never taken for a reply.
        #expect(outcome.stdout.isEmpty)
        #expect(FaultFixture.lines(outcome.stderr).filter { $0.contains("not JSON") }.count <= starts)
    }

    /// `--claude /bin/cat`: echoes Parley's own lines back and never answers. Parley sees its
    /// user line come back (the turn "began"), then silence: the stall watchdog says so, and
    /// SIGTERM ends it cleanly (cat gets stdin EOF and exits).
    @Test func aProgramThatEchoesStdinIsAStalledTurnNotABusyLoop() async throws {
        let fixture = FaultFixture()
        defer { fixture.directory.remove() }
        let cat = fixture.script("cat-claude", "echo $$ >> \"$0.pids\"\nexec /bin/cat")
        let parley = try fixture.watched(["--claude", cat], environment: ["PARLEY_STALL_TIMEOUT": "0.5"])
        parley.write("hello\n")
        #expect(await ProcessInspector.eventually(timeout: .seconds(10)) { parley.stderr.contains("no output from claude") },
                "stderr: \(parley.stderr)")
        kill(parley.pid, SIGTERM)
        let status = await parley.wait(timeout: 15)
        print("--claude cat: stderr:\n\(parley.stderr)\nparley CPU \(parley.cpuSeconds) s")
        #expect(status == 143)
        #expect(parley.stdout.isEmpty)
        #expect(parley.cpuSeconds < 1.0 * faultScale)
        let pids = ((try? String(contentsOfFile: cat + ".pids", encoding: .utf8)) ?? "").split(separator: "\n").compactMap { pid_t($0) }
        #expect(pids.count == 1)
        for pid in pids { #expect(!ProcessInspector.isAlive(pid), "cat \(pid) still running") }
    }

    // MARK: 7. Shutdown (piped)

    @Test(arguments: [(SIGTERM, Int32(143)), (SIGHUP, Int32(129)), (SIGINT, Int32(130))])
    func aSignalWhileATurnStreamsClosesStdinFirst(signal: Int32, expected: Int32) async throws {
        let fixture = FaultFixture()
        defer { fixture.directory.remove() }
        let parley = try fixture.watched()
        parley.write("long fc:slow=20 fc:words=400\nnever sent\n")
        #expect(await ProcessInspector.eventually(timeout: .seconds(10)) { parley.stdoutByteCount > 0 })
        let signalled = Date()
        kill(parley.pid, signal)
        let status = await parley.wait(timeout: 15)
        let took = Date().timeIntervalSince(signalled)
        print("signal \(signal): parley exited \(String(describing: status)) after \(took) s")
        #expect(status == expected)
        #expect(fixture.record.userTexts == ["long fc:slow=20 fc:words=400"])
        // The CLI saw stdin EOF and left by itself (no SIGTERM/SIGKILL from Parley).
        let events = fixture.record.entries.compactMap { $0["event"]?.stringValue }
        #expect(events.contains("eof"), "record: \(events)")
        let exit = fixture.record.entries.last { $0["event"] == "exit" }
        #expect(exit?["code"]?.intValue.map { [0, 1].contains($0) } == true, "exit: \(String(describing: exit))")
        #expect(exit?["signal"] == nil)
        if let eofIndex = events.firstIndex(of: "eof"), let exitIndex = events.lastIndex(of: "exit") {
            #expect(eofIndex < exitIndex)
        }
        #expect(took < 3 * faultScale, "shutdown took \(took) s (the grace period is 3 s)")
        let pid = try #require(fixture.record.starts.first?["pid"]?.intValue)
        #expect(!ProcessInspector.isAlive(pid_t(pid)))
    }

    @Test func headOneEndsQuietlyAndTheCLIExitsCleanly() async throws {
        let fixture = FaultFixture()
        defer { fixture.directory.remove() }
        let script = (1...20).map { "line \($0) fc:words=300 fc:slow=1" }.joined(separator: "\n")
        FileManager.default.createFile(atPath: fixture.directory.file("in.txt"), contents: Data(script.utf8))
        let outcome = try await runProgram("/bin/bash", arguments: ["-c",
            "\"$PARLEY\" < in.txt | head -1; echo \"status=${PIPESTATUS[0]}\""],
            environment: fixture.environment(["PARLEY": TestBinaries.parley]), workingDirectory: fixture.directory.path,
            timeout: 60)
        #expect(outcome.stdout == "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor\nstatus=0\n",
                "stdout: \(outcome.stdout)")
        #expect(outcome.stderr.isEmpty, "stderr: \(outcome.stderr)")
        let pids = fixture.record.starts.compactMap { $0["pid"]?.intValue }
        #expect(pids.count == 1)
        for pid in pids { #expect(!ProcessInspector.isAlive(pid_t(pid)), "claude \(pid) still running") }
        let exit = fixture.record.entries.last { $0["event"] == "exit" }
        #expect(exit?["signal"] == nil && exit?["code"]?.intValue != 143, "exit: \(String(describing: exit))")
    }
}

/// A child that writes stdout faster than Parley parses it: the reader hands over at most a
/// few chunks at a time (the pipe pushes back on the child), output is not framed once Parley
/// is stopping, and the teardown sequence runs on its own thread.
@Suite(.serialized, .timeLimit(.minutes(3))) struct FaultStdoutFloodTests {
    /// 3 million tiny (valid, unknown-type) lines as fast as the fake can write them, then
    /// SIGTERM. Like the real CLI, the fake finishes its turn after stdin EOF, so Parley's
    /// teardown runs its course: 3 s grace, SIGTERM, at most 2 s more. Memory stays bounded by
    /// what is in flight, not by the backlog.
    @Test func sigtermDuringAStdoutFloodExitsPromptlyInBoundedMemory() async throws {
        let fixture = FaultFixture()
        defer { fixture.directory.remove() }
        let parley = try fixture.watched(rssLimitMB: 1024)
        parley.write("flood fc:tinylines=3000000\n")
        #expect(await ProcessInspector.eventually(timeout: .seconds(10)) { fixture.record.userTexts.count == 1 })
        try await Task.sleep(for: .seconds(1))
        let signalled = Date()
        kill(parley.pid, SIGTERM)
        let status = await parley.wait(timeout: 12)
        let took = Date().timeIntervalSince(signalled)
        print("stdout flood + SIGTERM: exit \(String(describing: status)) after \(took) s, peak RSS \(parley.peakResidentKB / 1024) MiB")
        #expect(status == 143)
        #expect(took < 5 + 3 * faultScale, "Parley took \(took) s to exit after SIGTERM")
        #expect(parley.peakResidentKB / 1024 < 512, "peak RSS \(parley.peakResidentKB / 1024) MiB")
    }

    /// `yes` as claude: an endless stream of junk that ignores stdin EOF. Parley must still
    /// stop it (SIGTERM to the group after the grace period) and exit, without its memory
    /// growing with the stream.
    @Test func anEndlessJunkStreamIsStoppedOnSigterm() async throws {
        let fixture = FaultFixture()
        defer { fixture.directory.remove() }
        let yes = fixture.script("yes-claude", "echo $$ >> \"$0.pids\"\nexec /usr/bin/yes")
        let parley = try fixture.watched(["--claude", yes], environment: ["PARLEY_STALL_TIMEOUT": "1"], rssLimitMB: 1024)
        parley.write("hello\n")
        try await Task.sleep(for: .seconds(2))
        let signalled = Date()
        kill(parley.pid, SIGTERM)
        let status = await parley.wait(timeout: 12)
        let took = Date().timeIntervalSince(signalled)
        let pids = ((try? String(contentsOfFile: yes + ".pids", encoding: .utf8)) ?? "").split(separator: "\n").compactMap { pid_t($0) }
        let survivors = pids.filter { ProcessInspector.isAlive($0) }
        for pid in survivors { kill(pid, SIGKILL) }  // never leave it running on the machine
        print("yes + SIGTERM: exit \(String(describing: status)) after \(took) s, peak RSS \(parley.peakResidentKB / 1024) MiB, "
            + "CPU \(parley.cpuSeconds) s, survivors \(survivors)")
        #expect(status == 143)
        #expect(took < 8, "teardown is 3 s grace + 2 s after SIGTERM; took \(took) s")
        #expect(survivors.isEmpty, "yes still running: \(survivors)")
        #expect(parley.peakResidentKB / 1024 < 512, "peak RSS \(parley.peakResidentKB / 1024) MiB")
        #expect(FaultFixture.lines(parley.stderr).filter { $0.contains("not JSON") }.count == 1)
    }
}
