import AgentSession
import Foundation
import ParleyTestSupport
import StreamJSON
import Testing

import Glibc

// Support for the real-CLI suite: the real `claude` (PARLEY_REAL_CLAUDE), a fake Messages API
// per test, a clean child environment, and ways to drive Parley (the built `parley` binary
// through pipes, or the `AgentSession` engine) against them.

/// Why the suite cannot run. Thrown, so the test fails with this text; never a skip.
struct RealCLISetupError: Error, CustomStringConvertible {
    let description: String
}

enum RealClaude {
    /// The real CLI from `PARLEY_REAL_CLAUDE`. A missing variable or file fails the test.
    static func path() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        guard let path = environment["PARLEY_REAL_CLAUDE"], !path.isEmpty else {
            throw RealCLISetupError(description: """
                PARLEY_REAL_CLAUDE is not set. The real-CLI suite needs the real claude binary and never skips: \
                run scripts/test (it installs claude with scripts/ensure-claude), or \
                PARLEY_REAL_CLAUDE=$(scripts/ensure-claude) swift test --filter RealCLITests
                """)
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
              FileManager.default.isExecutableFile(atPath: path) else {
            throw RealCLISetupError(description: "PARLEY_REAL_CLAUDE=\(path) is not an executable file")
        }
        return path
    }

