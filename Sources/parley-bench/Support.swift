import Foundation
import ParleyTestSupport

import Glibc

// Process, pseudo-terminal, clock and /proc helpers for the benchmarks. Nothing here knows
// about Parley: children are spawned with the tests' `CleanSpawn` and an environment built from
// scratch.

// MARK: Clocks and statistics

/// Seconds on CLOCK_MONOTONIC.
func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Seconds since the epoch on CLOCK_REALTIME (the clock `fake-claude` stamps its record with).
func realtimeSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// CPU seconds (user + system) of this whole process.
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}

func median(_ values: [Double]) -> Double {
    guard !values.isEmpty else { return .nan }
    let sorted = values.sorted()
    let mid = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

func percentile(_ values: [Double], _ p: Double) -> Double {
    guard !values.isEmpty else { return .nan }
    let sorted = values.sorted()
    let index = min(sorted.count - 1, max(0, Int((p * Double(sorted.count - 1)).rounded())))
    return sorted[index]
}

func sleepSeconds(_ seconds: Double) {
    usleep(useconds_t(max(0, seconds) * 1_000_000))
}

// MARK: Formatting

func fmt(_ value: Double, _ digits: Int = 1) -> String {
    value.isFinite ? String(format: "%.\(digits)f", value) : "n/a"
}

func fmtDuration(_ seconds: Double) -> String {
    guard seconds.isFinite else { return "n/a" }
    let a = abs(seconds)
    if a < 1e-3 { return "\(fmt(seconds * 1e6, a < 1e-5 ? 2 : 1)) µs" }
    if a < 1 { return "\(fmt(seconds * 1e3, a < 1e-2 ? 2 : 1)) ms" }
    return "\(fmt(seconds, 2)) s"
}

func fmtBytes(_ bytes: Double) -> String {
    if bytes >= 1073741824 { return "\(fmt(bytes / 1073741824, 2)) GiB" }
    if bytes >= 1048576 { return "\(fmt(bytes / 1048576, 1)) MiB" }
    return "\(fmt(bytes / 1024, 0)) KiB"
}

// MARK: Temporary directories and environments

final class TempDir: @unchecked Sendable {
    let path: String

    init(_ prefix: String) {
        var template = Array((NSTemporaryDirectory() + "/\(prefix).XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        path = made.map { String(cString: $0) } ?? NSTemporaryDirectory() + "/\(prefix).\(getpid())"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func makeDirectory(_ name: String) -> String {
        let p = file(name)
        try? FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: true)
        return p
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// A child environment built from nothing: no variable of the shell reaches a child (no
/// `ANTHROPIC_*`, no `CLAUDECODE`). `HOME` and the XDG directories are inside `dir`.
func hermeticEnvironment(_ dir: TempDir, _ extra: [String: String] = [:]) -> [String: String] {
    var environment = [
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": dir.makeDirectory("home"),
        "LANG": "C.UTF-8",
        "XDG_CONFIG_HOME": dir.makeDirectory("home/.config"),
        "XDG_STATE_HOME": dir.makeDirectory("home/.state"),
        "XDG_CACHE_HOME": dir.makeDirectory("home/.cache"),
        "PARLEY_RESTART_DELAYS": "0.1,0.2,0.4",
    ]
    for (key, value) in extra { environment[key] = value }
    return environment
}

/// The extra variables that point the real CLI at the local fake Messages API.
func fakeAPIEnvironment(port: Int) -> [String: String] {
    [
        "ANTHROPIC_BASE_URL": "http://127.0.0.1:\(port)",
        "ANTHROPIC_API_KEY": "sk-fake",
        "DISABLE_TELEMETRY": "1",
        "DISABLE_AUTOUPDATER": "1",
        "DISABLE_ERROR_REPORTING": "1",
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
        "CLAUDE_CODE_MAX_RETRIES": "2",
    ]
}

// MARK: Processes

/// A spawned child with pipes (or a pseudo-terminal) for its standard streams.
final class Child: @unchecked Sendable {
    typealias Stdio = CleanSpawn.Stdio

    let pid: pid_t
    /// Write end of the child's stdin (or the pty master), -1 when not piped.
    private(set) var input: Int32
    /// Read end of the child's stdout (or the pty master), -1 when not piped.
    let output: Int32
    private var reaped: Int32?

    private init(pid: pid_t, input: Int32, output: Int32) {
        self.pid = pid
        self.input = input
        self.output = output
    }

    /// Spawns `path` with pipes. stderr goes to `stderr` (default /dev/null).
    static func spawn(_ path: String, _ arguments: [String], environment: [String: String], cwd: String? = nil,
                      stdin: Stdio = .pipe, stdout: Stdio = .pipe, stderr: Stdio = .null) -> Child? {
        guard let child = try? CleanSpawn.spawn([path] + arguments, environment: environment, workingDirectory: cwd,
                                                stdin: stdin, stdout: stdout, stderr: stderr) else { return nil }
        if child.stderrFD >= 0 { close(child.stderrFD) }
        return Child(pid: child.pid, input: child.stdinFD, output: child.stdoutFD)
    }

    /// Spawns `path` in a new session whose controlling terminal is a fresh pseudo-terminal
    /// of `rows`×`columns`; ``input`` and ``output`` are both the master.
    static func spawnInPTY(_ path: String, _ arguments: [String], environment: [String: String], cwd: String? = nil,
                           rows: UInt16 = 40, columns: UInt16 = 120) -> Child? {
        let master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard master >= 0 else { return nil }
        var unlock: Int32 = 0
        var number: UInt32 = 0
        // TIOCSPTLCK and TIOCGPTN (x86-64/aarch64 values; glibc hides the macros from Swift).
        guard ioctl(master, UInt(0x4004_5431), &unlock) == 0, ioctl(master, UInt(0x8004_5430), &number) == 0 else {
            close(master)
            return nil
        }
        var size = winsize(ws_row: rows, ws_col: columns, ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(master, UInt(TIOCSWINSZ), &size)
        guard let child = try? CleanSpawn.spawn([path] + arguments, environment: environment, workingDirectory: cwd,
                                                stdin: .null, stdout: .null, stderr: .null,
                                                controllingTerminal: "/dev/pts/\(number)") else {
            close(master)
            return nil
        }
        return Child(pid: child.pid, input: master, output: master)
    }

    /// Writes all of `bytes` to the child's stdin / the terminal.
    @discardableResult
    func write(_ bytes: some Collection<UInt8>) -> Bool {
        guard input >= 0 else { return false }
        return Array(bytes).withUnsafeBytes { raw -> Bool in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(input, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR || errno == EAGAIN { continue }
                    return false
                }
                offset += n
            }
            return true
        }
    }

    func write(_ text: String) { write(Array(text.utf8)) }

    /// Closes stdin (EOF for the child). Not for pty children.
    func closeInput() {
        if input >= 0, input != output { close(input) }
        if input != output { input = -1 }
    }

    func signal(_ number: Int32) { kill(pid, number) }

    /// Waits for the child to exit (at most `timeout`, then SIGKILL). Returns the raw status.
    @discardableResult
    func wait(timeout: Double = 30) -> Int32 {
        if let reaped { return reaped }
        let deadline = monotonicSeconds() + timeout
        var status: Int32 = 0
        while true {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid { break }
            if r < 0 && errno != EINTR { break }
            if monotonicSeconds() > deadline {
                kill(pid, SIGKILL)
                waitpid(pid, &status, 0)
                break
            }
            usleep(1000)
        }
        reaped = status
        return status
    }

    func closeAll() {
        if input >= 0 { close(input) }
        if output >= 0, output != input { close(output) }
        input = -1
    }

    /// Kills the child (and its group when it leads one) and reaps it.
    func kill9() {
        if reaped == nil {
            kill(-pid, SIGKILL)
            kill(pid, SIGKILL)
        }
        wait(timeout: 5)
    }
}

/// Buffered reading from one descriptor with timeouts (poll).
final class Reader: @unchecked Sendable {
    let fd: Int32
    private(set) var buffer: [UInt8] = []
    private var chunk = [UInt8](repeating: 0, count: 1 << 18)
    private(set) var totalBytes = 0
    private(set) var eof = false

    init(_ fd: Int32) { self.fd = fd }

    /// Reads whatever is available, waiting at most `timeout` seconds. False on timeout/EOF.
    @discardableResult
    func fill(timeout: Double, keep: Bool = true) -> Bool {
        guard !eof else { return false }
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&p, 1, Int32(max(0, timeout * 1000)))
        if ready <= 0 { return false }
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n <= 0 {
            if n < 0 && (errno == EINTR || errno == EAGAIN) { return true }
            eof = true
            return false
        }
        totalBytes += n
        if keep { buffer.append(contentsOf: chunk[0..<n]) }
        return true
    }

    /// The next line (without `\n`), or nil on timeout/EOF.
    func line(timeout: Double) -> [UInt8]? {
        let deadline = monotonicSeconds() + timeout
        var scanned = 0
        while true {
            if let index = buffer[scanned...].firstIndex(of: 10) {
                let line = Array(buffer[..<index])
                buffer.removeSubrange(...index)
                return line
            }
            scanned = buffer.count
            let left = deadline - monotonicSeconds()
            if left <= 0 || !fill(timeout: left) {
                if eof || monotonicSeconds() >= deadline { return nil }
            }
        }
    }

    /// Reads until `needle` appears in what was read (searching across reads), keeping only
    /// a tail; returns false on timeout/EOF. Bytes are discarded, so any volume can pass.
    func waitFor(_ needle: String, timeout: Double) -> Bool {
        let target = Array(needle.utf8)
        let deadline = monotonicSeconds() + timeout
        while true {
            if Self.contains(buffer, target) {
                if let range = Self.range(of: target, in: buffer) { buffer.removeSubrange(..<range.upperBound) }
                return true
            }
            if buffer.count > target.count * 2 + 4096 {
                buffer.removeSubrange(..<(buffer.count - target.count))
            }
            let left = deadline - monotonicSeconds()
            if left <= 0 { return false }
            if !fill(timeout: min(left, 1)) && eof { return false }
        }
    }

    func discardBuffer() { buffer.removeAll(keepingCapacity: true) }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool { range(of: needle, in: haystack) != nil }

    static func range(of needle: [UInt8], in haystack: [UInt8]) -> Range<Int>? {
        guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
        return haystack.withUnsafeBufferPointer { h -> Range<Int>? in
            needle.withUnsafeBufferPointer { n -> Range<Int>? in
                let first = n[0], last = h.count - n.count
                var i = 0
                while i <= last {
                    guard let hit = memchr(h.baseAddress! + i, Int32(first), last - i + 1) else { return nil }
                    let start = UnsafeRawPointer(hit) - UnsafeRawPointer(h.baseAddress!)
                    if memcmp(h.baseAddress! + start, n.baseAddress!, n.count) == 0 { return start..<(start + n.count) }
                    i = start + 1
                }
                return nil
            }
        }
    }
}

// MARK: /proc

enum ProcFS {
    /// A field of /proc/<pid>/status in kB, as bytes.
    static func statusBytes(_ pid: pid_t, _ field: String) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            let number = line.dropFirst(field.count + 1).split(whereSeparator: { $0 == " " || $0 == "\t" }).first.flatMap { Double($0) }
            return number.map { $0 * 1024 }
        }
        return nil
    }

    /// utime + stime of the whole process in seconds (clock ticks, 10 ms resolution).
    static func cpuTicksSeconds(_ pid: pid_t) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // After the comm field: state is fields[0]; utime is field 14 overall → index 11 here.
        guard fields.count > 12, let utime = Double(fields[11]), let stime = Double(fields[12]) else { return nil }
        return (utime + stime) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Per thread: on-CPU nanoseconds (/proc/<pid>/task/<tid>/schedstat) and context switches
    /// (voluntary + involuntary: each is a wake-up). Compare two snapshots per thread, since
    /// a thread that exits in between takes its counters with it.
    static func threadCounters(_ pid: pid_t) -> [String: (ns: Double, switches: Int)] {
        guard let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task") else { return [:] }
        var result: [String: (ns: Double, switches: Int)] = [:]
        for task in tasks {
            var ns = 0.0, switches = 0
            if let text = try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/schedstat", encoding: .utf8),
               let first = text.split(separator: " ").first, let value = Double(first) {
                ns = value
            }
            if let text = try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/status", encoding: .utf8) {
                for line in text.split(separator: "\n") where line.contains("ctxt_switches:") {
                    switches += Int(line.split(separator: "\t").last.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? "") ?? 0
                }
            }
            result[task] = (ns, switches)
        }
        return result
    }

    static func threadCount(_ pid: pid_t) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task").count) ?? 0
    }
}

