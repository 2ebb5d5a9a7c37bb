import Foundation
import StreamJSON

import Glibc

/// parley in a pseudo-terminal: startup (4), keystroke to subprocess (5), idle CPU (6).
enum TerminalBenches {
    /// (4) Launch → prompt on the pty, and the CLI's own start measured separately.
    static func startup(_ bins: Binaries, realClaude: String?, rounds: Int) -> [Row] {
        let dir = TempDir("parley-bench-start")
        defer { dir.remove() }
        var rows: [Row] = []
        let api = realClaude != nil ? FakeAPI(binary: bins.fakeMessagesAPI, dir: dir) : nil
        defer { api?.stop() }
        let claude = (api != nil ? realClaude : nil) ?? bins.fakeClaude
        let claudeName = claude == bins.fakeClaude ? "fake-claude" : "real claude"
        let env = hermeticEnvironment(dir, (api.map { fakeAPIEnvironment(port: $0.port) } ?? [:]).merging(["TERM": "xterm-256color"]) { $1 })
        let work = dir.makeDirectory("work")

        var prompt: [Double] = []
        var typed: [Double] = []
        for _ in 0..<(rounds + 1) {
            let start = monotonicSeconds()
            guard let child = Child.spawnInPTY(bins.parley, ["--claude", claude], environment: env, cwd: work) else { continue }
            let reader = Reader(child.output)
            if reader.waitFor("›", timeout: 20) {
                prompt.append(monotonicSeconds() - start)
                // Typing works at once: the echo of a key comes back while claude is still starting.
                let keyAt = monotonicSeconds()
                child.write("x")
                if reader.waitFor("x", timeout: 5) { typed.append(monotonicSeconds() - keyAt) }
            }
            child.write("\u{15}\u{04}")  // Ctrl-U, Ctrl-D
            _ = reader.waitFor("\u{0}", timeout: 0.2)
            child.kill9()
            child.closeAll()
        }
        if !prompt.isEmpty { prompt.removeFirst() }  // the first launch warms the page cache
        if !typed.isEmpty { typed.removeFirst() }
        let launch = median(prompt)

        // `parley --version`: process start and Swift runtime only.
        let version = median((0..<rounds).map { _ -> Double in
            let start = monotonicSeconds()
            guard let child = Child.spawn(bins.parley, ["--version"], environment: env, stdin: .null, stdout: .null) else { return .nan }
            child.wait()
            return monotonicSeconds() - start
        })
        rows.append(Row(id: "4", name: "startup: launch → usable prompt (pty)",
                        figure: fmtDuration(launch), target: "< 50 ms",
                        baseline: "parley --version \(fmtDuration(version)); keystroke echo right after \(fmtDuration(median(typed)))",
                        met: launch < 0.05,
                        method: "posix_spawn parley --claude <\(claudeName)> in a new pty → \"›\" read on the master; median of \(rounds) after one warm-up launch"))

        // The subprocess on its own: spawn → answer to `initialize`.
        for (name, path, extraEnv) in [("real claude", realClaude, api.map { fakeAPIEnvironment(port: $0.port) }),
                                       ("fake-claude", bins.fakeClaude, [:])] {
            guard let path, let extraEnv else { continue }
            let childEnv = hermeticEnvironment(dir, extraEnv)
            let times = (0..<(rounds + 1)).map { _ -> Double in
                let start = monotonicSeconds()
                guard let child = Child.spawn(path, streamJSONArguments, environment: childEnv, cwd: work) else { return .nan }
                defer { child.kill9(); child.closeAll() }
                child.write("{\"request\":{\"hooks\":null,\"subtype\":\"initialize\"},\"request_id\":\"b1\",\"type\":\"control_request\"}\n")
                let reader = Reader(child.output)
                while let line = reader.line(timeout: 30) {
                    if Reader.contains(line, Array("control_response".utf8)) { return monotonicSeconds() - start }
                }
                return .nan
            }
            rows.append(Row(id: "4", name: "subprocess start (\(name)): spawn → initialize answered",
                            figure: fmtDuration(median(Array(times.dropFirst()))), target: "(reported separately)",
                            baseline: "", met: nil,
                            method: "posix_spawn \(name) \(streamJSONArguments.joined(separator: " ")), write initialize, read until control_response; median of \(rounds)"))
        }
        return rows
    }

