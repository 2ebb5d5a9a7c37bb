import Testing
import StreamJSON
@testable import AgentSession

@Suite struct SessionStateMachineTests {
    func message(_ n: Int) -> QueuedMessage { QueuedMessage(id: "m\(n)", text: "text \(n)", sequenceNumber: n) }
    func result(_ ids: [String] = [], isError: Bool = false, cost: Double = 0.1) -> IncomingMessage {
        .result(TurnResult(subtype: "success", isError: isError, text: "ok", totalCostUSD: cost, sessionID: "s1",
                           userMessageUUIDs: ids))
    }
    func initEvent(_ id: String = "s1") -> IncomingMessage { .system(.initialized(SessionInit(sessionID: id, model: "m"))) }

    func writes(_ actions: [SessionStateMachine.Action]) -> [String] {
        actions.compactMap { if case .write(.user(let text, _)) = $0 { text } else { nil } }
    }
    func emitted(_ actions: [SessionStateMachine.Action]) -> [SessionEvent] {
        actions.compactMap { if case .emit(let event) = $0 { event } else { nil } }
    }

    /// A machine with a running process and no turn.
    func idleMachine(policy: SessionStateMachine.RecoveryPolicy = .init()) -> SessionStateMachine {
        var machine = SessionStateMachine(policy: policy)
        _ = machine.handle(.start)
        _ = machine.handle(.spawned)
        return machine
    }

    @Test func firstSendSpawnsThenWrites() {
        var machine = SessionStateMachine()
        let actions = machine.handle(.send(message(1)))
        #expect(actions == [.spawn(.initial)])
        #expect(machine.phase == .starting)
        let afterSpawn = machine.handle(.spawned)
        #expect(writes(afterSpawn) == ["text 1"])
        #expect(machine.isBusy)
    }

    @Test func sendWhileBusyQueuesAndDrainsOneAtATime() {
        var machine = idleMachine()
        #expect(writes(machine.handle(.send(message(1)))) == ["text 1"])
        let queued = machine.handle(.send(message(2)))
        #expect(writes(queued).isEmpty)
        #expect(emitted(queued) == [.messageQueued(message(2), position: 1)])
        _ = machine.handle(.send(message(3)))
        #expect(machine.queue.map(\.id) == ["m2", "m3"])
        // A result ends turn 1 and sends exactly the next message, not both.
        let afterFirst = machine.handle(.childMessage(result(["m1"])))
        #expect(writes(afterFirst) == ["text 2"])
        #expect(machine.queue.map(\.id) == ["m3"])
        #expect(writes(machine.handle(.childMessage(result(["m2"]))))  == ["text 3"])
        #expect(writes(machine.handle(.childMessage(result(["m3"])))).isEmpty)
        #expect(machine.isSettled)
        #expect(machine.completedTurns == 3)
    }

    @Test func linesAfterAResultDoNotEndTheNextTurn() {
        var machine = idleMachine()
        _ = machine.handle(.send(message(1)))
        _ = machine.handle(.childMessage(result()))
        // A stray second result while idle changes nothing.
        #expect(machine.handle(.childMessage(result())).isEmpty)
        #expect(machine.phase == .idle)
    }

    @Test func queueCanBeListedDroppedAndCleared() {
        var machine = idleMachine()
        for n in 1...4 { _ = machine.handle(.send(message(n))) }
        #expect(machine.dropQueued(at: 1)?.id == "m3")
        #expect(machine.dropQueued(at: 9) == nil)
        #expect(machine.queue.map(\.id) == ["m2", "m4"])
        #expect(machine.clearQueue().count == 2)
        #expect(writes(machine.handle(.childMessage(result()))).isEmpty)
    }

    @Test func interruptSendsAControlRequestAndTheResultSettlesIt() {
        var machine = idleMachine()
        _ = machine.handle(.send(message(1)))
        let actions = machine.handle(.interrupt)
        #expect(actions.contains { if case .write(.controlRequest(_, .interrupt)) = $0 { true } else { false } })
        #expect(actions.contains(.scheduleInterruptTimeout(messageID: "m1")))
        #expect(machine.handle(.interrupt).isEmpty)  // a second interrupt while interrupting does nothing more
        let end = machine.handle(.childMessage(.result(TurnResult(
            subtype: "error_during_execution", isError: true, terminalReason: "aborted_streaming"))))
        #expect(emitted(end).contains { if case .turnCompleted(let s) = $0 { s.result.wasInterrupted } else { false } })
        #expect(machine.phase == .idle)
        // The timeout firing later is ignored.
        #expect(machine.handle(.interruptTimedOut(messageID: "m1")).isEmpty)
    }

