import AgentSession
import Foundation
import ParleyApp
import StreamJSON
import Terminal

import Glibc

/// A console that renders like the terminal path (ANSI colour) into a buffer and writes it
/// to a descriptor in 64 KiB blocks, as the line editor writes one batch per wake-up.
/// Streamed text is rendered straight into the byte buffer (`StyledText.appendRendered`),
/// as the line editor's `ANSIWriter` does, with no intermediate string.
final class BufferedConsole: Console, @unchecked Sendable {
    let fd: Int32
    // Only the benchmark thread touches it: no dynamic exclusivity checks in the measured loop.
    @exclusivity(unchecked) var buffer: [UInt8] = []
    var written = 0

    init(fd: Int32) {
        self.fd = fd
        buffer.reserveCapacity(1 << 17)
    }

    func streamText(_ text: StyledText) {
        text.appendRendered(color: true, to: &buffer)
        if buffer.count >= 1 << 16 { flush() }
    }
    func line(_ text: StyledText, kind: ConsoleLineKind) { append(text.rendered(color: true) + "\n") }
    func json(_ line: String) { append(line + "\n") }

    private func append(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }

    func flush() {
        written += buffer.count
        buffer.withUnsafeBytes { _ = Glibc.write(fd, $0.baseAddress, $0.count) }
        buffer.removeAll(keepingCapacity: true)
    }
}

