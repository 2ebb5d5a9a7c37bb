import AgentSession
import Foundation
import ParleyTestSupport
import StreamJSON
import Testing

import Glibc

/// The session engine against the `fake-claude` double: real processes, pipes and signals.
@Suite(.serialized, .timeLimit(.minutes(5))) struct AgentSessionDoubleTests {
    @Test func manyTurnsOnOneProcess() async throws {
        let harness = DoubleHarness()
        defer { harness.directory.remove() }
        let session = AgentSession(configuration: harness.configuration(), options: DoubleHarness.fastOptions)
        let events = EventCollector(session)
        for text in ["one", "two", "three"] {
            await session.send(text)
            await events.settled(session)
        }
        let turns = await events.completedTurns
        #expect(turns.map { $0.result.text } == ["Echo: one", "Echo: two", "Echo: three"])
        #expect(turns.map(\.message.text) == ["one", "two", "three"])
        // Each result names the message it answers.
        #expect(turns.allSatisfy { $0.result.userMessageUUIDs == [$0.message.id] })
        #expect(await events.pids.count == 1)
        #expect(harness.record.starts.count == 1)
        #expect(harness.record.userTexts == ["one", "two", "three"])
        // initialize went first, so commands and models are known.
        #expect(harness.record.stdinLines.first?["request"]?["subtype"] == "initialize")
        let learned = await events.waitFor { if case .capabilitiesLearned = $0 { true } else { false } }
        guard case .capabilitiesLearned(let capabilities)? = learned else { Issue.record("no capabilities"); return }
        #expect(capabilities.commands.contains("compact"))
        #expect(!capabilities.models.isEmpty)
        await session.terminate()
    }

    @Test func streamsDeltasBeforeTheTurnEnds() async throws {
        let harness = DoubleHarness()
        defer { harness.directory.remove() }
        let session = AgentSession(configuration: harness.configuration(), options: DoubleHarness.fastOptions)
        let events = EventCollector(session)
        await session.send("stream fc:slow=40 fc:words=100")
        let firstDelta = await events.waitFor { if case .textDelta = $0 { true } else { false } }
        #expect(firstDelta != nil)
        #expect(await events.completedTurns.isEmpty)  // still streaming (the reply takes about 3 s)
        await events.settled(session)
        let turn = try #require(await events.completedTurns.first)
        #expect(await events.streamedText == turn.result.text)
        await session.terminate()
    }

    @Test func queueHoldsMessagesUntilEachTurnEnds() async throws {
        let harness = DoubleHarness()
        defer { harness.directory.remove() }
        let session = AgentSession(configuration: harness.configuration(), options: DoubleHarness.fastOptions)
        let events = EventCollector(session)
        await session.send("first fc:slow=100 fc:words=60")
        _ = await events.waitFor { if case .textDelta = $0 { true } else { false } }
        await session.send("second")
        await session.send("third")
        await session.send("fourth")
        #expect(await session.queuedMessages.map(\.text) == ["second", "third", "fourth"])
        // Nothing queued reached the CLI early.
        #expect(harness.record.userTexts == ["first fc:slow=100 fc:words=60"])
        #expect(await session.dropQueued(at: 1)?.text == "third")
        await events.settled(session)
        let turns = await events.completedTurns
        #expect(turns.map(\.message.text) == ["first fc:slow=100 fc:words=60", "second", "fourth"])
        #expect(harness.record.userTexts == ["first fc:slow=100 fc:words=60", "second", "fourth"])
        // Every message got its own turn and its own result.
        #expect(Set(turns.map { $0.result.userMessageUUIDs }).count == 3)
        let order = await events.events.compactMap { event -> String? in
            switch event {
            case .turnStarted(let m): "start \(m.text.prefix(6))"
            case .turnCompleted(let s): "end \(s.message.text.prefix(6))"
            default: nil
            }
        }
        #expect(order == ["start first ", "end first ", "start second", "end second", "start fourth", "end fourth"])
        await session.terminate()
    }

    @Test func clearQueueDropsEverythingWaiting() async throws {
        let harness = DoubleHarness()
        defer { harness.directory.remove() }
        let session = AgentSession(configuration: harness.configuration(), options: DoubleHarness.fastOptions)
        let events = EventCollector(session)
        await session.send("slow fc:slow=20 fc:words=10")
        await session.send("a")
        await session.send("b")
        #expect(await session.clearQueue().map(\.text) == ["a", "b"])
        await events.settled(session)
        #expect(await events.completedTurns.count == 1)
        await session.terminate()
    }

    @Test func interruptEndsTheTurnAndTheProcessLivesOn() async throws {
        let harness = DoubleHarness()
        defer { harness.directory.remove() }
        let session = AgentSession(configuration: harness.configuration(), options: DoubleHarness.fastOptions)
        let events = EventCollector(session)
        await session.send("long fc:slow=50 fc:words=200")
        _ = await events.waitFor { if case .textDelta = $0 { true } else { false } }
        #expect(await session.interrupt())
        _ = await events.waitFor(isTurnCompleted)
        let interrupted = try #require(await events.completedTurns.first)
        #expect(interrupted.result.wasInterrupted)
        #expect(interrupted.result.terminalReason == "aborted_streaming")
        await session.send("after")
        await events.settled(session)
        #expect(await events.completedTurns.last?.result.text == "Echo: after")
        #expect(await events.pids.count == 1)
        #expect(await session.interrupt() == false)  // nothing running
        await session.terminate()
    }

    @Test func interruptDuringAToolRun() async throws {
        let harness = DoubleHarness()
        defer { harness.directory.remove() }
        let session = AgentSession(configuration: harness.configuration(), options: DoubleHarness.fastOptions)
        let events = EventCollector(session)
        await session.send("run fc:toolsleep=5000")
        _ = await events.waitFor { if case .toolUse = $0 { true } else { false } }
        await session.interrupt()
        _ = await events.waitFor(isTurnCompleted)
        #expect(await events.completedTurns.first?.result.terminalReason == "aborted_tools")
        await session.send("next")
        await events.settled(session)
        #expect(await events.completedTurns.last?.result.text == "Echo: next")
        await session.terminate()
    }

    @Test func crashMidTurnIsReportedAndTheConversationResumes() async throws {
        let harness = DoubleHarness()
        defer { harness.directory.remove() }
        let session = AgentSession(configuration: harness.configuration(), options: DoubleHarness.fastOptions)
        let events = EventCollector(session)
        await session.send("remember apples")
        await events.settled(session)
        let firstSession = try #require(await session.snapshot.sessionID)
        await session.send("die fc:kill")
        await session.send("queued behind the crash")
        await events.settled(session)
        let all = await events.events
        #expect(all.contains(where: {
            if case .processExited(.signaled(9), false, _) = $0 { true } else { false }
        }))
        #expect(all.contains(where: {
            if case .messageNotAnswered(let m, .processCrashed) = $0 { m.text == "die fc:kill" } else { false }
        }))
        #expect(all.contains(.restarting(attempt: 1, maxAttempts: 3, delay: .milliseconds(50))))
        #expect(all.contains(where: {
            if case .processStarted(_, let resumed) = $0 { resumed == firstSession } else { false }
        }))
        // The queued message was answered after recovery, by the resumed process.
        #expect(await events.completedTurns.last?.message.text == "queued behind the crash")
        #expect(harness.record.argvs.last?.contains("--resume") == true)
        #expect(harness.record.argvs.last?.last == firstSession)
        // The resumed conversation still has the earlier turns.
        await session.send("fc:history")
        await events.settled(session)
        let history = try #require(await events.completedTurns.last?.result.text)
        #expect(history.contains("remember apples"))
        #expect(await session.snapshot.sessionID == firstSession)
        await session.terminate()
    }

    @Test(arguments: ["fc:crash=3", "fc:exit0", "fc:crash=2@tool fc:tool", "fc:kill fc:slow=10 fc:words=50"])
    func crashAtSeveralPointsRecovers(directive: String) async throws {
        let harness = DoubleHarness()
        defer { harness.directory.remove() }
        let session = AgentSession(configuration: harness.configuration(), options: DoubleHarness.fastOptions)
        let events = EventCollector(session)
        await session.send("before")
        await events.settled(session)
        await session.send("cut \(directive)")
        await session.send("after")
        await events.settled(session)
        let all = await events.events
        #expect(all.contains(where: { if case .processExited(_, false, _) = $0 { true } else { false } }))
        #expect(all.contains(where: { if case .messageNotAnswered(let m, _) = $0 { m.text.hasPrefix("cut") } else { false } }))
        #expect(await events.completedTurns.map(\.message.text) == ["before", "after"])
        #expect(await events.pids.count == 2)
        await session.terminate()
    }

    @Test func crashWhileIdleRestartsWithoutLosingAnything() async throws {
        let harness = DoubleHarness()
        defer { harness.directory.remove() }
        let session = AgentSession(configuration: harness.configuration(), options: DoubleHarness.fastOptions)
        let events = EventCollector(session)
        await session.send("hello")
        await events.settled(session)
        let pid = try #require(await session.snapshot.pid)
        kill(pid, SIGKILL)
        _ = await events.waitFor { if case .processStarted(_, .some) = $0 { true } else { false } }
        await session.send("still here")
        await events.settled(session)
        #expect(await events.completedTurns.map(\.message.text) == ["hello", "still here"])
        #expect(!(await events.events.contains { if case .messageNotAnswered = $0 { true } else { false } }))
        await session.terminate()
    }

    @Test func crashOnEveryStartGivesUpAfterThreeAttemptsAndRestartResets() async throws {
        let crashing = ["FAKE_CLAUDE_CRASH_STARTS": "4", "FAKE_CLAUDE_CRASH_ON_START": "3"]
        try await withDoubleSession(extraEnvironment: crashing) { session, _ in
            let events = EventCollector(session)
            await session.send("hello")
            await events.settled(session)
            let failure = await events.waitFor { if case .failed = $0 { true } else { false } }
            guard case .failed(.crashedRepeatedly(let attempts, let status, _))? = failure else {
                Issue.record("expected a crashedRepeatedly failure, got \(String(describing: failure))"); return
            }
            #expect(attempts == 4)
            #expect(status == .exited(3))
            #expect(await events.pids.count == 4)
            // Nothing waits forever (issue 12, point 3): the queued message is reported, not lost,
            // and a message sent while failed is refused at once.
            #expect(await session.queuedMessages.isEmpty)
            #expect(await events.events.contains { if case .messageNotAnswered(let message, .sessionFailed) = $0 { message.text == "hello" } else { false } })
            await session.send("refused")
            #expect(await events.waitFor { if case .messageNotAnswered(let message, .sessionFailed) = $0 { message.text == "refused" } else { false } } != nil)
            // A manual restart resets the count and the fifth start works (the double only crashes
            // four times).
            await session.restart()
            await session.send("again")
            await events.settled(session)
            #expect(await events.completedTurns.map(\.message.text) == ["again"])
        }
    }

    @Test func stderrFloodDuringAStreamedReplyDoesNotDeadlock() async throws {
        let harness = DoubleHarness()
        defer { harness.directory.remove() }
        let session = AgentSession(configuration: harness.configuration(), options: DoubleHarness.fastOptions)
        let events = EventCollector(session)
        await session.send("flood fc:stderr=50 fc:words=200")
        await events.settled(session)
        let turn = try #require(await events.completedTurns.first)
        #expect(!turn.result.isError)
        #expect(turn.result.text?.split(separator: " ").count ?? 0 >= 100)
        #expect(await events.streamedText == turn.result.text)
        await session.terminate()
    }

    @Test func a32MegabyteLineIsFramed() async throws {
        let harness = DoubleHarness()
        defer { harness.directory.remove() }
        let session = AgentSession(configuration: harness.configuration(), options: DoubleHarness.fastOptions)
        let events = EventCollector(session)
        await session.send("big fc:huge=32")
        await events.settled(session)
        let longest = await events.events.compactMap { event -> Int? in
            if case .assistantText(let text, _, _) = event { return text.utf8.count }
            if case .textDelta(let text) = event { return text.utf8.count }
            return nil
        }.max() ?? 0
        #expect(longest >= 32 << 20)
        #expect(await events.completedTurns.count == 1)
        await session.terminate()
    }

    @Test func garbageLinesAreReportedNotFatal() async throws {
        let harness = DoubleHarness()
        defer { harness.directory.remove() }
        let session = AgentSession(configuration: harness.configuration(), options: DoubleHarness.fastOptions)
        let events = EventCollector(session)
        await session.send("junk fc:garbage")
        await events.settled(session)
        let junk = await events.events.filter { if case .undecodableLine = $0 { true } else { false } }
        #expect(!junk.isEmpty)
        #expect(await events.completedTurns.first?.result.text == "Echo: junk fc:garbage")
        #expect(await events.pids.count == 1)
        await session.terminate()
    }

    @Test func missingBinaryIsATypedError() async throws {
        let harness = DoubleHarness()
        defer { harness.directory.remove() }
        let session = AgentSession(configuration: harness.configuration(claudePath: "/nonexistent/claude"),
                                   options: DoubleHarness.fastOptions)
        let events = EventCollector(session)
        await session.send("hello")
        let failure = await events.waitFor { if case .failed = $0 { true } else { false } }
        #expect(failure == .failed(.claudeNotFound(searched: "/nonexistent/claude")))
        #expect("\(SessionError.claudeNotFound(searched: "x"))".contains("pip install claude-agent-sdk"))
        await session.terminate()
    }

    @Test func nonExecutableBinaryIsATypedError() async throws {
        let harness = DoubleHarness()
        defer { harness.directory.remove() }
        let path = harness.directory.file("claude")
        FileManager.default.createFile(atPath: path, contents: Data("#!/bin/sh\n".utf8), attributes: [.posixPermissions: 0o644])
        let session = AgentSession(configuration: harness.configuration(claudePath: path), options: DoubleHarness.fastOptions)
        let events = EventCollector(session)
        await session.send("hello")
        let failure = await events.waitFor { if case .failed = $0 { true } else { false } }
        #expect(failure == .failed(.claudeNotExecutable(path: path)))
        await session.terminate()
    }

    @Test func nestingMarkersNeverReachTheChild() async throws {
        let harness = DoubleHarness()
        defer { harness.directory.remove() }
        let configuration = harness.configuration(extraEnvironment: ["CLAUDECODE": "1", "FAKE_CLAUDE_REFUSE_NESTED": "1"])
        let session = AgentSession(configuration: configuration, options: DoubleHarness.fastOptions)
        let events = EventCollector(session)
        await session.send("hello")
        await events.settled(session)
        #expect(await events.completedTurns.first?.result.text == "Echo: hello")
        #expect(harness.record.starts.first?["env"]?["CLAUDECODE"] == nil)
        await session.terminate()
    }

    @Test func terminateLeavesNoZombieAndNoDescriptor() async throws {
        let harness = DoubleHarness()
        defer { harness.directory.remove() }
        var pids: [Int32] = []
        for round in 0..<5 {
            let session = AgentSession(configuration: harness.configuration(), options: DoubleHarness.fastOptions)
            let events = EventCollector(session)
            await session.send("round \(round) fc:tool")
            await events.settled(session)
            if round % 2 == 1 {
                await session.send("mid-turn fc:slow=50 fc:words=100")
                _ = await events.waitFor { if case .textDelta = $0 { true } else { false } }
            }
            await session.terminate()
            pids += await events.pids
        }
        #expect(pids.count == 5)
        // Reaped, not zombies: no process-table entry is left for any of them. (Descriptor
        // leaks are checked on the parley binary, alone in its process: PipedModeTests.)
        for pid in pids { #expect(!ProcessInspector.exists(pid), "claude \(pid) was not reaped") }
    }

    @Test func crashKillsWhatIsLeftOfTheProcessGroup() async throws {
        let harness = DoubleHarness()
        defer { harness.directory.remove() }
        let configuration = harness.configuration(extraEnvironment: ["FAKE_CLAUDE_SPAWN_CHILD": "1"])
        let session = AgentSession(configuration: configuration, options: DoubleHarness.fastOptions)
        let events = EventCollector(session)
        await session.send("spawn fc:toolsleep=10000 fc:kill=@tool")
        await events.settled(session)
        let grandchild = harness.record.entries.first { $0["event"] == "child" }?["pid"]?.intValue
        let pid = try #require(grandchild.map { pid_t($0) })
        #expect(await ProcessInspector.eventually { !ProcessInspector.isAlive(pid) }, "tool process \(pid) survived")
        await session.terminate()
    }

    @Test func permissionRequestsAreAnsweredThroughTheSession() async throws {
        let harness = DoubleHarness()
        defer { harness.directory.remove() }
        let session = AgentSession(configuration: harness.configuration(), options: DoubleHarness.fastOptions)
        let events = EventCollector(session)
        await session.send("write fc:permission=Write")
        let asked = await events.waitFor { if case .permissionRequested = $0 { true } else { false } }
        guard case .permissionRequested(let pending)? = asked else { Issue.record("no permission request"); return }
        #expect(pending.request.toolName == "Write")
        await session.answerPermission(requestID: pending.requestID, decision: .allow(input: pending.request.input))
        await events.settled(session)
        #expect(await events.events.contains { if case .toolResult(let r) = $0 { !r.isError } else { false } })
        #expect(harness.record.stdinLines.contains { $0["response"]?["response"]?["behavior"] == "allow" })
        await session.terminate()
    }

    @Test func controlRequestsReturnTheCLIsAnswer() async throws {
        let harness = DoubleHarness()
        defer { harness.directory.remove() }
        let session = AgentSession(configuration: harness.configuration(), options: DoubleHarness.fastOptions)
        _ = EventCollector(session)
        await session.start()
        let resolved = try await session.setModel("sonnet")
        #expect(resolved.contains("sonnet"))
        #expect(await session.snapshot.model == resolved)
        await #expect(throws: SessionError.self) { try await session.setModel("bogus") }
        #expect(try await session.setPermissionMode("acceptEdits") == "acceptEdits")
        await #expect(throws: SessionError.self) { try await session.setPermissionMode("nonsense") }
        await session.terminate()
    }

    @Test func aHungTurnIsReportedByTheWatchdog() async throws {
        let harness = DoubleHarness()
        defer { harness.directory.remove() }
        var options = DoubleHarness.fastOptions
        options.stallTimeout = .milliseconds(300)
        let session = AgentSession(configuration: harness.configuration(), options: options)
        let events = EventCollector(session)
        await session.send("stop talking fc:hang")
        let stalled = await events.waitFor(timeout: .seconds(5)) { if case .stalled = $0 { true } else { false } }
        guard case .stalled(let silent, let last)? = stalled else { Issue.record("no stall reported"); return }
        #expect(silent >= .milliseconds(300))
        #expect(last.contains("stream"))
        await session.interrupt()
        _ = await events.waitFor(isTurnCompleted)
        #expect(await events.completedTurns.first?.result.wasInterrupted == true)
        await session.terminate()
    }

    /// The watchdog outlives a quick turn (it is not cancelled, see `AgentSession.emit`) and
    /// must still watch the next one.
    @Test func aHangAfterQuickTurnsIsStillReported() async throws {
        let harness = DoubleHarness()
        defer { harness.directory.remove() }
        var options = DoubleHarness.fastOptions
        options.stallTimeout = .milliseconds(400)
        let session = AgentSession(configuration: harness.configuration(), options: options)
        let events = EventCollector(session)
        for k in 1...3 {
            await session.send("quick \(k)")
            #expect(await events.waitFor(count: k, isTurnCompleted))
        }
        #expect(await events.completedTurns.count == 3)
        #expect(await !events.events.contains { if case .stalled = $0 { true } else { false } })
        await session.send("stop talking fc:hang")
        let stalled = await events.waitFor(timeout: .seconds(5)) { if case .stalled = $0 { true } else { false } }
        guard case .stalled(let silent, _)? = stalled else { Issue.record("no stall reported after quick turns"); return }
        #expect(silent >= .milliseconds(400))
        await session.interrupt()
        await session.terminate()
    }
}

