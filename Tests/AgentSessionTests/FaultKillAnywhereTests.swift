import AgentSession
import Foundation
import ParleyTestSupport
import StreamJSON
import Testing

import Glibc


/// Fault 1 of issue 7: SIGKILL the CLI at a random point of a multi-turn session.
///
/// `PARLEY_KILL_ITERATIONS` sets the count (default 40; 200 when `PARLEY_LONG_FAULTS=1`),
/// `PARLEY_KILL_SEED` replays a run (each iteration uses seed + index, printed on failure).
@Suite(.serialized, .timeLimit(.minutes(10))) struct FaultKillAnywhereTests {
    enum KillPlan: CustomStringConvertible {
        /// `fc:kill@point fc:once` in message `index` (the fake kills itself there).
        case directive(index: Int, point: String)
        /// SIGKILL from outside, `delayMS` after message `index` was sent.
        case external(index: Int, delayMS: Int)
        /// SIGKILL as soon as the process exists (before `system/init`).
        case beforeInit
        /// Everything is sent at once (the queue holds messages), then SIGKILL after `delayMS`.
        case whileQueued(delayMS: Int)

        var description: String {
            switch self {
            case .directive(let index, let point): "fc:kill@\(point) in message \(index)"
            case .external(let index, let delayMS): "SIGKILL \(delayMS) ms after sending message \(index)"
            case .beforeInit: "SIGKILL before init"
            case .whileQueued(let delayMS): "all sent at once, SIGKILL after \(delayMS) ms"
            }
        }
    }

    static var iterations: Int {
        let environment = ProcessInfo.processInfo.environment
        if let count = environment["PARLEY_KILL_ITERATIONS"].flatMap(Int.init) { return count }
        return environment["PARLEY_LONG_FAULTS"] == "1" ? 200 : 40
    }

    static var baseSeed: UInt64 {
        if let seed = ProcessInfo.processInfo.environment["PARLEY_KILL_SEED"].flatMap(UInt64.init) { return seed }
        return UInt64.random(in: 1...UInt64(UInt32.max))
    }

    /// Bodies a message can have: an immediate echo, a streamed reply, a tool turn, a tool
    /// that runs for a while (its `sleep` grandchild must die with the group).
    static let bodies = ["", "fc:slow=3 fc:words=40", "fc:tool", "fc:toolsleep=80", "fc:words=5"]

    @Test func sigkillAtRandomPointsLosesNothing() async throws {
        let iterations = Self.iterations
        let base = Self.baseSeed
        print("kill-anywhere: \(iterations) iterations, PARLEY_KILL_SEED=\(base)")
        let descriptorsBefore = ProcessInspector.openDescriptorCount()
        let started = ContinuousClock.now
        var failures: [String] = []
        var tally = Tally()
        for index in 0..<iterations {
            let seed = base &+ UInt64(index)
            let problems = await Self.runIteration(seed: seed, tally: &tally)
            if !problems.isEmpty {
                failures.append("seed \(seed): " + problems.joined(separator: "; "))
                if failures.count >= 5 { break }
            }
        }
        let elapsed = ContinuousClock.now - started
        print("kill-anywhere: \(iterations) iterations in \(elapsed); \(tally)")
        // The kills really cut turns: most iterations crashed, and both outcomes occurred.
        #expect(tally.crashes * 2 >= iterations, "\(tally)")
        #expect(failures.isEmpty, "replay with PARLEY_KILL_SEED=<seed> PARLEY_KILL_ITERATIONS=1:\n\(failures.joined(separator: "\n"))")
        // Descriptors: a leak of even one per iteration adds `iterations`; the slack (3/4 of
        // that, at least 24) covers suites running in parallel in the same test process.
        let slack = max(24, iterations * 3 / 4)
        #expect(await ProcessInspector.eventually { ProcessInspector.openDescriptorCount() <= descriptorsBefore + slack },
                "descriptors: \(descriptorsBefore) before, \(ProcessInspector.openDescriptorCount()) after")
    }

    /// What the iterations did, printed so a run shows the kills landed.
    struct Tally: CustomStringConvertible {
        var crashes = 0, notAnswered = 0, resent = 0, answered = 0
        var description: String {
            "\(crashes) crashes, \(answered) answered, \(notAnswered) reported not answered, \(resent) re-sent after a crash"
        }
    }

    /// One iteration; returns what went wrong (empty when all held).
    static func runIteration(seed: UInt64, tally: inout Tally) async -> [String] {
        var random = SeededGenerator(seed: seed)
        let harness = DoubleHarness()
        defer { harness.directory.remove() }
        let count = Int.random(in: 3...5, using: &random)
        var texts = (0..<count).map { "m\($0) " + bodies.randomElement(using: &random)! }
        let plan: KillPlan
        switch Int.random(in: 0..<4, using: &random) {
        case 0:
            let index = Int.random(in: 0..<count, using: &random)
            let point = ["start", "stream", "tool", "end", "after"].randomElement(using: &random)!
            var text = "m\(index) fc:kill@\(point) fc:once"
            if point == "tool" { text += " fc:tool" } else if point == "stream" { text += " fc:slow=2 fc:words=20" }
            texts[index] = text
            plan = .directive(index: index, point: point)
        case 1:
            plan = .external(index: Int.random(in: 0..<count, using: &random), delayMS: Int.random(in: 0...120, using: &random))
        case 2:
            plan = .beforeInit
        default:
            plan = .whileQueued(delayMS: Int.random(in: 0...150, using: &random))
        }
        // Between sends: nothing (the queue fills), a short pause, or wait for the turn.
        let gaps = (0..<count).map { _ in Int.random(in: 0..<3, using: &random) }
        let context = "plan: \(plan), messages: \(texts)"

        let configuration = harness.configuration(extraEnvironment: ["FAKE_CLAUDE_SPAWN_CHILD": "1"])
        let session = AgentSession(configuration: configuration, options: DoubleHarness.fastOptions)
        let events = EventCollector(session)
        var sent: [QueuedMessage] = []

        func killCurrent() async {
            if let pid = await session.snapshot.pid { kill(pid, SIGKILL) }
        }

        if case .beforeInit = plan {
            await session.start()
            await killCurrent()
        }
        for (index, text) in texts.enumerated() {
            sent.append(await session.send(text))
            if case .external(index, let delay) = plan {
                try? await Task.sleep(for: .milliseconds(delay))
                await killCurrent()
            }
            if case .whileQueued = plan { continue }
            switch gaps[index] {
            case 0: break
            case 1: try? await Task.sleep(for: .milliseconds(Int.random(in: 1...30, using: &random)))
            default: await session.waitUntilSettled()
            }
        }
        if case .whileQueued(let delay) = plan {
            try? await Task.sleep(for: .milliseconds(delay))
            await killCurrent()
        }
        await events.settled(session)
        sent.append(await session.send("final"))
        await events.settled(session)

        var problems: [String] = []
        let all = await events.events
        let phase = await session.snapshot.phase
        if phase != .idle { problems.append("phase after final message: \(phase)") }

        // Each message: answered or reported, exactly once; answers in order of sending.
        var resolutions: [(id: String, sequence: Int, answered: Bool)] = []
        for event in all {
            switch event {
            case .turnCompleted(let summary):
                resolutions.append((summary.message.id, summary.message.sequenceNumber, true))
                if summary.result.userMessageUUIDs != [summary.message.id] {
                    problems.append("result for \(summary.message.text) names \(summary.result.userMessageUUIDs)")
                }
            case .messageNotAnswered(let message, let reason):
                resolutions.append((message.id, message.sequenceNumber, false))
                if reason != .processCrashed { problems.append("\(message.text) not answered: \(reason)") }
            default:
                break
            }
        }
        for message in sent {
            let times = resolutions.filter { $0.id == message.id }.count
            if times != 1 { problems.append("“\(message.text)” resolved \(times) times") }
        }
        let order = resolutions.map(\.sequence)
        if order != order.sorted() || Set(order).count != order.count { problems.append("resolution order \(order)") }
        if resolutions.last?.answered != true || resolutions.last?.id != sent.last?.id {
            problems.append("the final message was not answered")
        }
        let completedTexts = all.compactMap { event -> String? in
            if case .turnCompleted(let summary) = event { summary.result.text } else { nil }
        }
        if completedTexts.last != "Echo: final" { problems.append("final reply \(completedTexts.last ?? "none")") }
        // A kill must have happened (except when the external SIGKILL hit between processes).
        let crashes = all.filter { if case .processExited(_, false, _) = $0 { true } else { false } }.count
        if case .directive = plan, crashes == 0 { problems.append("the directive kill did not happen") }
        if crashes > 2 { problems.append("\(crashes) crashes for one kill") }
        tally.crashes += crashes
        tally.answered += resolutions.filter(\.answered).count
        tally.notAnswered += resolutions.filter { !$0.answered }.count
        let starts = all.compactMap { if case .turnStarted(let m) = $0 { m.id } else { nil } }
        tally.resent += Set(starts).filter { id in starts.filter { $0 == id }.count > 1 }.count
        if all.contains(where: { if case .failed = $0 { true } else { false } }) { problems.append("session failed") }

        await session.terminate()
        // No zombie, nothing left running: every CLI and every tool grandchild is gone and reaped.
        let pids = await events.pids
        let grandchildren = harness.record.entries.filter { $0["event"] == "child" }.compactMap { $0["pid"]?.intValue }
        let gone = await ProcessInspector.eventually(timeout: .seconds(5)) {
            pids.allSatisfy { !Self.existsAsOurChild($0) } && grandchildren.allSatisfy { !ProcessInspector.isAlive(pid_t($0)) }
        }
        if !gone {
            problems.append("left behind: CLIs \(pids.filter { Self.existsAsOurChild($0) }), tools "
                + "\(grandchildren.filter { ProcessInspector.isAlive(pid_t($0)) })")
        }
        return problems.isEmpty ? [] : [context] + problems
    }

    /// True while `pid` is still our child in the process table (running or a zombie).
    static func existsAsOurChild(_ pid: pid_t) -> Bool {
        ProcessInspector.children().contains { $0.pid == pid }
    }
}