/// (3) Rendering throughput: a long Markdown reply in small deltas and a huge tool result,
/// in TTY mode (TranscriptPresenter .terminal + MarkdownStreamRenderer + ANSI), in process to
/// /dev/null and end to end through `parley` and its line editor into a pseudo-terminal.
enum RenderBench {
    static func run(_ bins: Binaries, megabytes: Int, rounds: Int) -> [Row] {
        let bytes = megabytes << 20
        let dir = TempDir("parley-bench-render")
        defer { dir.remove() }
        var rows: [Row] = []

        // Baselines: cat of the same bytes.
        let file = dir.file("reply.md")
        let sample = Array(Emitter.markdownSample.utf8)
        if let handle = FileHandle(forWritingAtPath: { _ = FileManager.default.createFile(atPath: file, contents: nil); return file }()) {
            var block: [UInt8] = []
            for _ in 0..<(max(1, (1 << 20) / sample.count)) { block += sample }
            var left = bytes
            while left > 0 { handle.write(Data(block.prefix(left))); left -= block.count }
            try? handle.close()
        }
        let catNull = median((0..<rounds).map { _ in timeCat(file, pty: false) })
        let catPTY = median((0..<rounds).map { _ in timeCat(file, pty: true) })
        let catNullRate = Double(bytes) / catNull / 1e6, catPTYRate = Double(bytes) / catPTY / 1e6

        // In process, to /dev/null.
        let null = open("/dev/null", O_WRONLY)
        defer { close(null) }
        for delta in [8, 64] {
            let buffered = median((0..<rounds).map { _ in renderText(bytes: bytes, delta: delta, console: BufferedConsole(fd: null)) })
            let rate = Double(bytes) / buffered / 1e6
            rows.append(Row(id: "3", name: "render \(megabytes) MB reply, \(delta)-byte deltas → /dev/null",
                            figure: "\(fmt(rate, 0)) MB/s", target: "≥ 100 MB/s",
                            baseline: "cat → /dev/null \(fmt(catNullRate, 0)) MB/s (×\(fmt(rate / catNullRate, 3)))",
                            met: rate >= 100,
                            method: "in process: .textDelta events → TranscriptPresenter(.terminal) → MarkdownStreamRenderer → ANSI bytes (StyledText.appendRendered(color: true), as the line editor renders), 64 KiB writes; median of \(rounds)"))
        }
        let fdConsole = median((0..<rounds).map { _ in
            withStdoutTo(null) { renderText(bytes: bytes, delta: 8, console: FileDescriptorConsole(colorOnStdout: true, colorOnStderr: true) {}) }
        })
        let fdRate = Double(bytes) / fdConsole / 1e6
        rows.append(Row(id: "3", name: "render \(megabytes) MB, 8-byte deltas, FileDescriptorConsole (scripted, not TTY mode)",
                        figure: "\(fmt(fdRate, 0)) MB/s", target: "(for information)",
                        baseline: "cat → /dev/null \(fmt(catNullRate, 0)) MB/s",
                        met: nil,
                        method: "as above but FileDescriptorConsole(color) = one write(2) per delta, the scripted --color always path; the session merges the deltas of each stdout chunk, so one write per delta happens only when the CLI is slower than that"))
        let tool = median((0..<rounds).map { _ in renderToolResult(bytes: bytes, console: BufferedConsole(fd: null)) })
        let toolRate = Double(bytes) / tool / 1e6
        rows.append(Row(id: "3", name: "render \(megabytes) MB tool result → /dev/null",
                        figure: "\(fmt(toolRate, 0)) MB/s (\(fmtDuration(tool)))", target: "≥ 100 MB/s",
                        baseline: "cat → /dev/null \(fmt(catNullRate, 0)) MB/s",
                        met: toolRate >= 100,
                        method: "in process: one .toolResult event → TranscriptPresenter (3-line preview + “… +N lines”)"))

        // Memory of the in-process renderer: peak RSS growth for a small and the full reply.
        let small = max(1, megabytes / 10) << 20
        let growthSmall = peakGrowth { _ = renderText(bytes: small, delta: 8, console: BufferedConsole(fd: null)) }
        let growthFull = peakGrowth { _ = renderText(bytes: bytes, delta: 8, console: BufferedConsole(fd: null)) }
        rows.append(Row(id: "3", name: "renderer peak RSS growth, \(small >> 20) MB vs \(megabytes) MB reply",
                        figure: "\(fmtBytes(growthSmall)) vs \(fmtBytes(growthFull))", target: "no growth with size",
                        baseline: "", met: growthFull < growthSmall + 4 * 1048576,
                        method: "VmHWM − VmRSS of the benchmark after resetting the peak (/proc/self/clear_refs 5)"))

        // End to end: parley in a pseudo-terminal, the emitter as claude. One round each: at a
        // few MB/s a 50 MB reply takes a while.
        for delta in [8, 64] {
            guard let r = endToEnd(bins, dir: dir, spec: "text:\(bytes):\(delta)") else { continue }
            let rate = Double(bytes) / r.0 / 1e6, wireRate = Double(r.2) / r.0 / 1e6
            rows.append(Row(id: "3", name: "parley in a pty: \(megabytes) MB reply, \(delta)-byte deltas",
                            figure: "\(fmt(rate, 1)) MB/s (\(fmtDuration(r.0))); stream-json read \(fmt(wireRate, 0)) MB/s",
                            target: "≥ 100 MB/s",
                            baseline: "cat → pty \(fmt(catPTYRate, 0)) MB/s (×\(fmt(rate / catPTYRate, 3)))",
                            met: rate >= 100,
                            method: "Enter → turn footer on the pty master; the emitter double (parley-bench itself) writes \(fmt(Double(r.2) / 1e6, 0)) MB of stream-json (the delta lines plus assistant and result lines that each repeat the whole text) as fast as the pipe takes them; parley VmHWM \(fmtBytes(r.1))"))
        }
        if let r = endToEnd(bins, dir: dir, spec: "tool:\(bytes)") {
            let rate = Double(bytes) / r.0 / 1e6
            rows.append(Row(id: "3", name: "parley in a pty: \(megabytes) MB tool result",
                            figure: "\(fmt(rate, 1)) MB/s (\(fmtDuration(r.0)))", target: "≥ 100 MB/s",
                            baseline: "cat → pty \(fmt(catPTYRate, 0)) MB/s",
                            met: rate >= 100,
                            method: "Enter → turn footer; one user/tool_result line of \(megabytes) MB; parley VmHWM \(fmtBytes(r.1))"))
        }
        return rows
    }

    static func message() -> QueuedMessage { QueuedMessage(id: "bench", text: "bench", sequenceNumber: 1) }

    static func turnEnd() -> SessionEvent {
        .turnCompleted(TurnSummary(message: message(), result: TurnResult(subtype: "success", isError: false, text: nil),
                                   elapsed: .milliseconds(1)))
    }

