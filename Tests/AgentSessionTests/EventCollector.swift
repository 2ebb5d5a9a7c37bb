import AgentSession
import Foundation
import ParleyTestSupport
import StreamJSON
import Testing

/// Collects a session's events so a test can wait for one and inspect them all.
actor EventCollector {
    private(set) var events: [SessionEvent] = []
    private var task: Task<Void, Never>?

    init(_ session: AgentSession) {
        let stream = session.events
        Task { await self.start(stream) }
    }

    private func start(_ stream: AsyncStream<SessionEvent>) {
        task = Task { for await event in stream { self.append(event) } }
    }

    private func append(_ event: SessionEvent) { events.append(event) }

    /// Waits until an event matches, returning it (or nil after `timeout`).
    func waitFor(timeout: Duration = .seconds(10), _ predicate: @Sendable (SessionEvent) -> Bool) async -> SessionEvent? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let match = events.first(where: predicate) { return match }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return events.first(where: predicate)
    }

    /// Waits until `count` events match.
    func waitFor(count: Int, timeout: Duration = .seconds(10), _ predicate: @Sendable (SessionEvent) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if events.filter(predicate).count >= count { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return events.filter(predicate).count >= count
    }

    /// Waits for the session to settle, then until the event stream has been consumed (no
    /// new event for 50 ms), so assertions see everything the session emitted.
    func settled(_ session: AgentSession) async {
        await session.waitUntilSettled()
        var count = -1
        while count != events.count {
            count = events.count
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    var completedTurns: [TurnSummary] {
        events.compactMap { if case .turnCompleted(let summary) = $0 { summary } else { nil } }
    }

    var pids: [Int32] {
        events.compactMap { if case .processStarted(let pid, _) = $0 { pid } else { nil } }
    }

    var streamedText: String {
        events.compactMap { if case .textDelta(let text) = $0 { text } else { nil } }.joined()
    }
}

/// A session on the double with a record file and fast recovery.
struct DoubleHarness {
    let directory = TemporaryDirectory("agent-session")
    var record: FakeClaudeRecord { FakeClaudeRecord(path: directory.file("record.jsonl")) }

    func configuration(extraEnvironment: [String: String] = [:], claudePath: String? = nil) -> LaunchConfiguration {
        var environment = cleanEnvironment(home: directory.path, extra: [
            "FAKE_CLAUDE_RECORD": directory.file("record.jsonl"),
            "FAKE_CLAUDE_STATE_DIR": directory.path,
        ])
        for (key, value) in extraEnvironment { environment[key] = value }
        return LaunchConfiguration(claudePath: claudePath ?? TestBinaries.fakeClaude, workingDirectory: directory.path,
                                   baseEnvironment: environment)
    }

    static let fastOptions = SessionOptions(
        recovery: .init(delays: [.milliseconds(50), .milliseconds(100), .milliseconds(200)], maxAttempts: 3),
        terminateGrace: .seconds(2), interruptGrace: .seconds(2), stallTimeout: nil)
}

/// Runs `body` with a session on the double and always terminates it (and removes the
/// double's directory) afterwards, also when `body` throws.
func withDoubleSession<T>(
    options: SessionOptions = DoubleHarness.fastOptions, extraEnvironment: [String: String] = [:],
    _ body: (AgentSession, DoubleHarness) async throws -> T
) async throws -> T {
    let harness = DoubleHarness()
    let session = AgentSession(configuration: harness.configuration(extraEnvironment: extraEnvironment), options: options)
    let result: Result<T, any Error>
    do { result = .success(try await body(session, harness)) } catch { result = .failure(error) }
    await session.terminate()
    harness.directory.remove()
    return try result.get()
}

/// Whether `session` settles within `limit`: polls, so it returns in time either way.
func settles(_ session: AgentSession, within limit: Duration) async -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if await session.isSettled { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return await session.isSettled
}

func isTurnCompleted(_ event: SessionEvent) -> Bool {
    if case .turnCompleted = event { return true }
    return false
}