extension AgentSessionDoubleTests {
    @Test func anInterruptTheCLIIgnoresEscalatesToSIGINTAndResumes() async throws {
        let harness = DoubleHarness()
        defer { harness.directory.remove() }
        var options = DoubleHarness.fastOptions
        options.interruptGrace = .milliseconds(300)
        let configuration = harness.configuration(extraEnvironment: ["FAKE_CLAUDE_DEAF": "1"])
        let session = AgentSession(configuration: configuration, options: options)
        let events = EventCollector(session)
        await session.send("remember pears")
        await events.settled(session)
        let sessionID = try #require(await session.snapshot.sessionID)
        await session.send("never ending fc:hang")
        _ = await events.waitFor { if case .textDelta = $0 { true } else { false } }
        #expect(await session.interrupt())
        let escalated = await events.waitFor(timeout: .seconds(5)) {
            if case .messageNotAnswered(_, .interruptEscalated) = $0 { true } else { false }
        }
        #expect(escalated != nil)
        // The CLI left on SIGINT, as Parley asked: an expected exit, then a resumed process.
        #expect(await events.waitFor { if case .processExited(_, true, _) = $0 { true } else { false } } != nil)
        #expect(await events.waitFor { if case .processStarted(_, sessionID) = $0 { true } else { false } } != nil)
        await session.send("fc:history")
        await events.settled(session)
        #expect(await events.completedTurns.last?.result.text?.contains("remember pears") == true)
        await session.terminate()
    }
}