    /// Seconds to present a reply of `bytes` bytes in deltas of `delta` bytes.
    static func renderText(bytes: Int, delta: Int, console: some Console) -> Double {
        let sample = Array(Emitter.markdownSample.utf8)
        var pieces: [String] = []
        var offset = 0
        while offset < sample.count {
            pieces.append(String(decoding: sample[offset..<min(sample.count, offset + delta)], as: UTF8.self))
            offset += delta
        }
        let repeats = max(1, bytes / sample.count)
        var presenter = TranscriptPresenter(mode: .terminal, width: 120)
        let start = monotonicSeconds()
        presenter.present(.turnStarted(message()), on: console)
        for _ in 0..<repeats {
            for piece in pieces { presenter.present(.textDelta(piece), on: console) }
        }
        presenter.present(.assistantText("", alreadyStreamed: true, isError: false), on: console)
        presenter.present(turnEnd(), on: console)
        (console as? BufferedConsole)?.flush()
        return monotonicSeconds() - start
    }

    static func renderToolResult(bytes: Int, console: some Console) -> Double {
        let line = Emitter.toolSampleLine
        let content = String(repeating: line, count: max(1, bytes / line.utf8.count))
        var presenter = TranscriptPresenter(mode: .terminal, width: 120)
        let start = monotonicSeconds()
        presenter.present(.toolUse(ToolUse(id: "t", name: "Bash", input: ["command": "ls -lR /"])), on: console)
        presenter.present(.toolResult(ToolResult(toolUseID: "t", content: content, isError: false)), on: console)
        presenter.present(turnEnd(), on: console)
        (console as? BufferedConsole)?.flush()
        return monotonicSeconds() - start
    }

    static func withStdoutTo<T>(_ fd: Int32, _ body: () -> T) -> T {
        fflush(nil)
        let saved = dup(1), savedError = dup(2)
        dup2(fd, 1)
        dup2(fd, 2)
        defer { dup2(saved, 1); close(saved); dup2(savedError, 2); close(savedError) }
        return body()
    }

    /// Peak RSS growth of this process while `body` runs.
    static func peakGrowth(_ body: () -> Void) -> Double {
        let pid = getpid()
        if let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") {
            handle.write(Data("5".utf8))
            try? handle.close()
        }
        let before = ProcFS.statusBytes(pid, "VmRSS") ?? 0
        body()
        let peak = ProcFS.statusBytes(pid, "VmHWM") ?? 0
        return max(0, peak - before)
    }

    static func timeCat(_ file: String, pty: Bool) -> Double {
        let start = monotonicSeconds()
        if pty {
            guard let child = Child.spawnInPTY("/bin/cat", [file], environment: ["PATH": "/usr/bin:/bin"]) else { return .nan }
            let reader = Reader(child.output)
            while reader.fill(timeout: 30, keep: false) {}
            child.wait()
            child.closeAll()
        } else {
            guard let child = Child.spawn("/bin/cat", [file], environment: ["PATH": "/usr/bin:/bin"], stdin: .null, stdout: .null)
            else { return .nan }
            child.wait()
        }
        return monotonicSeconds() - start
    }

    /// parley in a pty with the emitter as claude: seconds from Enter to the turn footer,
    /// parley's peak RSS, and the bytes of stream-json the emitter wrote.
    static func endToEnd(_ bins: Binaries, dir: TempDir, spec: String) -> (Double, Double, Int)? {
        let env = hermeticEnvironment(dir, ["PARLEY_BENCH_EMITTER": spec, "TERM": "xterm-256color"])
        guard let child = Child.spawnInPTY(bins.parley, ["--claude", bins.bench], environment: env, cwd: dir.path) else { return nil }
        defer { child.kill9(); child.closeAll() }
        let reader = Reader(child.output)
        guard reader.waitFor("›", timeout: 20) else { log("render: no prompt"); return nil }
        // A small turn first, so the emitter is up and the path warm.
        child.write("small\r")
        guard reader.waitFor("out tokens", timeout: 60) else { log("render: small turn did not finish"); return nil }
        sleepSeconds(0.2)
        reader.discardBuffer()
        let start = monotonicSeconds()
        child.write("go\r")
        guard reader.waitFor("out tokens", timeout: 900) else { log("render: big turn did not finish"); return nil }
        let seconds = monotonicSeconds() - start
        let hwm = ProcFS.statusBytes(child.pid, "VmHWM") ?? .nan
        child.write("\u{04}")
        _ = reader.waitFor("\u{0}", timeout: 0.5)
        let parts = spec.split(separator: ":")
        let bytes = Int(parts[1]) ?? 0
        let wire = parts[0] == "text" ? bytes * 2 + bytes / (Int(parts[2]) ?? 8) * 190 + bytes : bytes
        return (seconds, hwm, wire)
    }
}