    /// (5) Enter → line in the double's stdin, and (6) idle CPU afterwards, on one parley.
    static func keystrokeAndIdle(_ bins: Binaries, keystrokes: Int, idleSeconds: Double, runKeys: Bool, runIdle: Bool) -> [Row] {
        let dir = TempDir("parley-bench-keys")
        defer { dir.remove() }
        let record = dir.file("record.jsonl")
        let env = hermeticEnvironment(dir, ["FAKE_CLAUDE_RECORD": record, "TERM": "xterm-256color"])
        guard let child = Child.spawnInPTY(bins.parley, ["--claude", bins.fakeClaude], environment: env, cwd: dir.path) else {
            return [Row(id: "5", name: "keystroke", figure: "failed to start parley", target: "", baseline: "", met: false, method: "")]
        }
        defer { child.kill9(); child.closeAll() }
        let reader = Reader(child.output)
        guard reader.waitFor("›", timeout: 20), waitForRecord(record, containing: "initialize", timeout: 20) != nil else {
            return [Row(id: "5", name: "keystroke", figure: "no prompt / double not up", target: "", baseline: "", met: false, method: "")]
        }
        var rows: [Row] = []
        // One turn first: the double and Parley's paths are warm.
        child.write("warm\r")
        _ = reader.waitFor("out tokens", timeout: 20)
        var latencies: [Double] = []
        if runKeys {
            for k in 0..<keystrokes {
                let text = "ping-\(k)-\(UInt32.random(in: 0...UInt32.max))"
                child.write(text)
                sleepSeconds(0.02)  // let the echo of the typed text settle
                let sentAt = realtimeSeconds()
                child.write("\r")
                if let stamped = waitForRecord(record, containing: text, timeout: 10) { latencies.append(stamped - sentAt) }
                _ = reader.waitFor("out tokens", timeout: 20)
            }
            let med = median(latencies)
            rows.append(Row(id: "5", name: "keystroke: Enter → line in the double's stdin",
                            figure: "\(fmtDuration(med)) median (p90 \(fmtDuration(percentile(latencies, 0.9))), max \(fmtDuration(latencies.max() ?? .nan)))",
                            target: "< 1 ms", baseline: "", met: med < 1e-3,
                            method: "CLOCK_REALTIME before writing \\r to the pty master vs fake-claude's record \"t\" (CLOCK_REALTIME) for that stdin line; \(latencies.count) keystrokes, one turn each"))
        }
        if runIdle {
            sleepSeconds(1)
            let pid = child.pid
            let ticks0 = ProcFS.cpuTicksSeconds(pid) ?? .nan
            let threads0 = ProcFS.threadCounters(pid)
            sleepSeconds(idleSeconds)
            let ticks1 = ProcFS.cpuTicksSeconds(pid) ?? .nan
            let threads1 = ProcFS.threadCounters(pid)
            let ticks = ticks1 - ticks0
            var ns = 0.0, switches = 0
            for (tid, after) in threads1 {
                guard let before = threads0[tid] else { continue }
                ns += after.ns - before.ns
                switches += after.switches - before.switches
            }
            let exited = threads0.keys.filter { threads1[$0] == nil }.count
            let started = threads1.keys.filter { threads0[$0] == nil }.count
            rows.append(Row(id: "6", name: "idle CPU of parley over \(fmt(idleSeconds, 0)) s at the prompt (claude up)",
                            figure: "\(fmt(ticks * 1000, 0)) ms (threads alive throughout: \(fmt(ns / 1000, 0)) µs on CPU, \(switches) wake-ups; \(threads1.count) threads, \(exited) exited, \(started) started)",
                            target: "0 ms", baseline: "", met: ticks == 0,
                            method: "/proc/<pid>/stat utime+stime before/after (10 ms ticks, includes exited threads); per-thread /proc/<pid>/task/<tid>/schedstat and ctxt_switches for threads alive at both ends"))
        }
        child.write("\u{04}")
        _ = reader.waitFor("\u{0}", timeout: 0.3)
        return rows
    }

    /// The `t` of the first stdin record whose line contains `text`.
    static func waitForRecord(_ path: String, containing text: String, timeout: Double) -> Double? {
        let deadline = monotonicSeconds() + timeout
        let needle = Array(text.utf8)
        var offset = 0
        var pending: [UInt8] = []
        while monotonicSeconds() < deadline {
            if let handle = FileHandle(forReadingAtPath: path) {
                try? handle.seek(toOffset: UInt64(offset))
                let data = handle.readDataToEndOfFile()
                try? handle.close()
                offset += data.count
                pending += data
                while let newline = pending.firstIndex(of: 10) {
                    let line = Array(pending[..<newline])
                    pending.removeSubrange(...newline)
                    if Reader.contains(line, needle), let value = try? JSONValue.parse(Data(line)),
                       value["event"]?.stringValue == "stdin", let t = value["t"]?.doubleValue {
                        return t
                    }
                }
            }
            usleep(200)
        }
        return nil
    }
}

/// (1) Per-turn cost with the real CLI against the fake Messages API.
enum RealCLIBench {
    struct Run {
        var total: Double
        var steady: Double
    }

