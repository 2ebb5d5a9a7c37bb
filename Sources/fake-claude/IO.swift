import Foundation
import Locking

import Glibc

/// Writes all bytes to `fd`; returns false on any error other than EINTR.
@discardableResult
func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
    guard var pointer = bytes.baseAddress else { return true }
    var remaining = bytes.count
    while remaining > 0 {
        let written = write(fd, pointer, remaining)
        if written < 0 {
            if errno == EINTR { continue }
            return false
        }
        pointer += written
        remaining -= written
    }
    return true
}

@discardableResult
func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
    bytes.withUnsafeBytes { writeAll(fd, $0) }
}

func writeStderr(_ text: String) {
    writeAll(2, Array(text.utf8))
}

/// stdout, shared by the stdin reader thread (control responses) and the turn thread.
/// Each call writes whole lines under one lock, so lines never interleave.
final class Output: Sendable {
    /// One byte per write() call (`fc:bytewise`).
    private let bytewise = Locked(false)

    func setBytewise(_ on: Bool) {
        bytewise.withLock { $0 = on }
    }

    func line(_ value: J) { emit(value.line) }

    func emit(_ bytes: [UInt8]) {
        bytewise.withLock { bytewise in
            let ok: Bool
            if bytewise {
                var allOK = true
                for byte in bytes {
                    if !withUnsafeBytes(of: byte, { writeAll(1, $0) }) { allOK = false; break }
                }
                ok = allOK
            } else {
                ok = writeAll(1, bytes)
            }
            if !ok { stdoutClosed() }
        }
    }

    /// Holds the lock (so no half line is written) and exits.
    func exitHoldingLock(_ code: Int32) -> Never {
        bytewise.withLock { _ in terminate(code) }
    }

    private func stdoutClosed() -> Never {
        // The reader of our stdout is gone (EPIPE): leave quietly.
        Recorder.shared.record(.o([("event", .safe("exit")), ("code", .i(0)), ("reason", .safe("stdout closed"))]))
        _exit(0)
    }
}

/// `FAKE_CLAUDE_RECORD`: one JSON object per line, appended with one write() each.
final class Recorder: Sendable {
    static let shared = Recorder()
    /// The record file, or -1; the lock keeps records whole.
    private let fd: Locked<Int32>

    private init() {
        if let path = ProcessInfo.processInfo.environment["FAKE_CLAUDE_RECORD"], !path.isEmpty {
            fd = Locked(open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644))
        } else {
            fd = Locked(-1)
        }
    }

    var enabled: Bool { fd.withLock { $0 >= 0 } }

    func record(_ value: J) {
        fd.withLock { fd in
            guard fd >= 0 else { return }
            writeAll(fd, value.line)
        }
    }
}

/// Children to reap or kill on exit (the fake tool's `sleep`).
final class ChildRegistry: Sendable {
    static let shared = ChildRegistry()
    private let pids = Locked<Set<pid_t>>([])

    func add(_ pid: pid_t) { pids.withLock { _ = $0.insert(pid) } }

    func kill(_ pid: pid_t) {
        pids.withLock { _ = $0.remove(pid) }
        _ = Glibc.kill(pid, SIGKILL)
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
    }

    func killAll() {
        let all = pids.withLock { pids in
            defer { pids.removeAll() }
            return pids
        }
        for pid in all {
            _ = Glibc.kill(pid, SIGKILL)
            var status: Int32 = 0
            _ = waitpid(pid, &status, 0)
        }
    }
}

/// Records the exit and leaves. Tool children are left running only by crashes.
func terminate(_ code: Int32, killChildren: Bool = true) -> Never {
    if killChildren { ChildRegistry.shared.killAll() }
    Recorder.shared.record(.o([("event", .safe("exit")), ("code", .i(Int(code)))]))
    _exit(code)
}

// MARK: - Time, ids

func nowSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func monotonicMS() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) * 1000 + Double(ts.tv_nsec) / 1e6
}

/// `2026-11-24T20:33:39.964Z`
func isoTimestamp() -> String {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    var t = ts.tv_sec
    var parts = tm()
    gmtime_r(&t, &parts)
    func pad(_ v: Int32, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
    let ms = Int32(ts.tv_nsec / 1_000_000)
    return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
        + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(ms, 3))Z"
}

private let uuidHex: [UInt8] = Array("0123456789abcdef".utf8)

/// A random version-4 UUID, lower case.
func newUUID() -> String {
    var g = SystemRandomNumberGenerator()
    var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &g) }
    bytes[6] = (bytes[6] & 0x0f) | 0x40
    bytes[8] = (bytes[8] & 0x3f) | 0x80
    var out: [UInt8] = []
    out.reserveCapacity(36)
    for (i, b) in bytes.enumerated() {
        if i == 4 || i == 6 || i == 8 || i == 10 { out.append(45) }
        out.append(uuidHex[Int(b >> 4)])
        out.append(uuidHex[Int(b & 15)])
    }
    return String(decoding: out, as: UTF8.self)
}

func isUUID(_ s: String) -> Bool {
    let bytes = Array(s.utf8)
    guard bytes.count == 36 else { return false }
    for (i, b) in bytes.enumerated() {
        if i == 8 || i == 13 || i == 18 || i == 23 {
            if b != 45 { return false }
        } else if !((48...57).contains(b) || (97...102).contains(b) || (65...70).contains(b)) {
            return false
        }
    }
    return true
}
