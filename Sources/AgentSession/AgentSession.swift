import Foundation
import StreamJSON

import Glibc

/// One conversation with one long-lived `claude` process.
///
/// `send` writes a message at once when the session is idle and queues it otherwise;
/// everything the process does comes out of ``events`` as ``SessionEvent``s, in order.
/// The process starts with the first `send` (or ``start()``), is restarted with
/// `--resume` when it crashes, and is always stopped and reaped by ``terminate()``.
///
/// The work is split along the flow: ``SessionStateMachine`` decides, `ChunkProcessor` turns
/// stdout into events, `ControlRequestClient` tracks control requests, `StallWatchdog` judges
/// silence; this actor performs what they ask (this file: the public API; the
/// `AgentSession+Process.swift` extension: the process, its output and the timers).
///
/// ```swift
/// let session = AgentSession(configuration: LaunchConfiguration(model: "sonnet"))
/// Task { for await event in session.events { print(event) } }
/// await session.send("hello")
/// await session.waitUntilSettled()
/// await session.terminate()
/// ```
public actor AgentSession {
    /// Every event, in order. Single consumer. Finishes after ``SessionEvent/closed``.
    public nonisolated let events: AsyncStream<SessionEvent>
    /// Back-pressure from the consumer of ``events``, when ``SessionOptions/eventBacklog`` asks
    /// for it.
    public nonisolated let eventFlow: EventFlowGate?
    let continuation: AsyncStream<SessionEvent>.Continuation

    var configuration: LaunchConfiguration
    let options: SessionOptions
    let clock: SessionClock
    var machine: SessionStateMachine
    var processor = ChunkProcessor()
    var controls = ControlRequestClient()
    var stderrTail = StderrTail()
    /// `nil` when ``SessionOptions/stallTimeout`` is off.
    var watchdog: StallWatchdog?
    /// A watchdog loop is running (at most one ever exists).
    var watchdogRunning = false

    var child: ChildProcess?
    var generation = 0
    var processStartedAt: ContinuousClock.Instant?
    private var messageCounter = 0
    private var messageIDs = MessageIDGenerator()
    var capabilities: SessionCapabilities?
    var settledWaiters: [CheckedContinuation<Void, Never>] = []
    /// How many events have been put on ``events`` so far.
    public internal(set) var emittedEventCount = 0

    public init(configuration: LaunchConfiguration, options: SessionOptions = SessionOptions()) {
        self.configuration = configuration
        self.options = options
        self.clock = SessionClock(options.clock)
        self.machine = SessionStateMachine(
            policy: options.recovery, resumeSessionID: configuration.resumeSessionID, model: configuration.model,
            permissionMode: configuration.permissionMode)
        (events, continuation) = AsyncStream.makeStream(of: SessionEvent.self, bufferingPolicy: .unbounded)
        eventFlow = options.eventBacklog.map(EventFlowGate.init(limit:))
        watchdog = options.stallTimeout.map(StallWatchdog.init(timeout:))
    }

    deinit {
        child?.signal(SIGKILL, toGroup: true)
        eventFlow?.release()
    }

    // MARK: Public API

    /// Starts the process now instead of at the first `send`, so that `initialize` can
    /// report commands and models before the first turn.
    public func start() {
        perform(machine.handle(.start))
    }

    /// Sends `text` as one user turn: now if idle, else after the queued ones.
    @discardableResult
    public func send(_ text: String) -> QueuedMessage {
        messageCounter += 1
        let message = QueuedMessage(id: messageIDs.next(), text: text, sequenceNumber: messageCounter)
        perform(machine.handle(.send(message)))
        return message
    }

    /// Interrupts the running turn. Returns false when no turn is running.
    @discardableResult
    public func interrupt() -> Bool {
        guard machine.isBusy else { return false }
        if case .interrupting = machine.phase { return true }
        perform(machine.handle(.interrupt))
        return true
    }

    /// Messages waiting behind the running turn, oldest first.
    public var queuedMessages: [QueuedMessage] { machine.queue }

    /// Removes the queued message at `index` (0-based) and returns it.
    public func dropQueued(at index: Int) -> QueuedMessage? {
        defer { resumeSettledWaitersIfNeeded() }
        return machine.dropQueued(at: index)
    }

    /// Empties the queue and returns what it held.
    public func clearQueue() -> [QueuedMessage] {
        defer { resumeSettledWaitersIfNeeded() }
        return machine.clearQueue()
    }

    /// Restarts the process: the same conversation (`--resume`), or a new one when `fresh`.
    /// A running turn is reported as not answered; queued messages are kept.
    public func restart(fresh: Bool = false) {
        perform(machine.handle(.restart(fresh: fresh)))
    }

    /// Restarts the process continuing the conversation `sessionID` (`--resume`), as `/restart`
    /// does for the current one.
    public func resume(sessionID: String) {
        perform(machine.handle(.resume(sessionID: sessionID)))
    }

    /// Replaces the launch configuration (a persona switch) and restarts with it.
    public func reconfigure(_ configuration: LaunchConfiguration, fresh: Bool) {
        var configuration = configuration
        configuration.resumeSessionID = nil
        configuration.continueMostRecent = false
        self.configuration = configuration
        perform(machine.handle(.modelChanged(configuration.model)))
        perform(machine.handle(.permissionModeChanged(configuration.permissionMode)))
        restart(fresh: fresh)
    }

    /// The configuration the next process starts with.
    public var launchConfiguration: LaunchConfiguration { configuration }

    /// Answers a ``SessionEvent/permissionRequested(_:)``.
    public func answerPermission(requestID: String, decision: PermissionDecision) {
        child?.write(OutgoingMessage.permissionResponse(requestID: requestID, decision).encodedLine())
    }

    /// Switches the model (`set_model`); returns the model the CLI resolved.
    public func setModel(_ model: String?) async throws(SessionError) -> String {
        let resolved = try await request(SetModelRequest(model: model))
        perform(machine.handle(.modelChanged(resolved)))
        return resolved
    }

    /// Switches the CLI's permission mode (`set_permission_mode`).
    public func setPermissionMode(_ mode: String) async throws(SessionError) -> String {
        let confirmed = try await request(SetPermissionModeRequest(mode: mode))
        perform(machine.handle(.permissionModeChanged(confirmed)))
        return confirmed
    }

    /// Sends a control request and waits for its typed answer (at most
    /// ``SessionOptions/controlTimeout``). Starts the process if it has not started yet.
    public func request<Request: ControlRequest>(_ request: Request) async throws(SessionError) -> Request.Response {
        if case .notStarted = machine.phase { start() }
        guard let child else { throw .notRunning }
        let timeout = options.controlTimeout
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<JSONValue, SessionError>, Never>) in
            let (id, line) = controls.begin(request.body) { continuation.resume(returning: $0) }
            child.write(line)
            scheduleDeadline(of: id, after: timeout)
        }
        return try request.decode(result.get())
    }

    /// What `/status` shows.
    public var snapshot: SessionSnapshot {
        SessionSnapshot(
            pid: child?.pid, sessionID: machine.sessionID, model: machine.model, phase: machine.phase,
            queueLength: machine.queue.count, completedTurns: machine.completedTurns,
            totalCostUSD: machine.totalCostUSD, restarts: machine.restartCount,
            uptime: processStartedAt.map { ContinuousClock.now - $0 }, capabilities: capabilities,
            claudeCodeVersion: machine.claudeCodeVersion ?? capabilities?.claudeCodeVersion,
            permissionMode: machine.permissionMode)
    }

    /// True when no turn runs, the queue is empty, no restart is pending and a new process
    /// has answered `initialize` (or the session has failed or closed).
    public var isSettled: Bool { machine.isSettled && !controls.awaitsInitialize }

    /// Waits until ``isSettled``: every message sent so far was answered or reported.
    public func waitUntilSettled() async {
        if isSettled { return }
        await withCheckedContinuation { settledWaiters.append($0) }
    }

    /// Stops the process (stdin EOF, grace period, SIGTERM, SIGKILL; always reaped) and
    /// closes the session. Queued messages are reported as not answered.
    public func terminate() async {
        perform(machine.handle(.terminate))
        while true {
            if case .closed = machine.phase { return }
            await withCheckedContinuation { settledWaiters.append($0) }
        }
    }

    func resumeSettledWaitersIfNeeded() {
        guard !settledWaiters.isEmpty, isSettled else { return }
        let waiters = settledWaiters
        settledWaiters.removeAll()
        for waiter in waiters { waiter.resume() }
    }
}

/// Ids for user messages: lowercase UUIDs (version 4 layout), random for each session and
/// counting up within it. As unique as a fresh `UUID()` per message (the session part has
/// 74 random bits), without the random-number system call and formatting each time.
///
/// The count is in the *first* group: the CLI finds a message by the first 24 characters of
/// its uuid (`rewind_conversation`), so those must differ from one message to the next.
struct MessageIDGenerator: Sendable {
    /// `-xxxx-4xxx-yxxx-xxxxxxxxxxxx`: the last four groups of a random UUID.
    private let suffix: String
    /// The first group (32 bits), random to begin with.
    private var counter: UInt32

    init() {
        let base = UUID().uuidString.lowercased()
        suffix = String(base.dropFirst(8))
        counter = UInt32(base.prefix(8), radix: 16) ?? 0
    }

    mutating func next() -> String {
        counter &+= 1
        let hex = String(counter, radix: 16)
        return String(repeating: "0", count: 8 - hex.utf8.count) + hex + suffix
    }
}
