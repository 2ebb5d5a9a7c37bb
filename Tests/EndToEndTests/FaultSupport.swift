import Foundation
import Locking
import ParleyTestSupport
import StreamJSON

import Glibc

/// The built `parley`, started with pipes and watched through `/proc` while it runs: peak
/// resident memory (`VmHWM`), CPU time (utime + stime) and its children.
final class WatchedParley: @unchecked Sendable {
    let program: SpawnedProgram
    private let samples = Locked<(peakKB: Int, cpuSeconds: Double)>((0, 0))

    /// `rssLimitMB`: SIGKILL `parley` if its resident memory passes this (a guard for tests of
    /// runaway memory, so a failing test cannot take the machine down).
    init(arguments: [String] = [], environment: [String: String], workingDirectory: String, rssLimitMB: Int? = nil) throws {
        program = try SpawnedProgram([TestBinaries.parley] + arguments, environment: environment,
                                     workingDirectory: workingDirectory)
        let pid = program.pid
        let program = self.program
        Thread.detachNewThread { [samples] in
            while program.isRunning {
                if let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
                   let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
                   let kb = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") {
                    samples.withLock { $0.peakKB = max($0.peakKB, kb) }
                    if let rssLimitMB, kb / 1024 > rssLimitMB { kill(pid, SIGKILL) }
                }
                if let cpu = Self.cpuSeconds(of: pid) { samples.withLock { $0.cpuSeconds = max($0.cpuSeconds, cpu) } }
                usleep(5_000)
            }
        }
    }

    var pid: pid_t { program.pid }

    func write(_ text: String) { program.write(text) }
    func closeInput() { program.closeInput() }

    /// Waits for exit (SIGKILL after `timeout`); returns the status, or nil on timeout.
    func wait(timeout: TimeInterval) async -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while program.isRunning && Date() < deadline { try? await Task.sleep(for: .milliseconds(10)) }
        return program.wait(timeout: 0)
    }

    var stdout: String { program.stdout }
    var stdoutByteCount: Int { program.stdoutByteCount }
    var stderr: String { program.stderr }
    /// Highest `VmHWM` seen, in KiB.
    var peakResidentKB: Int { samples.withLock { $0.peakKB } }
    /// Parley's own CPU time (user + system), last sample before it exited.
    var cpuSeconds: Double { samples.withLock { $0.cpuSeconds } }

    /// utime + stime of `pid` from `/proc/<pid>/stat`, in seconds.
    static func cpuSeconds(of pid: pid_t) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
        // Fields after the name start at "state" (field 3); utime is field 14, stime 15.
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}

/// The piped fixture, with the fault suites' extras.
typealias FaultFixture = PipedFixture

extension PipedFixture {
    func watched(_ arguments: [String] = [], environment extra: [String: String] = [:], rssLimitMB: Int? = nil) throws -> WatchedParley {
        try WatchedParley(arguments: arguments, environment: environment(extra), workingDirectory: directory.path,
                          rssLimitMB: rssLimitMB)
    }

    /// An executable shell script in the fixture directory.
    func script(_ name: String, _ body: String) -> String {
        let path = directory.file(name)
        FileManager.default.createFile(atPath: path, contents: Data("#!/bin/sh\n\(body)\n".utf8),
                                       attributes: [.posixPermissions: 0o755])
        return path
    }

    /// Lines of `text` that are not empty.
    static func lines(_ text: String) -> [Substring] { text.split(separator: "\n") }
}

/// Multiplies the wall-clock, CPU and memory bounds of the fault tests: 1 normally; set
/// `PARLEY_FAULT_TIME_SCALE=4` (or more) under ThreadSanitizer / AddressSanitizer, which slow
/// everything down and (ASan) inflate memory. The structural checks never scale.
let faultScale: Double = ProcessInfo.processInfo.environment["PARLEY_FAULT_TIME_SCALE"].flatMap(Double.init) ?? 1