/// The machine, for the report.
enum Machine {
    static var cpuModel: String {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "?" }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            return line.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "?"
        }
        return "?"
    }

    static var memory: String {
        guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("MemTotal:") }),
              let kb = line.split(separator: " ").dropFirst().first.flatMap({ Double($0) }) else { return "?" }
        return fmtBytes(kb * 1024)
    }

    static var cores: Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }

    static var kernel: String {
        var u = utsname()
        uname(&u)
        return withUnsafeBytes(of: &u.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }
}

/// Runs a program to completion and returns its stdout (for `swift --version`, `ensure-claude`).
func capture(_ path: String, _ arguments: [String], environment: [String: String]? = nil, cwd: String? = nil,
             timeout: Double = 600) -> (status: Int32, output: String) {
    guard let child = Child.spawn(path, arguments, environment: environment ?? ProcessInfo.processInfo.environment,
                                  cwd: cwd, stdin: .null, stdout: .pipe, stderr: .null) else { return (-1, "") }
    let reader = Reader(child.output)
    let deadline = monotonicSeconds() + timeout
    while monotonicSeconds() < deadline, reader.fill(timeout: deadline - monotonicSeconds()) || !reader.eof {}
    let status = child.wait(timeout: 5)
    child.closeAll()
    return (status, String(decoding: reader.buffer, as: UTF8.self))
}
