import Foundation
import StreamJSON

#if canImport(Glibc)
import Glibc
#endif

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

/// Runs a program with the given stdin, environment and timeout; kills it on timeout.
public func runProgram(_ path: String, arguments: [String] = [], stdin: String = "", environment: [String: String],
                       workingDirectory: String? = nil, timeout: TimeInterval = 60) throws -> ProcessOutcome {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    process.environment = environment
    if let workingDirectory { process.currentDirectoryURL = URL(fileURLWithPath: workingDirectory) }
    let input = Pipe(), output = Pipe(), error = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = error
    try process.run()
    let outData = LockedData(), errData = LockedData()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async { outData.set(output.fileHandleForReading.readDataToEndOfFile()); group.leave() }
    group.enter()
    DispatchQueue.global().async { errData.set(error.fileHandleForReading.readDataToEndOfFile()); group.leave() }
    input.fileHandleForWriting.write(Data(stdin.utf8))
    try? input.fileHandleForWriting.close()
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning && Date() < deadline { usleep(10_000) }
    if process.isRunning {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        group.wait()
        throw TimedOut(stdout: outData.string, stderr: errData.string)
    }
    process.waitUntilExit()
    group.wait()
    return ProcessOutcome(status: process.terminationStatus, stdout: outData.string, stderr: errData.string)
}

public struct TimedOut: Error, CustomStringConvertible {
    public let stdout: String
    public let stderr: String
    public var description: String { "timed out; stdout: \(stdout.suffix(500)) stderr: \(stderr.suffix(500))" }
}

final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func set(_ value: Data) { lock.lock(); data = value; lock.unlock() }
    var string: String { lock.lock(); defer { lock.unlock() }; return String(decoding: data, as: UTF8.self) }
}

/// A clean environment for child processes: nothing inherited but PATH and HOME.
public func cleanEnvironment(home: String, extra: [String: String] = [:]) -> [String: String] {
    var environment = ["PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": home, "LANG": "C.UTF-8"]
    for (key, value) in extra { environment[key] = value }
    return environment
}
