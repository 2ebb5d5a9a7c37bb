import Foundation
import StreamJSON

import Glibc

/// Paths of the package's built executables, found next to the test bundle.
public enum TestBinaries {
    public static let productsDirectory: URL = {
        if let override = ProcessInfo.processInfo.environment["PARLEY_PRODUCTS_DIR"] {
            return URL(fileURLWithPath: override)
        }
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("fake-claude").path) { return url }
        }
        return Bundle.main.bundleURL
    }()

    public static var fakeClaude: String { productsDirectory.appendingPathComponent("fake-claude").path }
    public static var parley: String { productsDirectory.appendingPathComponent("parley").path }
    public static var fakeMessagesAPI: String { productsDirectory.appendingPathComponent("fake-messages-api").path }
}

/// A fresh private directory, removed by ``remove()``.
public struct TemporaryDirectory: Sendable {
    public let path: String

    public init(_ label: String = "parley-test") {
        let template = NSTemporaryDirectory() + "\(label)-XXXXXX"
        var bytes = Array(template.utf8CString)
        let result = bytes.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        path = result.map { String(cString: $0) } ?? (NSTemporaryDirectory() + label + UUID().uuidString)
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    public func file(_ name: String) -> String { path + "/" + name }

    public func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// What the process table says about our children: the evidence for "no zombie, nothing leaked".
public enum ProcessInspector {
    /// Children of `parent` (default: this process), with their state letter (`Z` = zombie).
    public static func children(of parent: pid_t = getpid()) -> [(pid: pid_t, state: Character)] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        var result: [(pid_t, Character)] = []
        for entry in entries {
            guard let pid = pid_t(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
            guard fields.count > 2, let ppid = pid_t(fields[1]), ppid == parent else { continue }
            result.append((pid, fields[0].first ?? "?"))
        }
        return result
    }

    /// True while `pid` exists (and is not a zombie).
    public static func isAlive(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        return stat[stat.index(close, offsetBy: 2)] != "Z"
    }

    /// True while `pid` has a process-table entry (running or a zombie not yet reaped).
    public static func exists(_ pid: pid_t) -> Bool {
        FileManager.default.fileExists(atPath: "/proc/\(pid)")
    }

    /// Open file descriptors of this process.
    public static func openDescriptorCount() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
    }

    /// Waits until `condition` holds, up to `timeout`.
    public static func eventually(timeout: Duration = .seconds(5), _ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return condition()
    }
}

/// The record file `fake-claude` writes (`FAKE_CLAUDE_RECORD`): what it was started with
/// and every stdin line it received.
public struct FakeClaudeRecord: Sendable {
    public let path: String
    public init(path: String) { self.path = path }

    public var entries: [JSONValue] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        var framer = NDJSONFramer()
        return framer.append(data).compactMap { line in
            guard case .complete(let bytes) = line else { return nil }
            return try? JSONValue.parse(Data(bytes))
        }
    }

    public var starts: [JSONValue] { entries.filter { $0["event"] == "start" } }

    /// Every stdin line, parsed.
    public var stdinLines: [JSONValue] {
        entries.filter { $0["event"] == "stdin" }.compactMap { entry in
            entry["line"]?.stringValue.flatMap { try? JSONValue.parse(Data($0.utf8)) }
        }
    }

    /// The texts of the user messages received, in order.
    public var userTexts: [String] {
        stdinLines.filter { $0["type"] == "user" }.compactMap { $0["message"]?["content"]?.stringValue }
    }

    /// The argv of each start.
    public var argvs: [[String]] {
        starts.map { $0["argv"]?.arrayValue?.compactMap(\.stringValue) ?? [] }
    }
}

/// The result of running a program to completion.
public struct ProcessOutcome: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
}

/// Runs a program with the given stdin, environment and timeout (with a clean signal state,
/// as from a shell); kills it on timeout.
///
/// The wait happens on a thread of its own, never on the cooperative pool: that pool has one
/// thread per core (two here), and tests blocked in waits on it would starve every other test's
/// tasks (and their time limits) for as long as their programs run.
public func runProgram(_ path: String, arguments: [String] = [], stdin: String = "", environment: [String: String],
                       workingDirectory: String? = nil, timeout: TimeInterval = 60) async throws -> ProcessOutcome {
    try await withCheckedThrowingContinuation { continuation in
        Thread {
            continuation.resume(with: Result {
                try runProgramBlocking(path, arguments: arguments, stdin: stdin, environment: environment,
                                       workingDirectory: workingDirectory, timeout: timeout)
            })
        }.start()
    }
}

/// ``runProgram(_:arguments:stdin:environment:workingDirectory:timeout:)`` on the calling thread:
/// only for short commands from synchronous helpers.
public func runProgramBlocking(_ path: String, arguments: [String] = [], stdin: String = "", environment: [String: String],
                               workingDirectory: String? = nil, timeout: TimeInterval = 60) throws -> ProcessOutcome {
    let child = try CleanSpawn.spawn([path] + arguments, environment: environment, workingDirectory: workingDirectory,
                                     pipeStdin: true, pipeStdout: true, pipeStderr: true)
    let stdout = CleanSpawn.readAll(child.stdoutFD)
    let stderr = CleanSpawn.readAll(child.stderrFD)
    let input = Data(stdin.utf8)
    Thread.detachNewThread {
        input.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(child.stdinFD, raw.baseAddress! + offset, raw.count - offset)
                if written <= 0 { if errno == EINTR { continue } else { break } }
                offset += written
            }
        }
        close(child.stdinFD)
    }
    guard let status = CleanSpawn.wait(child.pid, timeout: timeout) else {
        kill(child.pid, SIGKILL)
        _ = CleanSpawn.wait(child.pid, timeout: 10)
        throw TimedOut(stdout: String(decoding: stdout(), as: UTF8.self), stderr: String(decoding: stderr(), as: UTF8.self))
    }
    return ProcessOutcome(status: status, stdout: String(decoding: stdout(), as: UTF8.self),
                          stderr: String(decoding: stderr(), as: UTF8.self))
}

public struct TimedOut: Error, CustomStringConvertible {
    public let stdout: String
    public let stderr: String
    public var description: String { "timed out; stdout: \(stdout.suffix(500)) stderr: \(stderr.suffix(500))" }
}

/// A clean environment for child processes: nothing inherited but PATH and HOME.
public func cleanEnvironment(home: String, extra: [String: String] = [:]) -> [String: String] {
    var environment = ["PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": home, "LANG": "C.UTF-8"]
    for (key, value) in extra { environment[key] = value }
    return environment
}