    static func run(_ bins: Binaries, claude: String, turns: Int, rounds: Int, freshTurns: Int) -> [Row] {
        let dir = TempDir("parley-bench-real")
        defer { dir.remove() }
        guard let api = FakeAPI(binary: bins.fakeMessagesAPI, dir: dir) else {
            return [Row(id: "1", name: "real CLI", figure: "fake-messages-api did not start", target: "", baseline: "", met: false, method: "")]
        }
        defer { api.stop() }
        let env = hermeticEnvironment(dir, fakeAPIEnvironment(port: api.port))
        var parley: [Run] = [], driver: [Run] = []
        for round in 0..<rounds {
            let work = dir.makeDirectory("work-\(round)")
            if let r = parleyRun(bins, claude: claude, env: env, cwd: work, turns: turns) { parley.append(r) }
            if let r = driverRun(claude: claude, env: env, cwd: work, turns: turns) { driver.append(r) }
        }
        let fresh = freshRun(claude: claude, env: env, cwd: dir.makeDirectory("work-fresh"), turns: freshTurns)
        let ps = median(parley.map(\.steady)), ds = median(driver.map(\.steady))
        let pt = median(parley.map(\.total)), dt = median(driver.map(\.total))
        let fm = median(fresh)
        return [
            Row(id: "1", name: "real CLI: warm turn through parley (piped)",
                figure: "\(fmtDuration(ps))/turn", target: "within 5% of driver",
                baseline: "driver \(fmtDuration(ds))/turn (×\(fmt(ps / ds, 3))); fresh claude -p \(fmtDuration(fm))/turn (parley ×\(fmt(ps / fm, 3)))",
                met: ps <= ds * 1.05,
                method: "parley --claude <real> --output-format json < \(turns) lines; time between turn_end lines (N−1 gaps), median of \(rounds) rounds vs driver writing a line and reading to its result"),
            Row(id: "1", name: "real CLI: \(turns) turns incl. start and shutdown",
                figure: "\(fmtDuration(pt)) (\(fmtDuration(pt / Double(turns)))/turn)", target: "≈ driver",
                baseline: "driver \(fmtDuration(dt)) (×\(fmt(pt / dt, 3))); \(turns) × fresh claude -p ≈ \(fmtDuration(fm * Double(turns)))",
                met: nil,
                method: "spawn → exit wall time for parley, for the driver (same flags, same one process), and per fresh `claude -p --output-format stream-json --verbose [--resume id] \"turn k\"` (median of \(fresh.count))"),
        ]
    }

    static func parleyRun(_ bins: Binaries, claude: String, env: [String: String], cwd: String, turns: Int) -> Run? {
        let start = monotonicSeconds()
        guard let child = Child.spawn(bins.parley, ["--claude", claude, "--output-format", "json"], environment: env, cwd: cwd)
        else { return nil }
        defer { child.closeAll() }
        child.write((0..<turns).map { "turn \($0)\n" }.joined())
        child.closeInput()
        let reader = Reader(child.output)
        var ends: [Double] = []
        let marker = Array("\"turn_end\"".utf8)
        while let line = reader.line(timeout: 120) {
            if Reader.contains(line, marker) { ends.append(monotonicSeconds()) }
        }
        let status = child.wait(timeout: 30)
        let total = monotonicSeconds() - start
        guard ends.count == turns else {
            log("parley real-CLI run: \(ends.count)/\(turns) turns, status \(status)")
            return nil
        }
        return Run(total: total, steady: (ends.last! - ends.first!) / Double(turns - 1))
    }

    static func driverRun(claude: String, env: [String: String], cwd: String, turns: Int) -> Run? {
        let start = monotonicSeconds()
        guard let child = Child.spawn(claude, streamJSONArguments, environment: env, cwd: cwd) else { return nil }
        defer { child.closeAll() }
        let reader = Reader(child.output)
        var ends: [Double] = []
        for k in 0..<turns {
            child.write(userLine("turn \(k)"))
            while true {
                guard let line = reader.line(timeout: 120) else {
                    child.kill9()
                    return nil
                }
                if isResultLine(line) { break }
            }
            ends.append(monotonicSeconds())
        }
        child.closeInput()
        while reader.line(timeout: 30) != nil {}
        child.wait(timeout: 30)
        return Run(total: monotonicSeconds() - start, steady: (ends.last! - ends.first!) / Double(turns - 1))
    }

    static func freshRun(claude: String, env: [String: String], cwd: String, turns: Int) -> [Double] {
        var times: [Double] = []
        var sessionID: String?
        for k in 0..<turns {
            var arguments = ["-p", "--output-format", "stream-json", "--verbose"]
            if let sessionID { arguments += ["--resume", sessionID] }
            arguments.append("turn \(k)")
            let start = monotonicSeconds()
            guard let child = Child.spawn(claude, arguments, environment: env, cwd: cwd, stdin: .null) else { continue }
            let reader = Reader(child.output)
            while let line = reader.line(timeout: 120) {
                if sessionID == nil, Reader.contains(line, Array("\"init\"".utf8)),
                   let value = try? JSONValue.parse(Data(line)) { sessionID = value["session_id"]?.stringValue }
            }
            child.wait(timeout: 30)
            child.closeAll()
            times.append(monotonicSeconds() - start)
        }
        return times
    }
}