    /// `claude --version` → "2.1.331".
    static func version(_ path: String, environment: [String: String]) async throws -> String {
        let outcome = try await runProgram(path, arguments: ["--version"], environment: environment, timeout: 30)
        return String(outcome.stdout.split(separator: " ").first ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// A running `fake-messages-api` with a record file. Stopped by ``stop()`` (stdin EOF, then SIGKILL).
final class FakeMessagesAPI: @unchecked Sendable {
    let port: Int
    let recordPath: String
    private let program: SpawnedProgram

    init(directory: TemporaryDirectory, arguments: [String] = []) throws {
        let binary = TestBinaries.fakeMessagesAPI
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw RealCLISetupError(description: "fake-messages-api not built at \(binary); build with swift build --build-tests")
        }
        recordPath = directory.file("api-record.jsonl")
        program = try SpawnedProgram(
            [binary, "--exit-on-stdin-eof", "--record", recordPath, "--quiet"] + arguments,
            environment: cleanEnvironment(home: directory.path), stderr: .file(directory.file("api-stderr.log")))
        // The first stdout line is PORT=<n>.
        let program = self.program
        let deadline = Date().addingTimeInterval(20)
        var port: Int?
        while port == nil && Date() < deadline && program.isRunning {
            if let line = program.stdout.split(separator: "\n").first, program.stdout.contains("\n"), line.hasPrefix("PORT=") {
                port = Int(line.dropFirst(5))
            } else {
                usleep(10_000)
            }
        }
        guard let port else {
            program.wait(timeout: 0)
            throw RealCLISetupError(description: "fake-messages-api did not print PORT=<n>")
        }
        self.port = port
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Closes its stdin (it exits), then kills it if it is still there.
    func stop() {
        program.closeInput()
        program.wait(timeout: 2)
    }

    /// Every recorded request, in order.
    var records: [JSONValue] {
        guard let data = FileManager.default.contents(atPath: recordPath) else { return [] }
        var framer = NDJSONFramer()
        return framer.append(data).compactMap { line in
            guard case .complete(let bytes) = line else { return nil }
            return try? JSONValue.parse(Data(bytes))
        }
    }

    /// The conversation requests (`kind: main`), oldest first.
    var mainRequests: [JSONValue] { records.filter { $0["kind"] == "main" } }
}

/// Helpers to read a recorded Messages API request.
enum APIRequest {
    /// `messages[]` without the `role:"system"` entries the CLI adds.
    static func conversation(_ record: JSONValue) -> [JSONValue] {
        (record["body"]?["messages"]?.arrayValue ?? []).filter { $0["role"] != "system" }
    }

    /// All text of a message: the string content, or its text blocks and tool_result contents.
    static func texts(of message: JSONValue) -> [String] {
        if let text = message["content"]?.stringValue { return [text] }
        return (message["content"]?.arrayValue ?? []).flatMap { block -> [String] in
            if let text = block["text"]?.stringValue { return [text] }
            if block["type"] == "tool_result" {
                if let text = block["content"]?.stringValue { return [text] }
                return (block["content"]?.arrayValue ?? []).compactMap { $0["text"]?.stringValue }
            }
            return []
        }
    }

    /// Every text in the conversation of a request, flattened.
    static func allTexts(_ record: JSONValue) -> [String] {
        conversation(record).flatMap(texts(of:))
    }

    /// The prompt the user typed in this request: the last text block of the last user
    /// message that is not one of the CLI's own additions.
    static func latestPrompt(_ record: JSONValue) -> String? {
        guard let last = conversation(record).last(where: { $0["role"] == "user" }) else { return nil }
        let own = ["<system-reminder>", "<local-command-", "<command-name>", "<command-message>"]
        if let text = last["content"]?.stringValue { return text }
        return (last["content"]?.arrayValue ?? [])
            .filter { $0["type"] == "text" }
            .compactMap { $0["text"]?.stringValue }
            .last { text in !own.contains { text.hasPrefix($0) } }
    }

    /// The tool_result blocks in a request's conversation.
    static func toolResults(_ record: JSONValue) -> [JSONValue] {
        conversation(record).flatMap { $0["content"]?.arrayValue ?? [] }.filter { $0["type"] == "tool_result" }
    }

    static func model(_ record: JSONValue) -> String? { record["body"]?["model"]?.stringValue }
}

/// One test's world: a temp directory with a fresh HOME and a work directory (the project
/// claude runs in), the real CLI, and a fake Messages API. Call ``finish()`` in a `defer`.
struct RealHarness {
    let claude: String
    let directory: TemporaryDirectory
    let api: FakeMessagesAPI

    init(apiArguments: [String] = []) throws {
        claude = try RealClaude.path()
        directory = TemporaryDirectory("parley-real")
        try FileManager.default.createDirectory(atPath: directory.file("home"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory.file("work"), withIntermediateDirectories: true)
        do {
            api = try FakeMessagesAPI(directory: directory, arguments: apiArguments)
        } catch {
            directory.remove()
            throw error
        }
    }

    var home: String { directory.file("home") }
    var work: String { directory.file("work") }

    /// The whole environment of a child: built here, nothing taken from the shell.
    func environment(_ extra: [String: String] = [:]) async -> [String: String] {
        cleanEnvironment(home: home, extra: [
            "ANTHROPIC_BASE_URL": api.baseURL,
            "ANTHROPIC_API_KEY": "sk-fake",
            "DISABLE_TELEMETRY": "1",
            "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
            "CLAUDE_CODE_MAX_RETRIES": "2",
            "XDG_CONFIG_HOME": directory.file("home/.config"),
            "XDG_STATE_HOME": directory.file("home/.state"),
            "PARLEY_RESTART_DELAYS": "0.1,0.2,0.4",
        ].merging(extra) { $1 })
    }

    /// Starts the built `parley --claude <real CLI> ARGUMENTS` in a tmux terminal, in the work
    /// directory, with the harness's environment plus a terminal's (`TERM`, `LANG`) and `extra`.
    /// The wrapper shell survives a Ctrl-C meant for parley (`trap : INT`; a trapped signal is
    /// reset to its default at exec, so parley sees Ctrl-C normally) and prints PARLEY-EXITED
    /// when parley ends.
    func terminal(_ arguments: String = "", extra: [String: String] = [:], width: Int = 100,
                  height: Int = 30) async throws -> TmuxTerminal {
        var environment = await environment()
        environment["TERM"] = "xterm-256color"
        environment["LANG"] = "C.UTF-8"
        for (key, value) in extra { environment[key] = value }
        let command = "trap : INT; cd \(work) && \(TestBinaries.parley) --claude \(claude)"
            + (arguments.isEmpty ? "" : " " + arguments) + "; echo PARLEY-EXITED"
        return try TmuxTerminal(command: command, width: width, height: height, environment: environment)
    }

    /// Runs `parley --claude <real CLI>` with `input` on stdin, in the work directory.
    func parley(_ input: String, _ arguments: [String] = [], environment extra: [String: String] = [:],
                timeout: TimeInterval = 90) async throws -> ProcessOutcome {
        try await runProgram(TestBinaries.parley, arguments: ["--claude", claude] + arguments, stdin: input,
                       environment: environment(extra), workingDirectory: work, timeout: timeout)
    }

    /// Starts `parley --claude <real CLI>` with open pipes, to watch it while it runs.
    func liveParley(_ arguments: [String] = [], environment extra: [String: String] = [:]) async throws -> LiveProcess {
        try await LiveProcess(TestBinaries.parley, arguments: ["--claude", claude] + arguments,
                        environment: environment(extra), workingDirectory: work)
    }

    /// A launch configuration for the engine: the real CLI, the work directory, this environment.
    func launch(allowedTools: [String] = [], environment extra: [String: String] = [:]) async -> LaunchConfiguration {
        await LaunchConfiguration(claudePath: claude, workingDirectory: work, allowedTools: allowedTools,
                            baseEnvironment: environment(extra))
    }

    /// Engine options for tests: quick recovery, no stall watchdog.
    static let sessionOptions = SessionOptions(
        recovery: .init(delays: [.milliseconds(100), .milliseconds(200), .milliseconds(400)], maxAttempts: 3),
        terminateGrace: .seconds(3), interruptGrace: .seconds(5), stallTimeout: nil)

    /// Stops the fake API and removes the directory; with `PARLEY_REAL_KEEP=1` the directory (the
    /// API record, claude's session files under home/.claude) is kept and its path printed.
    func finish() {
        api.stop()
        if ProcessInfo.processInfo.environment["PARLEY_REAL_KEEP"] == "1" {
            print("real-CLI test files kept in \(directory.path)")
        } else {
            directory.remove()
        }
    }
}

/// A program running with pipes: stdin written on demand, stdout and stderr collected as
/// timestamped chunks.
final class LiveProcess: @unchecked Sendable {
    private let program: SpawnedProgram

    init(_ path: String, arguments: [String], environment: [String: String], workingDirectory: String) throws {
        program = try SpawnedProgram([path] + arguments, environment: environment, workingDirectory: workingDirectory)
    }

    var pid: pid_t { program.pid }

    func write(_ text: String) { program.write(text) }
    func write(_ data: Data) { program.write(data) }
    func closeInput() { program.closeInput() }

    var chunks: [SpawnedProgram.Chunk] { program.chunks }
    var stdout: String { program.stdout }
    var stderr: String { program.stderr }

    /// The first moment stdout (so far) contained `text`, or nil.
    func timeStdoutContained(_ text: String) -> Date? {
        var accumulated = Data()
        for chunk in chunks {
            accumulated.append(chunk.bytes)
            if String(decoding: accumulated, as: UTF8.self).contains(text) { return chunk.time }
        }
        return nil
    }

    /// Polls until `condition` holds.
    func waitUntil(timeout: TimeInterval = 30, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }

    /// Closes stdin and waits for the exit; SIGKILL after `timeout`. Returns the status (or nil on timeout).
    @discardableResult
    func finish(timeout: TimeInterval = 60) -> Int32? {
        closeInput()
        return program.wait(timeout: timeout)
    }
}

/// The process table, read from /proc.
enum ProcessTable {
    struct Entry { let pid: pid_t; let ppid: pid_t; let pgrp: pid_t; let session: pid_t; let state: Character; let command: String }

    static func entry(_ pid: pid_t) -> Entry? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")") else { return nil }
        let command = String(stat[stat.index(after: open)..<close])
        let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
        guard fields.count > 3, let ppid = pid_t(fields[1]), let pgrp = pid_t(fields[2]), let session = pid_t(fields[3])
        else { return nil }
        return Entry(pid: pid, ppid: ppid, pgrp: pgrp, session: session, state: fields[0].first ?? "?", command: command)
    }

    static func all() -> [Entry] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return names.compactMap { pid_t($0) }.compactMap(entry)
    }

    /// Live (non-zombie) processes of process group `group`.
    static func members(ofGroup group: pid_t) -> [Entry] {
        all().filter { $0.pgrp == group && $0.state != "Z" }
    }

    /// All live descendants of `pid`.
    static func descendants(of pid: pid_t) -> [Entry] {
        let table = all()
        var result: [Entry] = []
        var frontier: Set<pid_t> = [pid]
        while !frontier.isEmpty {
            let next = table.filter { frontier.contains($0.ppid) && $0.state != "Z" }
            result += next
            frontier = Set(next.map(\.pid))
        }
        return result
    }

    /// The environment of `pid` (NUL-separated in /proc/<pid>/environ).
    static func environment(of pid: pid_t) -> [String: String] {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return [:] }
        var result: [String: String] = [:]
        for entry in data.split(separator: 0) {
            let text = String(decoding: entry, as: UTF8.self)
            guard let equals = text.firstIndex(of: "=") else { continue }
            result[String(text[..<equals])] = String(text[text.index(after: equals)...])
        }
        return result
    }
}

