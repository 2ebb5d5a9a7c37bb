import AgentSession
import Foundation
import StreamJSON

#if canImport(Glibc)
import Glibc
#endif

/// (2) Engine overhead: sequential turns through `AgentSession` against `fake-claude` (which
/// answers at once) versus a minimal driver of the same double that writes a line and scans
/// stdout bytes for the `result` line, without decoding anything.
enum EngineBench {
    struct Sample {
        var wallPerTurn: Double
        var cpuPerTurn: Double
    }

    static func run(_ bins: Binaries, turns: Int, rounds: Int) -> [Row] {
        let dir = TempDir("parley-bench-engine")
        defer { dir.remove() }
        let env = hermeticEnvironment(dir)
        var engine: [Sample] = [], driver: [Sample] = []
        // Warm up both paths (page cache, dyld, the double's first turn).
        _ = driverRun(bins, env: env, cwd: dir.path, turns: 50)
        _ = engineRun(bins, env: env, cwd: dir.path, turns: 50)
        for _ in 0..<rounds {
            if let s = driverRun(bins, env: env, cwd: dir.path, turns: turns) { driver.append(s) }
            if let s = engineRun(bins, env: env, cwd: dir.path, turns: turns) { engine.append(s) }
        }
        let ew = median(engine.map(\.wallPerTurn)), dw = median(driver.map(\.wallPerTurn))
        let ec = median(engine.map(\.cpuPerTurn)), dc = median(driver.map(\.cpuPerTurn))
        let added = ew - dw
        return [
            Row(id: "2", name: "engine turn, fake-claude (wall)",
                figure: "\(fmtDuration(ew))/turn (\(fmt(1 / ew, 0)) turns/s)",
                target: "added < 100 µs",
                baseline: "driver \(fmtDuration(dw))/turn (\(fmt(1 / dw, 0))/s); added \(fmtDuration(added)) (×\(fmt(ew / dw, 2)))",
                met: added < 100e-6,
                method: "AgentSession.send + wait for .turnCompleted, \(turns) turns × \(rounds) rounds (median) vs driver: write line, scan bytes for \"type\":\"result\""),
            Row(id: "2", name: "engine turn, host CPU",
                figure: "\(fmtDuration(ec))/turn",
                target: "added < 100 µs",
                baseline: "driver \(fmtDuration(dc))/turn; added \(fmtDuration(ec - dc))",
                met: ec - dc < 100e-6,
                method: "getrusage(RUSAGE_SELF) of the benchmark process over the same runs (all threads)"),
        ]
    }

    static func driverRun(_ bins: Binaries, env: [String: String], cwd: String, turns: Int) -> Sample? {
        guard let child = Child.spawn(bins.fakeClaude, streamJSONArguments, environment: env, cwd: cwd) else { return nil }
        defer { child.closeInput(); child.wait(); child.closeAll() }
        let reader = Reader(child.output)
        // One turn first so that process start is not measured.
        child.write(userLine("warm"))
        while let line = reader.line(timeout: 10), !isResultLine(line) {}
        let lines = (0..<turns).map { Array(userLine("turn \($0)").utf8) }
        let cpu0 = processCPUSeconds(), t0 = monotonicSeconds()
        for line in lines {
            child.write(line)
            while true {
                guard let out = reader.line(timeout: 10) else { return nil }
                if isResultLine(out) { break }
            }
        }
        let t1 = monotonicSeconds(), cpu1 = processCPUSeconds()
        return Sample(wallPerTurn: (t1 - t0) / Double(turns), cpuPerTurn: (cpu1 - cpu0) / Double(turns))
    }

    static func engineRun(_ bins: Binaries, env: [String: String], cwd: String, turns: Int) -> Sample? {
        let box = ResultBox<Sample>()
        let semaphore = DispatchSemaphore(value: 0)
        Task.detached {
            box.value = await engineRunAsync(bins, env: env, cwd: cwd, turns: turns)
            semaphore.signal()
        }
        semaphore.wait()
        return box.value
    }

    static func engineRunAsync(_ bins: Binaries, env: [String: String], cwd: String, turns: Int) async -> Sample? {
        let configuration = LaunchConfiguration(claudePath: bins.fakeClaude, workingDirectory: cwd, baseEnvironment: env)
        let session = AgentSession(configuration: configuration)
        var events = session.events.makeAsyncIterator()
        func untilTurnEnds() async -> Bool {
            while let event = await events.next() {
                switch event {
                case .turnCompleted: return true
                case .messageNotAnswered, .failed, .closed: return false
                default: continue
                }
            }
            return false
        }
        await session.send("warm")
        guard await untilTurnEnds() else { return nil }
        let cpu0 = processCPUSeconds(), t0 = monotonicSeconds()
        for i in 0..<turns {
            await session.send("turn \(i)")
            guard await untilTurnEnds() else { return nil }
        }
        let t1 = monotonicSeconds(), cpu1 = processCPUSeconds()
        await session.terminate()
        while await events.next() != nil {}
        return Sample(wallPerTurn: (t1 - t0) / Double(turns), cpuPerTurn: (cpu1 - cpu0) / Double(turns))
    }
}

final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}
