import AgentSession
import Foundation
import ParleyTestSupport
import Locking
import Testing

/// A clock that moves only when told: timers of a session on it fire without waiting.
final class ManualClock: Clock, Sendable {
    struct Instant: InstantProtocol {
        var offset: Duration
        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private struct Sleeper {
        let deadline: Instant
        let continuation: CheckedContinuation<Void, Never>
    }

    private let state = Locked<(now: Instant, sleepers: [Sleeper], stopped: Bool)>((Instant(offset: .zero), [], false))

    var now: Instant { state.withLock { $0.now } }
    var minimumResolution: Duration { .zero }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let due = state.withLock { state -> Bool in
                if state.stopped || deadline <= state.now { return true }
                state.sleepers.append(Sleeper(deadline: deadline, continuation: continuation))
                return false
            }
            if due { continuation.resume() }
        }
    }

    /// Wakes every sleeper and lets every later sleep return at once: a test calls it when done,
    /// so that no timer task of the session stays suspended on this clock (each holds the clock,
    /// which holds its continuation: a cycle LeakSanitizer reports at exit).
    func stop() {
        let all = state.withLock { state -> [Sleeper] in
            state.stopped = true
            defer { state.sleepers.removeAll() }
            return state.sleepers
        }
        for sleeper in all { sleeper.continuation.resume() }
    }

    /// Moves time on and wakes every sleeper whose deadline has come.
    func advance(by duration: Duration) {
        let due = state.withLock { state -> [Sleeper] in
            state.now = state.now.advanced(by: duration)
            let now = state.now
            let due = state.sleepers.filter { $0.deadline <= now }
            state.sleepers.removeAll { $0.deadline <= now }
            return due
        }
        for sleeper in due { sleeper.continuation.resume() }
    }
}

/// The session's timers on an injected clock: a stall of "two minutes" is found, and (in
/// scripted use) the turn stopped, without the test waiting two minutes.
@Suite(.timeLimit(.minutes(1))) struct ManualClockTests {
    @Test func aStalledTurnIsStoppedOnTheInjectedClock() async throws {
        let clock = ManualClock()
        defer { clock.stop() }
        var options = DoubleHarness.fastOptions
        options.stallTimeout = .seconds(120)
        options.stallAction = .interrupt
        options.interruptGrace = .seconds(5)
        options.clock = clock
        try await withDoubleSession(options: options) { session, _ in
            let events = EventCollector(session)
            let began = ContinuousClock.now
            await session.send("hang fc:hang")
            #expect(await events.waitFor { if case .textDelta = $0 { true } else { false } } != nil)
            // Simulated time in steps of the check interval (30 s), until the stall is seen (two
            // minutes, plus a step or two when a check ran late on a loaded machine).
            var stalled: SessionEvent?
            for _ in 0..<40 where stalled == nil {
                clock.advance(by: .seconds(30))
                try await Task.sleep(for: .milliseconds(20))
                stalled = await events.events.first { if case .stalled = $0 { true } else { false } }
            }
            guard case .stalled(let silentFor, _)? = stalled else {
                let all = await events.events
                Issue.record("no stall reported after \(ContinuousClock.now - began): \(all)")
                return
            }
            #expect(silentFor >= .seconds(120))
            // The double honours the interrupt: the turn ends, and counts as not answered.
            let unanswered = await events.waitFor(timeout: .seconds(5)) {
                if case .messageNotAnswered(_, .stalled) = $0 { true } else { false }
            }
            let all = await events.events
            #expect(unanswered != nil, "events: \(all)")
            #expect(ContinuousClock.now - began < .seconds(30))
        }
    }

    /// Interactive use (`.warn`): the stall is only reported; the turn goes on until the user
    /// interrupts it, which still works.
    @Test func withWarnAStallIsOnlyReported() async throws {
        let clock = ManualClock()
        defer { clock.stop() }
        var options = DoubleHarness.fastOptions
        options.stallTimeout = .seconds(120)
        options.stallAction = .warn
        options.clock = clock
        try await withDoubleSession(options: options) { session, _ in
            let events = EventCollector(session)
            await session.send("hang fc:hang")
            #expect(await events.waitFor { if case .textDelta = $0 { true } else { false } } != nil)
            var stalled = false
            for _ in 0..<40 where !stalled {
                clock.advance(by: .seconds(30))
                try await Task.sleep(for: .milliseconds(20))
                stalled = await events.events.contains { if case .stalled = $0 { true } else { false } }
            }
            #expect(stalled)
            // Ten more simulated minutes: still running, nothing reported as not answered.
            for _ in 0..<20 {
                clock.advance(by: .seconds(30))
                try await Task.sleep(for: .milliseconds(5))
            }
            #expect(await session.snapshot.phase.isBusyForTest)
            #expect(!(await events.events.contains { if case .messageNotAnswered = $0 { true } else { false } }))
            #expect(await session.interrupt())
            let ended = await events.waitFor(timeout: .seconds(10)) { if case .turnCompleted = $0 { true } else { false } }
            guard case .turnCompleted(let summary)? = ended else { Issue.record("the interrupt did not end the turn"); return }
            #expect(summary.result.wasInterrupted)
        }
    }
}

extension SessionStateMachine.Phase {
    var isBusyForTest: Bool {
        if case .busy = self { return true }
        return false
    }
}