/// Collects an ``AgentSession``'s events so a test can wait for one and inspect them all.
actor SessionEvents {
    private(set) var events: [SessionEvent] = []

    init(_ session: AgentSession) {
        let stream = session.events
        Task { await self.consume(stream) }
    }

    private func consume(_ stream: AsyncStream<SessionEvent>) async {
        for await event in stream { append(event) }
    }

    private func append(_ event: SessionEvent) { events.append(event) }

    /// Waits until an event matches (looking only at events from index `after` on).
    func waitFor(after start: Int = 0, timeout: Duration = .seconds(30),
                 _ predicate: @Sendable (SessionEvent) -> Bool) async -> SessionEvent? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let match = events.dropFirst(start).first(where: predicate) { return match }
            if ContinuousClock.now >= deadline { return nil }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    var count: Int { events.count }

    func since(_ start: Int) -> [SessionEvent] { Array(events.dropFirst(start)) }

    var completedTurns: [TurnSummary] {
        events.compactMap { if case .turnCompleted(let summary) = $0 { summary } else { nil } }
    }

    var pids: [Int32] {
        events.compactMap { if case .processStarted(let pid, _) = $0 { pid } else { nil } }
    }
}

/// Sends `text` and waits for its turn to end; returns its summary.
func sendAndWait(_ session: AgentSession, _ events: SessionEvents, _ text: String,
                 timeout: Duration = .seconds(60)) async throws -> TurnSummary {
    let message = await session.send(text)
    let event = await events.waitFor(timeout: timeout) { event in
        if case .turnCompleted(let summary) = event { return summary.message.id == message.id }
        return false
    }
    guard case .turnCompleted(let summary)? = event else {
        throw RealCLISetupError(description: "no result for “\(text)” within \(timeout)")
    }
    return summary
}

extension SessionEvent {
    var isTextDelta: Bool { if case .textDelta = self { true } else { false } }
    var isTurnCompleted: Bool { if case .turnCompleted = self { true } else { false } }
    var isToolUse: Bool { if case .toolUse = self { true } else { false } }
    var isPermissionRequest: Bool { if case .permissionRequested = self { true } else { false } }
}

/// The root of the real-CLI suite: everything in it runs one test at a time (each test starts
/// real `claude` processes; on 2 cores, parallel runs would distort the timing checks).
@Suite(.serialized, .timeLimit(.minutes(5))) enum RealCLI {}
