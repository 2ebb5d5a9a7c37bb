import AgentSession
import Foundation
import ParleyTestSupport
import StreamJSON
import Testing

import Glibc

/// Faults 3 and 4 of issue 7 at the engine: junk and huge lines on stdout, floods on stderr.
@Suite(.serialized, .timeLimit(.minutes(5))) struct FaultInputTests {
    private func run(_ text: String, options: SessionOptions = DoubleHarness.fastOptions,
                     check: (EventCollector, DoubleHarness) async throws -> Void) async throws {
        let harness = DoubleHarness()
        defer { harness.directory.remove() }
        let session = AgentSession(configuration: harness.configuration(), options: options)
        let events = EventCollector(session)
        await session.send(text)
        await events.settled(session)
        try await check(events, harness)
        // Usable afterwards, on the same process.
        await session.send("after")
        await events.settled(session)
        #expect(await events.completedTurns.last?.result.text == "Echo: after")
        #expect(await events.pids.count == 1)
        await session.terminate()
    }

    private static func junk(_ events: EventCollector) async -> [UndecodableLine] {
        await events.events.compactMap { if case .undecodableLine(let line) = $0 { line } else { nil } }
    }

    @Test func aSixtyFourMegabyteLineIsFramed() async throws {
        try await run("big fc:huge=64") { events, _ in
            let longest = await events.events.compactMap { event -> Int? in
                if case .textDelta(let text) = event { return text.utf8.count }
                return nil
            }.max() ?? 0
            #expect(longest >= 64 << 20)
            let turn = try #require(await events.completedTurns.first)
            #expect(turn.result.text?.utf8.count ?? 0 >= 64 << 20)
            #expect(turn.result.text?.hasPrefix("Echo: 0123456789abcdef") == true)
            #expect(await Self.junk(events).isEmpty)
        }
    }

    @Test func junkOfEveryKindIsReportedAndTheTurnCompletes() async throws {
        try await run("junk fc:garbage fc:words=30") { events, _ in
            let junk = await Self.junk(events)
            // Plain text, ANSI escapes, invalid UTF-8 and truncated JSON are all reported.
            #expect(junk.count >= 4, "\(junk)")
            #expect(junk.contains { $0.text.contains("\u{1b}[") || $0.text.contains("[3") })
            let turn = try #require(await events.completedTurns.first)
            #expect(!turn.result.isError)
            #expect(await events.streamedText == turn.result.text)
        }
    }

    @Test func junkWrittenOneByteAtATimeIsFramedTheSame() async throws {
        try await run("junk fc:garbage fc:bytewise") { events, _ in
            #expect(await Self.junk(events).count >= 4)
            #expect(await events.completedTurns.first?.result.text == "Echo: junk fc:garbage fc:bytewise")
        }
    }

    @Test func aTurnWrittenOneByteAtATimeIsIdentical() async throws {
        try await run("split fc:bytewise fc:tool fc:words=40") { events, _ in
            let turn = try #require(await events.completedTurns.first)
            #expect(turn.result.numberOfTurns == 2)
            #expect(turn.result.text?.hasPrefix("lorem ipsum dolor") == true)
            // Every delta arrived: the streamed text is the tool round's sentence plus the reply.
            #expect(await events.streamedText.hasSuffix(turn.result.text ?? "-"))
            #expect(await events.events.contains { if case .toolResult(let r) = $0 { !r.isError } else { false } })
            #expect(await Self.junk(events).isEmpty)
        }
    }

    @Test func tenThousandTinyLinesPerSecond() async throws {
        try await run("tiny fc:tinylines=10000 fc:tinyrate=10000") { events, _ in
            let turn = try #require(await events.completedTurns.first)
            #expect(turn.result.text == "Echo: tiny fc:tinylines=10000 fc:tinyrate=10000")
            // The unknown line type is skipped silently: not junk.
            #expect(await Self.junk(events).isEmpty)
            // Paced at 10,000/s the lines take about a second; Parley keeps up.
            #expect(turn.elapsed >= .milliseconds(900))
            let scale = ProcessInfo.processInfo.environment["PARLEY_FAULT_TIME_SCALE"].flatMap(Double.init) ?? 1
            #expect(turn.elapsed < .seconds(10 * scale), "elapsed \(turn.elapsed)")
        }
    }

    @Test func aHundredMegabytesOfStderrWhileStdoutStreams() async throws {
        let started = ContinuousClock.now
        try await run("flood fc:stderr=100 fc:words=300") { events, _ in
            let turn = try #require(await events.completedTurns.first)
            #expect(!turn.result.isError)
            #expect(turn.result.text?.split(whereSeparator: \.isWhitespace).count == 300)
            #expect(await events.streamedText == turn.result.text)
        }
        print("100 MB stderr flood turn: \(ContinuousClock.now - started)")
    }

    @Test func theStderrTailOfAProcessThatDiesAfterAFloodIsKeptAndBounded() async throws {
        let harness = DoubleHarness()
        defer { harness.directory.remove() }
        let session = AgentSession(configuration: harness.configuration(), options: DoubleHarness.fastOptions)
        let events = EventCollector(session)
        await session.send("die fc:stderr=5 fc:crash=3@end fc:words=100")
        await events.settled(session)
        let all = await events.events
        let tail = try #require(all.compactMap { event -> [String]? in
            if case .processExited(_, false, let tail) = event { tail } else { nil }
        }.first)
        #expect(all.contains(.processExited(status: .exited(3), expected: false, stderrTail: tail)))
        #expect(!tail.isEmpty)
        #expect(tail.count <= 20)
        #expect(tail.allSatisfy { $0.count <= 301 })
        #expect(tail.joined(separator: "\n").utf8.count <= 8192)
        #expect(tail.last?.hasPrefix("fake-claude stderr flood line") == true, "\(tail.suffix(2))")
        #expect(await events.events.contains {
            if case .messageNotAnswered(let m, .processCrashed) = $0 { m.text.hasPrefix("die") } else { false }
        })
        await session.send("after")
        await events.settled(session)
        #expect(await events.completedTurns.last?.result.text == "Echo: after")
        await session.terminate()
    }
}