/// (7) Peak RSS of parley (piped, fake-claude) after 10 and after many turns, and while
/// one 64 MiB line passes through.
enum MemoryBench {
    static func run(_ bins: Binaries, turns: Int) -> [Row] {
        let dir = TempDir("parley-bench-mem")
        defer { dir.remove() }
        let env = hermeticEnvironment(dir)
        var rows: [Row] = []
        if let child = Child.spawn(bins.parley, ["--claude", bins.fakeClaude], environment: env, cwd: dir.path) {
            let reader = Reader(child.output)
            var at10: (Double, Double)?, atFifth: (Double, Double)?, atEnd: (Double, Double)?
            let fifth = max(turns / 5, 11)
            let start = monotonicSeconds()
            for k in 1...turns {
                child.write("turn \(k)\n")
                let expected = Array("Echo: turn \(k)".utf8)
                var ok = false
                while let line = reader.line(timeout: 20) { if line == expected { ok = true; break } }
                if !ok { log("memory: turn \(k) got no answer"); break }
                if k == 10 { at10 = (ProcFS.statusBytes(child.pid, "VmHWM") ?? .nan, ProcFS.statusBytes(child.pid, "VmRSS") ?? .nan) }
                if k == fifth { atFifth = (ProcFS.statusBytes(child.pid, "VmHWM") ?? .nan, ProcFS.statusBytes(child.pid, "VmRSS") ?? .nan) }
                if k == turns { atEnd = (ProcFS.statusBytes(child.pid, "VmHWM") ?? .nan, ProcFS.statusBytes(child.pid, "VmRSS") ?? .nan) }
            }
            let seconds = monotonicSeconds() - start
            child.closeInput()
            child.wait(timeout: 10)
            child.closeAll()
            if let at10, let atFifth, let atEnd {
                // Warm-up (malloc arenas, libdispatch's caches, the runtime's metadata) happens in the
                // first turns; what must not grow is the steady state, from turn N/5 to turn N.
                let steady = atEnd.0 - atFifth.0
                rows.append(Row(id: "7", name: "peak RSS after 10, \(fifth) and \(turns) turns (parley piped, fake-claude)",
                                figure: "\(fmtBytes(at10.0)) → \(fmtBytes(atFifth.0)) → \(fmtBytes(atEnd.0)) (RSS \(fmtBytes(at10.1)) → \(fmtBytes(atFifth.1)) → \(fmtBytes(atEnd.1)))",
                                target: "no growth beyond kept history",
                                baseline: "turns \(fifth)→\(turns): \(fmtBytes(steady)) = \(fmt(steady / Double(turns - fifth), 0)) B/turn; 10→\(turns): \(fmt((atEnd.0 - at10.0) / Double(turns - 10), 0)) B/turn; \(fmtDuration(seconds / Double(turns)))/turn",
                                met: steady < 256 * 1024,
                                method: "VmHWM/VmRSS from /proc/<pid>/status after the 10th, the N/5th and the last \"Echo: turn k\" line on stdout; met when N/5 → N grows < 256 KiB"))
            }
        }
        if let child = Child.spawn(bins.parley, ["--claude", bins.fakeClaude], environment: env, cwd: dir.path) {
            defer { child.kill9(); child.closeAll() }
            let reader = Reader(child.output)
            child.write("warm\n")
            _ = reader.waitFor("Echo: warm\n", timeout: 20)
            let before = ProcFS.statusBytes(child.pid, "VmHWM") ?? .nan
            let start = monotonicSeconds()
            child.write("big fc:huge=64\nmarker\n")
            if reader.waitFor("Echo: marker\n", timeout: 300) {
                let seconds = monotonicSeconds() - start
                let peak = ProcFS.statusBytes(child.pid, "VmHWM") ?? .nan
                rows.append(Row(id: "7", name: "peak RSS with one 64 MiB reply (3 lines of 64 MiB)",
                                figure: "\(fmtBytes(peak)) (+\(fmtBytes(peak - before)))", target: "bounded (≈ a few × line)",
                                baseline: "before: \(fmtBytes(before)); turn took \(fmtDuration(seconds)) (\(fmt(64 * 1048576 / seconds / 1e6, 0)) MB/s of reply)",
                                met: nil,
                                method: "fake-claude fc:huge=64: one text_delta, one assistant and one result line of 64 MiB each; VmHWM after the turn"))
            }
        }
        return rows
    }
}