    @Test func interruptWhenIdleDoesNothing() {
        var machine = idleMachine()
        #expect(machine.handle(.interrupt).isEmpty)
    }

    @Test func interruptThatNeverSettlesEscalatesToSIGINTAndResume() {
        var machine = idleMachine()
        _ = machine.handle(.childMessage(initEvent("s9")))
        _ = machine.handle(.send(message(1)))
        _ = machine.handle(.send(message(2)))
        _ = machine.handle(.interrupt)
        let actions = machine.handle(.interruptTimedOut(messageID: "m1"))
        #expect(actions.contains(.signalInterrupt))
        #expect(actions.contains(.stopProcess))
        #expect(emitted(actions) == [.messageNotAnswered(message(1), reason: .interruptEscalated)])
        let exit = machine.handle(.childExited(.exited(0), stderrTail: []))
        #expect(exit.contains(.spawn(.resume(sessionID: "s9"))))
        #expect(writes(machine.handle(.spawned)) == ["text 2"])
    }

    @Test func crashMidTurnReportsTheCutMessageAndResumesAfterBackoff() {
        var machine = idleMachine()
        _ = machine.handle(.childMessage(initEvent("abc")))
        _ = machine.handle(.send(message(1)))
        _ = machine.handle(.childMessage(initEvent("abc")))  // the CLI began the turn
        _ = machine.handle(.send(message(2)))
        let crash = machine.handle(.childExited(.signaled(9), stderrTail: ["boom"]))
        #expect(emitted(crash) == [
            .processExited(status: .signaled(9), expected: false, stderrTail: ["boom"]),
            .messageNotAnswered(message(1), reason: .processCrashed),
            .restarting(attempt: 1, maxAttempts: 3, delay: .seconds(1)),
        ])
        #expect(crash.contains(.scheduleRestart(attempt: 1, after: .seconds(1))))
        #expect(machine.phase == .restarting(attempt: 1))
        // A message sent during the backoff waits in order behind the earlier one.
        _ = machine.handle(.send(message(3)))
        #expect(machine.handle(.restartTimerFired(attempt: 1)) == [.spawn(.resume(sessionID: "abc"))])
        #expect(writes(machine.handle(.spawned)) == ["text 2"])
        #expect(machine.queue.map(\.id) == ["m3"])
    }

    /// The session skips the machine for deltas it `ignores`; that must never skip the first
    /// sign that the CLI began the turn, nor anything but a content delta.
    @Test func onlyDeltasOfAnAcknowledgedTurnAreIgnored() {
        let delta = IncomingMessage.streamEvent(.contentBlockDelta(index: 0, delta: .text("hi")))
        var machine = idleMachine()
        #expect(machine.ignores(delta))
        _ = machine.handle(.send(message(1)))
        // The first line of the turn acknowledges it: not ignorable.
        #expect(!machine.ignores(delta))
        let before = machine.phase
        #expect(machine.handle(.childMessage(delta)).isEmpty)
        #expect(machine.phase != before)
        // From then on a delta changes nothing.
        #expect(machine.ignores(delta))
        let acknowledged = machine.phase
        #expect(machine.handle(.childMessage(delta)).isEmpty)
        #expect(machine.phase == acknowledged)
        #expect(!machine.ignores(result()))
        #expect(!machine.ignores(initEvent()))
        #expect(!machine.ignores(.streamEvent(.messageStop(abandoned: false))))
    }

    @Test func crashBeforeTheCLIBeganTheTurnSendsTheMessageAgain() {
        var machine = idleMachine()
        _ = machine.handle(.childMessage(initEvent("abc")))
        _ = machine.handle(.childMessage(result()))
        _ = machine.handle(.send(message(1)))
        _ = machine.handle(.send(message(2)))
        // A control answer alone does not mean the turn began.
        _ = machine.handle(.childMessage(.controlResponse(ControlResponse(requestID: "x", outcome: .success(nil)))))
        let crash = machine.handle(.childExited(.exited(1), stderrTail: []))
        #expect(emitted(crash).contains(.messageQueued(message(1), position: 1)))
        #expect(!emitted(crash).contains { if case .messageNotAnswered = $0 { true } else { false } })
        #expect(machine.queue.map(\.id) == ["m1", "m2"])
        _ = machine.handle(.restartTimerFired(attempt: 1))
        #expect(writes(machine.handle(.spawned)) == ["text 1"])
    }

    @Test func crashBeforeAnyInitStartsFresh() {
        var machine = idleMachine()
        _ = machine.handle(.send(message(1)))
        _ = machine.handle(.childExited(.exited(1), stderrTail: []))
        #expect(machine.handle(.restartTimerFired(attempt: 1)) == [.spawn(.fresh)])
    }

    @Test func backoffDoublesAndGivesUpAfterThreeCrashesInARow() {
        var machine = idleMachine()
        var delays: [Duration] = []
        for attempt in 1...3 {
            let actions = machine.handle(.childExited(.exited(1), stderrTail: []))
            for case .scheduleRestart(let n, let delay) in actions {
                #expect(n == attempt)
                delays.append(delay)
            }
            _ = machine.handle(.restartTimerFired(attempt: attempt))
            _ = machine.handle(.spawned)
        }
        #expect(delays == [.seconds(1), .seconds(2), .seconds(4)])
        let last = machine.handle(.childExited(.exited(1), stderrTail: ["bad"]))
        guard case .failed(.crashedRepeatedly(let attempts, _, let tail)) = machine.phase else {
            Issue.record("expected failed, got \(machine.phase)"); return
        }
        #expect(attempts == 4 && tail == ["bad"])
        #expect(emitted(last).contains { if case .failed = $0 { true } else { false } })
        #expect(machine.isSettled)
        // A manual restart resets the count and tries again.
        #expect(machine.handle(.restart(fresh: false)) == [.spawn(.fresh)])
        #expect(machine.consecutiveCrashes == 0)
    }

    @Test func aCompletedTurnResetsTheCrashCount() {
        var machine = idleMachine()
        _ = machine.handle(.childExited(.exited(1), stderrTail: []))
        _ = machine.handle(.restartTimerFired(attempt: 1))
        _ = machine.handle(.spawned)
        _ = machine.handle(.send(message(1)))
        _ = machine.handle(.childMessage(result()))
        #expect(machine.consecutiveCrashes == 0)
        let next = machine.handle(.childExited(.exited(1), stderrTail: []))
        #expect(next.contains(.scheduleRestart(attempt: 1, after: .seconds(1))))
    }

    @Test func userRestartKeepsTheConversationAndTheQueue() {
        var machine = idleMachine()
        _ = machine.handle(.childMessage(initEvent("keep")))
        _ = machine.handle(.send(message(1)))
        _ = machine.handle(.send(message(2)))
        let actions = machine.handle(.restart(fresh: false))
        #expect(actions.contains(.stopProcess))
        #expect(emitted(actions) == [.messageNotAnswered(message(1), reason: .restarted)])
        let exit = machine.handle(.childExited(.signaled(15), stderrTail: []))
        #expect(emitted(exit) == [.processExited(status: .signaled(15), expected: true, stderrTail: [])])
        #expect(exit.contains(.spawn(.resume(sessionID: "keep"))))
        #expect(writes(machine.handle(.spawned)) == ["text 2"])
    }

    @Test func resumeSwitchesToAnotherConversationFromAnyPhase() {
        // Idle: the process stops and the next one resumes the chosen session, not the current one.
        var machine = idleMachine()
        _ = machine.handle(.childMessage(initEvent("current")))
        #expect(machine.handle(.resume(sessionID: "chosen")) == [.stopProcess])
        #expect(machine.sessionID == "chosen")
        #expect(machine.handle(.childExited(.exited(0), stderrTail: [])).contains(.spawn(.resume(sessionID: "chosen"))))
        // Not started yet (a script's first line): the first process resumes it.
        var fresh = SessionStateMachine()
        #expect(fresh.handle(.resume(sessionID: "chosen")) == [.spawn(.resume(sessionID: "chosen"))])
        #expect(fresh.restartCount == 0)
    }

    @Test func freshRestartForgetsTheSession() {
        var machine = idleMachine()
        _ = machine.handle(.childMessage(initEvent("old")))
        _ = machine.handle(.restart(fresh: true))
        #expect(machine.sessionID == nil)
        #expect(machine.handle(.childExited(.exited(0), stderrTail: [])).contains(.spawn(.fresh)))
    }

    @Test func clearFollowsTheNewSessionIDFromTheNextInit() {
        var machine = idleMachine()
        _ = machine.handle(.childMessage(initEvent("first")))
        // The reset's own id is not the session id; the init after it is.
        _ = machine.handle(.childMessage(.conversationReset(newSessionID: "reset-id")))
        #expect(machine.sessionID == "first")
        _ = machine.handle(.childMessage(initEvent("second")))
        #expect(machine.sessionID == "second")
        _ = machine.handle(.childExited(.signaled(9), stderrTail: []))
        #expect(machine.handle(.restartTimerFired(attempt: 1)) == [.spawn(.resume(sessionID: "second"))])
    }

    @Test func terminateReportsEverythingUnanswered() {
        var machine = idleMachine()
        _ = machine.handle(.send(message(1)))
        _ = machine.handle(.send(message(2)))
        let stop = machine.handle(.terminate)
        #expect(stop.contains(.stopProcess))
        #expect(emitted(stop) == [.messageNotAnswered(message(1), reason: .sessionClosed)])
        let exit = machine.handle(.childExited(.exited(0), stderrTail: []))
        #expect(emitted(exit) == [
            .processExited(status: .exited(0), expected: true, stderrTail: []),
            .messageNotAnswered(message(2), reason: .sessionClosed),
            .closed,
        ])
        #expect(machine.phase == .closed)
        #expect(emitted(machine.handle(.send(message(3)))) == [.messageNotAnswered(message(3), reason: .sessionClosed)])
    }

    @Test func exitZeroMidTurnIsACrashToo() {
        var machine = idleMachine()
        _ = machine.handle(.send(message(1)))
        _ = machine.handle(.childMessage(initEvent()))
        let actions = machine.handle(.childExited(.exited(0), stderrTail: []))
        #expect(emitted(actions).contains(.processExited(status: .exited(0), expected: false, stderrTail: [])))
        #expect(emitted(actions).contains(.messageNotAnswered(message(1), reason: .processCrashed)))
    }

    @Test func missingBinaryFailsWithoutRetrying() {
        var machine = SessionStateMachine()
        _ = machine.handle(.send(message(1)))
        let actions = machine.handle(.spawnFailed(.claudeNotFound(searched: "PATH")))
        // Said once; what waited is reported instead of waiting forever (issue 12, point 3).
        #expect(emitted(actions) == [.failed(.claudeNotFound(searched: "PATH")),
                                     .messageNotAnswered(message(1), reason: .sessionFailed)])
        #expect(!actions.contains { if case .scheduleRestart = $0 { true } else { false } })
        #expect(machine.queue.isEmpty)
        #expect(machine.isSettled)
    }

    @Test func aFailedSessionRefusesMessagesUntilARestart() {
        var machine = SessionStateMachine()
        _ = machine.handle(.start)
        _ = machine.handle(.spawnFailed(.claudeNotFound(searched: "PATH")))
        #expect(emitted(machine.handle(.send(message(2)))) == [.messageNotAnswered(message(2), reason: .sessionFailed)])
        #expect(machine.queue.isEmpty && machine.isSettled)
        #expect(machine.handle(.restart(fresh: false)) == [.spawn(.fresh)])
        _ = machine.handle(.spawned)
        #expect(writes(machine.handle(.send(message(3)))) == ["text 3"])
    }

    @Test func repeatedCrashesReportTheQueueWhenTheSessionFails() {
        var machine = idleMachine(policy: .init(delays: [.zero], maxAttempts: 1))
        _ = machine.handle(.send(message(1)))
        _ = machine.handle(.send(message(2)))
        _ = machine.handle(.childExited(.exited(1), stderrTail: []))
        _ = machine.handle(.restartTimerFired(attempt: 1))
        _ = machine.handle(.spawned)
        let actions = machine.handle(.childExited(.exited(1), stderrTail: []))
        #expect(emitted(actions).contains(.messageNotAnswered(message(2), reason: .sessionFailed)))
        #expect(machine.queue.isEmpty && machine.isSettled)
    }

    // MARK: Stalls and an unanswered initialize (scripted use)

    @Test func aStalledTurnIsInterruptedAndNotAnswered() {
        var machine = idleMachine()
        _ = machine.handle(.send(message(1)))
        let actions = machine.handle(.stallTimedOut(messageID: "m1"))
        #expect(actions.contains(.scheduleInterruptTimeout(messageID: "m1")))
        #expect(actions.contains { if case .write(.controlRequest(_, .interrupt)) = $0 { true } else { false } })
        // The CLI ends the turn on the interrupt: the message still counts as not answered.
        let ended = emitted(machine.handle(.childMessage(result(["m1"]))))
        #expect(ended.contains { if case .turnCompleted = $0 { true } else { false } })
        #expect(ended.contains(.messageNotAnswered(message(1), reason: .stalled)))
        #expect(machine.phase == .idle)
    }

    @Test func aStalledTurnWhoseInterruptHangsIsStoppedAndResumed() {
        var machine = idleMachine()
        _ = machine.handle(.childMessage(initEvent()))
        _ = machine.handle(.send(message(1)))
        _ = machine.handle(.stallTimedOut(messageID: "m1"))
        let actions = machine.handle(.interruptTimedOut(messageID: "m1"))
        #expect(actions.contains(.signalInterrupt) && actions.contains(.stopProcess))
        #expect(emitted(actions) == [.messageNotAnswered(message(1), reason: .stalled)])
        #expect(machine.phase == .stopping(then: .start(.resume(sessionID: "s1"))))
    }

    @Test func aStallOfAnotherTurnChangesNothing() {
        var machine = idleMachine()
        _ = machine.handle(.send(message(1)))
        #expect(machine.handle(.stallTimedOut(messageID: "m0")).isEmpty)
        #expect(machine.isBusy)
    }

    @Test func anUnansweredInitializeStopsTheProcessAndFailsTheSession() {
        var machine = idleMachine()
        _ = machine.handle(.send(message(1)))
        _ = machine.handle(.send(message(2)))
        let actions = machine.handle(.initializeTimedOut(after: .seconds(5)))
        #expect(actions.first == .stopProcess)
        #expect(emitted(actions) == [.messageNotAnswered(message(1), reason: .sessionFailed)])
        let exited = emitted(machine.handle(.childExited(.signaled(15), stderrTail: [])))
        #expect(exited.contains(.failed(.initializeTimedOut(after: .seconds(5)))))
        #expect(exited.contains(.messageNotAnswered(message(2), reason: .sessionFailed)))
        #expect(machine.phase == .failed(.initializeTimedOut(after: .seconds(5))) && machine.isSettled)
    }

    // MARK: Turn boundaries (issue 12, point 5)

    @Test func aResultForAnotherMessageDoesNotEndTheTurn() {
        var machine = idleMachine()
        _ = machine.handle(.send(message(1)))
        _ = machine.handle(.send(message(2)))
        let stray = emitted(machine.handle(.childMessage(result(["m9"]))))
        #expect(stray == [.status(.unmatchedResult(expected: message(1), resultFor: ["m9"]))])
        #expect(machine.currentMessage == message(1))
        #expect(machine.queue == [message(2)])
        // Its own result ends it, and the next message goes out.
        let own = machine.handle(.childMessage(result(["m1"])))
        #expect(emitted(own).contains { if case .turnCompleted(let summary) = $0 { summary.message == message(1) } else { false } })
        #expect(writes(own) == ["text 2"])
        #expect(machine.completedTurns == 1)
    }

    @Test func aResultWithoutUUIDsStillEndsTheTurn() {
        var machine = idleMachine()
        _ = machine.handle(.send(message(1)))
        #expect(emitted(machine.handle(.childMessage(result()))).contains { if case .turnCompleted = $0 { true } else { false } })
    }

    // MARK: Model and permission mode (one source of truth)

    @Test func modelAndPermissionModeFollowTheConfigurationThenTheCLI() {
        var machine = SessionStateMachine(model: "sonnet", permissionMode: "plan")
        #expect(machine.model == "sonnet" && machine.permissionMode == "plan")
        _ = machine.handle(.childMessage(.system(.initialized(SessionInit(sessionID: "s", model: "claude-x", permissionMode: "default")))))
        #expect(machine.model == "claude-x" && machine.permissionMode == "default")
        _ = machine.handle(.modelChanged("opus"))
        _ = machine.handle(.permissionModeChanged("acceptEdits"))
        #expect(machine.model == "opus" && machine.permissionMode == "acceptEdits")
    }
}
