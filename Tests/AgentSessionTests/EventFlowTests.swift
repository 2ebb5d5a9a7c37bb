import AgentSession
import Foundation
import ParleyTestSupport
import Testing

/// Back-pressure from the consumer of `events` (``EventFlowGate``): a reply faster than its
/// consumer waits in the CLI's pipe, not in Parley's memory.
@Suite(.timeLimit(.minutes(1))) struct EventFlowTests {
    /// A long reply streamed as fast as the double can write (≈ 20,000 delta lines).
    static let longReply = "tell me fc:words=30000 fc:slow=0"

    /// Takes events from `iterator` until `stop` says so; returns them.
    static func take(
        _ iterator: inout AsyncStream<SessionEvent>.Iterator, flow: EventFlowGate?,
        until stop: (SessionEvent) -> Bool
    ) async -> [SessionEvent] {
        var taken: [SessionEvent] = []
        while let event = await iterator.next() {
            taken.append(event)
            flow?.consumed()
            if stop(event) { break }
        }
        return taken
    }

    /// A session on the double with a flow gate of `limit` events, already sent the long reply.
    static func gatedSession(_ harness: DoubleHarness, limit: Int) async throws -> (AgentSession, EventFlowGate) {
        var options = DoubleHarness.fastOptions
        options.eventBacklog = limit
        let session = AgentSession(configuration: harness.configuration(), options: options)
        let flow = try #require(session.eventFlow)
        await session.send(longReply)
        return (session, flow)
    }

    static func backlogWhilePaused(_ session: AgentSession, flow: EventFlowGate?) async -> (Int, [SessionEvent]) {
        var iterator = session.events.makeAsyncIterator()
        var seen = await take(&iterator, flow: flow) { if case .textDelta = $0 { true } else { false } }
        // The consumer stops for a while; the double keeps writing as fast as it can.
        try? await Task.sleep(for: .milliseconds(500))
        let emitted = await session.emittedEventCount
        let backlog = emitted - seen.count
        if let flow { #expect(flow.backlog == backlog) }
        seen += await take(&iterator, flow: flow, until: isTurnCompleted)
        return (backlog, seen)
    }

    @Test func aPausedConsumerHoldsTheProcessBack() async throws {
        let harness = DoubleHarness()
        defer { harness.directory.remove() }
        let (session, flow) = try await Self.gatedSession(harness, limit: 4)
        let (backlog, seen) = await Self.backlogWhilePaused(session, flow: flow)
        // At most the limit, plus what one stdout chunk produces (text, then a few others).
        #expect(backlog <= flow.limit + 4, "backlog \(backlog) while the consumer paused")
        // Nothing was lost or reordered on the way.
        let streamed = seen.compactMap { if case .textDelta(let text) = $0 { text } else { nil } }.joined()
        let final = seen.compactMap { if case .assistantText(let text, _, _) = $0 { text } else { nil } }.last
        #expect(streamed.count > 150_000)
        #expect(streamed == final)
        #expect(seen.contains(where: isTurnCompleted))
        #expect(flow.backlog <= flow.limit)
        await session.terminate()
    }

    /// The same consumer without a gate: the session reads the whole reply while it waits
    /// (what the gate prevents), so the check above can fail.
    @Test func withoutAGateTheSessionRunsAhead() async throws {
        let harness = DoubleHarness()
        defer { harness.directory.remove() }
        let session = AgentSession(configuration: harness.configuration(), options: DoubleHarness.fastOptions)
        #expect(session.eventFlow == nil)
        await session.send(Self.longReply)
        let (backlog, seen) = await Self.backlogWhilePaused(session, flow: nil)
        #expect(backlog > 20, "backlog \(backlog)")
        #expect(seen.contains(where: isTurnCompleted))
        await session.terminate()
    }

    /// Terminating while the consumer is behind does not wait for it.
    @Test func terminateWhileTheConsumerIsBehindDoesNotHang() async throws {
        let harness = DoubleHarness()
        defer { harness.directory.remove() }
        let (session, flow) = try await Self.gatedSession(harness, limit: 2)
        var iterator = session.events.makeAsyncIterator()
        _ = await Self.take(&iterator, flow: flow) { if case .textDelta = $0 { true } else { false } }
        // Nobody consumes from here on: the session is held back with a full backlog.
        try await Task.sleep(for: .milliseconds(300))
        #expect(flow.backlog >= flow.limit)
        let clock = ContinuousClock()
        let began = clock.now
        await session.terminate()
        // The teardown's own steps (stdin closed, 2 s grace, SIGTERM, 2 s) and a margin for a
        // loaded machine; waiting for the consumer would never end.
        #expect(clock.now - began < .seconds(8))
    }

    /// An interrupt's answer must not wait behind a consumer that is behind: the gate is
    /// bypassed while interrupting, so the turn ends by the CLI's own result (no escalation to
    /// SIGINT and a restart) even though nobody consumes meanwhile.
    @Test func anInterruptIsAnsweredWhileTheConsumerIsBehind() async throws {
        var options = DoubleHarness.fastOptions
        options.eventBacklog = 2
        // A long grace, so that a loaded machine's slowness cannot pass for escalation.
        options.interruptGrace = .seconds(10)
        try await withDoubleSession(options: options) { session, _ in
            let flow = try #require(session.eventFlow)
            await session.send(Self.longReply)
            var iterator = session.events.makeAsyncIterator()
            var seen = await Self.take(&iterator, flow: flow) { if case .textDelta = $0 { true } else { false } }
            try await Task.sleep(for: .milliseconds(300))
            #expect(flow.isHolding)
            await session.interrupt()
            // Settled (the interrupt's result was read) with nobody consuming, well before the
            // interrupt grace (10 s) would escalate: without the bypass this stays false.
            #expect(await settles(session, within: .seconds(5)), "the interrupt's result waited for the consumer")
            #expect(flow.backlog > flow.limit, "the consumer caught up, so the bypass was not needed")
            seen += await Self.take(&iterator, flow: flow, until: isTurnCompleted)
            #expect(!seen.contains { if case .messageNotAnswered = $0 { true } else { false } })
            #expect(!seen.contains { if case .processExited = $0 { true } else { false } })
            #expect(await session.snapshot.restarts == 0)
            let turn = seen.compactMap { if case .turnCompleted(let summary) = $0 { summary } else { nil } }.first
            #expect(turn?.result.wasInterrupted == true)
        }
    }
}
