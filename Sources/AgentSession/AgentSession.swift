import Foundation
import StreamJSON

import Glibc

/// Tuning for an ``AgentSession``; the defaults suit interactive use, tests shorten them.
public struct SessionOptions: Sendable {
    /// Backoff and attempt limit for crash recovery.
    public var recovery: SessionStateMachine.RecoveryPolicy
    /// After closing stdin, how long the CLI gets to finish and flush its session file
    /// before SIGTERM.
    public var terminateGrace: Duration
    /// How long an interrupt may take before Parley escalates (SIGINT, then resume).
    public var interruptGrace: Duration
    /// A turn with no event for this long is reported as stalled; `nil` turns it off.
    public var stallTimeout: Duration?
    /// Send `initialize` when a process starts (to learn commands and models).
    public var sendInitialize: Bool
    /// With a value, ``AgentSession/eventFlow`` is a gate that holds the process's output
    /// while more than this many events are unconsumed; the consumer must then report every
    /// event (``EventFlowGate/consumed()``). `nil` (the default): no back-pressure.
    public var eventBacklog: Int?

    public init(recovery: SessionStateMachine.RecoveryPolicy = .init(), terminateGrace: Duration = .seconds(3),
                interruptGrace: Duration = .seconds(5), stallTimeout: Duration? = .seconds(120),
                sendInitialize: Bool = true, eventBacklog: Int? = nil) {
        self.recovery = recovery
        self.terminateGrace = terminateGrace
        self.interruptGrace = interruptGrace
        self.stallTimeout = stallTimeout
        self.sendInitialize = sendInitialize
        self.eventBacklog = eventBacklog
    }
}

/// A point-in-time view of the session for `/status`.
public struct SessionSnapshot: Sendable, Equatable {
    public var pid: Int32?
    public var sessionID: String?
    public var model: String?
    public var phase: SessionStateMachine.Phase
    public var queueLength: Int
    public var completedTurns: Int
    public var totalCostUSD: Double
    public var restarts: Int
    /// Time since the current process started.
    public var uptime: Duration?
    public var capabilities: SessionCapabilities?
    public var claudeCodeVersion: String?
    public var permissionMode: String?
}

/// One conversation with one long-lived `claude` process.
///
/// `send` writes a message at once when the session is idle and queues it otherwise;
/// everything the process does comes out of ``events`` as ``SessionEvent``s, in order.
/// The process starts with the first `send` (or ``start()``), is restarted with
/// `--resume` when it crashes, and is always stopped and reaped by ``terminate()``.
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
    private let continuation: AsyncStream<SessionEvent>.Continuation

    private var configuration: LaunchConfiguration
    private let options: SessionOptions
    private var machine: SessionStateMachine
    private var translator = EventTranslator()
    private var framer = NDJSONFramer()
    private let decoder = MessageDecoder()
    private var stderrTail = StderrTail()

    private var child: ChildProcess?
    private var generation = 0
    private var processStartedAt: ContinuousClock.Instant?
    private var messageCounter = 0
    private var messageIDs = MessageIDGenerator()
    private var controlCounter = 0
    private var pendingControls: [String: PendingControl] = [:]
    private var capabilities: SessionCapabilities?
    private var currentModel: String?
    private var permissionMode: String?
    private var claudeCodeVersion: String?
    private var settledWaiters: [CheckedContinuation<Void, Never>] = []
    private var lastActivity = ContinuousClock.now
    private var lastEventDescription = "none"
    private var stallReported = false
    private var watchdog: Task<Void, Never>?
    /// How many events have been put on ``events`` so far.
    public private(set) var emittedEventCount = 0
    /// Text deltas decoded from the stdout chunk being processed, emitted as one event when
    /// the chunk is done or before any other event (so order is kept and nothing waits).
    private var pendingText = ""
    /// A stdout chunk is being framed and handled: its text deltas are merged and its events
    /// held until it is done.
    private var processingChunk = false
    /// A well-formed message arrived in the stdout chunk being processed (see `lastActivity`).
    private var sawMessageInChunk = false
    /// Events of the stdout chunk being processed, not yet on ``events`` (see `put`).
    private var chunkEvents: [SessionEvent] = []

    private struct PendingControl {
        let subtype: String
        let continuation: CheckedContinuation<Result<JSONValue, SessionError>, Never>?
    }

    public init(configuration: LaunchConfiguration, options: SessionOptions = SessionOptions()) {
        self.configuration = configuration
        self.options = options
        self.machine = SessionStateMachine(policy: options.recovery, resumeSessionID: configuration.resumeSessionID)
        (events, continuation) = AsyncStream.makeStream(of: SessionEvent.self, bufferingPolicy: .unbounded)
        eventFlow = options.eventBacklog.map(EventFlowGate.init(limit:))
        self.currentModel = configuration.model
        self.permissionMode = configuration.permissionMode
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

    /// Replaces the launch configuration (a persona switch) and restarts with it.
    public func reconfigure(_ configuration: LaunchConfiguration, fresh: Bool) {
        var configuration = configuration
        configuration.resumeSessionID = nil
        configuration.continueMostRecent = false
        self.configuration = configuration
        currentModel = configuration.model
        permissionMode = configuration.permissionMode
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
        let response = try await control(.setModel(model))
        let resolved = response["model"]?.stringValue ?? model ?? "default"
        currentModel = resolved
        return resolved
    }

    /// Switches the CLI's permission mode (`set_permission_mode`).
    public func setPermissionMode(_ mode: String) async throws(SessionError) -> String {
        let response = try await control(.setPermissionMode(mode))
        let confirmed = response["mode"]?.stringValue ?? mode
        permissionMode = confirmed
        return confirmed
    }

    /// Sends a control request and waits for its answer.
    public func control(_ body: ControlRequestBody) async throws(SessionError) -> JSONValue {
        if case .notStarted = machine.phase { start() }
        guard let child else { throw .notRunning }
        controlCounter += 1
        let id = "parley-\(controlCounter)"
        let result = await withCheckedContinuation { continuation in
            pendingControls[id] = PendingControl(subtype: body.subtype, continuation: continuation)
            child.write(OutgoingMessage.controlRequest(requestID: id, body).encodedLine())
        }
        return try result.get()
    }

    /// What `/status` shows.
    public var snapshot: SessionSnapshot {
        SessionSnapshot(
            pid: child?.pid, sessionID: machine.sessionID, model: currentModel ?? machine.model, phase: machine.phase,
            queueLength: machine.queue.count, completedTurns: machine.completedTurns,
            totalCostUSD: machine.totalCostUSD, restarts: machine.restartCount,
            uptime: processStartedAt.map { ContinuousClock.now - $0 }, capabilities: capabilities,
            claudeCodeVersion: claudeCodeVersion ?? capabilities?.claudeCodeVersion, permissionMode: permissionMode)
    }

    /// True when no turn runs, the queue is empty, and no restart is pending (or the
    /// session has failed or closed).
    public var isSettled: Bool { machine.isSettled }

    /// Waits until ``isSettled``: every message sent so far was answered or reported.
    public func waitUntilSettled() async {
        if machine.isSettled { return }
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

    // MARK: Running the machine

    private func perform(_ actions: [SessionStateMachine.Action]) {
        for action in actions {
            switch action {
            case .spawn(let mode):
                spawn(mode)
            case .write(let message):
                child?.write(message.encodedLine())
            case .stopProcess:
                guard let child else { continue }
                // Ask the CLI to end a running turn first, so that stdin EOF lets it exit at once.
                child.write(OutgoingMessage.controlRequest(requestID: "parley-stop", .interrupt).encodedLine())
                child.beginTermination(grace: options.terminateGrace)
            case .signalInterrupt:
                child?.signal(SIGINT)
            case .scheduleRestart(let attempt, let delay):
                Task { [weak self] in
                    try? await Task.sleep(for: delay)
                    await self?.timerFired(.restartTimerFired(attempt: attempt))
                }
            case .scheduleInterruptTimeout(let messageID):
                let grace = options.interruptGrace
                Task { [weak self] in
                    try? await Task.sleep(for: grace)
                    await self?.timerFired(.interruptTimedOut(messageID: messageID))
                }
            case .emit(let event):
                emit(event)
            }
        }
        // An interrupt's result and a stopping process's exit never wait for the screen.
        switch machine.phase {
        case .interrupting, .stopping: eventFlow?.setBypassed(true)
        default: eventFlow?.setBypassed(false)
        }
        resumeSettledWaitersIfNeeded()
    }

    private func timerFired(_ input: SessionStateMachine.Input) {
        perform(machine.handle(input))
    }

    private func emit(_ event: SessionEvent) {
        if processingChunk, case .textDelta(let text) = event {
            pendingText += text
            return
        }
        flushPendingText()
        put(event)
        if case .turnStarted = event {
            lastActivity = .now
            lastEventDescription = "turn started"
            stallReported = false
            startWatchdog()
        }
        // The watchdog is not cancelled when a turn ends: a cancelled `Task.sleep` keeps its
        // timer, and the task with it, until the original deadline, which grew memory by about
        // 870 B per turn at benchmark speed. At its next check it finds no turn running and
        // ends; a turn that starts before then reuses it, so at most one timer ever exists.
        if case .closed = event {
            flushChunkEvents()
            continuation.finish()
            eventFlow?.release()
        }
    }

    private func flushPendingText() {
        guard !pendingText.isEmpty else { return }
        let text = pendingText
        pendingText = ""
        put(.textDelta(text))
    }

    /// Puts an event on ``events``: the one place that does, so every event is counted.
    /// Within a stdout chunk the events are held and put on the stream together when the chunk
    /// is done, so that a consumer waiting for them is woken once per chunk, not once per event.
    private func put(_ event: SessionEvent) {
        emittedEventCount += 1
        eventFlow?.emitted()
        if processingChunk {
            chunkEvents.append(event)
        } else {
            continuation.yield(event)
        }
    }

    private func flushChunkEvents() {
        guard !chunkEvents.isEmpty else { return }
        for event in chunkEvents { continuation.yield(event) }
        chunkEvents.removeAll(keepingCapacity: true)
    }

    private func resumeSettledWaitersIfNeeded() {
        guard !settledWaiters.isEmpty, machine.isSettled else { return }
        let waiters = settledWaiters
        settledWaiters.removeAll()
        for waiter in waiters { waiter.resume() }
    }

    private func spawn(_ mode: LaunchConfiguration.StartMode) {
        let executable: String
        do {
            executable = try configuration.resolveExecutable()
        } catch {
            perform(machine.handle(.spawnFailed(error)))
            return
        }
        let newChild: ChildProcess
        do {
            newChild = try ChildProcess.spawn(
                executable: executable, arguments: configuration.arguments(for: mode),
                environment: configuration.childEnvironment(), workingDirectory: configuration.workingDirectory,
                sweepToken: DescendantSweeper.makeToken())
        } catch {
            perform(machine.handle(.spawnFailed(error)))
            return
        }
        generation += 1
        child = newChild
        framer = NDJSONFramer()
        translator = EventTranslator()
        stderrTail.reset()
        processStartedAt = .now
        let resumed: String? = switch mode {
        case .initial: configuration.resumeSessionID
        case .resume(let id): id
        case .fresh: nil
        }
        emit(.processStarted(pid: newChild.pid, resumedSessionID: resumed))
        let currentGeneration = generation
        let flow = eventFlow
        Task { [weak self] in
            for await output in newChild.output {
                guard let self else { newChild.chunkProcessed(); continue }
                let holdBack = await self.receive(output, generation: currentGeneration)
                // The next chunk only once the front end has caught up (with a gate), except
                // while the process is being stopped: then its output is drained unread.
                if holdBack { await flow?.waitForConsumer() }
                newChild.chunkProcessed()
            }
        }
        if options.sendInitialize {
            controlCounter += 1
            let id = "parley-init-\(controlCounter)"
            pendingControls[id] = PendingControl(subtype: "initialize", continuation: nil)
            newChild.write(OutgoingMessage.controlRequest(requestID: id, .initialize).encodedLine())
        }
        perform(machine.handle(.spawned))
    }

    /// Handles one piece of the process's output; returns whether the next one should wait
    /// for the consumer of ``events`` (a stdout chunk of a process that is not being stopped).
    @discardableResult
    private func receive(_ output: ChildOutput, generation: Int) -> Bool {
        guard generation == self.generation else { return false }
        switch output {
        case .stdout(let bytes):
            // Once Parley has asked the process to stop, its remaining output has no reader:
            // drain it without framing so that teardown never waits on a flood.
            if case .stopping = machine.phase { return false }
            processingChunk = true
            bytes.withUnsafeBufferPointer { chunk in
                framer.append(borrowing: chunk) { line in handle(line) }
            }
            flushPendingText()
            processingChunk = false
            flushChunkEvents()
            if sawMessageInChunk {
                sawMessageInChunk = false
                lastActivity = .now
            }
            return true
        case .stderr(let bytes):
            stderrTail.append(bytes)
        case .exited(let status):
            if let last = framer.finish() { handle(last) }
            child = nil
            processStartedAt = nil
            for (_, pending) in pendingControls {
                pending.continuation?.resume(returning: .failure(.noResponse(subtype: pending.subtype)))
            }
            pendingControls.removeAll()
            perform(machine.handle(.childExited(status, stderrTail: stderrTail.lines)))
        }
        return false
    }

    private func handle(_ line: NDJSONFramer.Line) {
        switch line {
        case .oversized(let byteCount):
            handle(NDJSONFramer.BorrowedLine.oversized(byteCount: byteCount))
        case .complete(let bytes):
            bytes.withUnsafeBufferPointer { handle(NDJSONFramer.BorrowedLine.complete($0)) }
        }
    }

    private func handle(_ line: NDJSONFramer.BorrowedLine) {
        switch line {
        case .oversized(let byteCount):
            emit(.undecodableLine(UndecodableLine(
                text: "", byteCount: byteCount, reason: "a line of \(byteCount) bytes, over the framer's limit")))
        case .complete(let bytes):
            switch decoder.decode(bytes) {
            case .failure(let undecodable):
                emit(.undecodableLine(undecodable))
            case .success(let message):
                handle(message)
            }
        }
    }

    private func handle(_ message: IncomingMessage) {
        // Only well-formed events count as signs of life for the stall watchdog (junk does not).
        // Within a stdout chunk the clock is read once, when the chunk is done.
        if processingChunk { sawMessageInChunk = true } else { lastActivity = .now }
        lastEventDescription = Self.describe(message)
        if case .streamEvent(.contentBlockDelta(_, .text(let text))) = message {
            // The bulk of a reply: no event array, and the machine only when it cares.
            if let event = translator.translateTextDelta(text) { emit(event) }
            if !machine.ignores(message) { perform(machine.handle(.childMessage(message))) }
            return
        }
        switch message {
        case .controlResponse(let response):
            resolveControl(response)
            return
        case .controlRequest(let request):
            if case .other(let subtype, _) = request.body {
                child?.write(OutgoingMessage.controlErrorResponse(
                    requestID: request.requestID,
                    message: "Parley does not support control request \(subtype ?? "(none)")").encodedLine())
            }
        case .system(.initialized(let info)):
            currentModel = info.model
            permissionMode = info.permissionMode ?? permissionMode
            claudeCodeVersion = info.claudeCodeVersion ?? claudeCodeVersion
        case .system(.status(let status)):
            if let mode = status.permissionMode { permissionMode = mode }
        default:
            break
        }
        for event in translator.translate(message) { emit(event) }
        perform(machine.handle(.childMessage(message)))
    }

    private func resolveControl(_ response: ControlResponse) {
        guard let id = response.requestID, let pending = pendingControls.removeValue(forKey: id) else { return }
        switch response.outcome {
        case .success(let body):
            if pending.subtype == "initialize" {
                let learned = SessionCapabilities(
                    commands: body["commands"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? [],
                    models: body["models"]?.arrayValue?.compactMap { $0["value"]?.stringValue } ?? [],
                    claudeCodeVersion: body["claude_code_version"]?.stringValue,
                    permissionMode: body["current_permission_mode"]?.stringValue)
                capabilities = learned
                claudeCodeVersion = learned.claudeCodeVersion ?? claudeCodeVersion
                emit(.capabilitiesLearned(learned))
            }
            pending.continuation?.resume(returning: .success(body))
        case .error(let message, let code):
            pending.continuation?.resume(returning: .failure(
                .controlRequestFailed(subtype: pending.subtype, message: message, code: code)))
        }
    }

    // MARK: Watchdog

    private func startWatchdog() {
        guard let timeout = options.stallTimeout, watchdog == nil else { return }
        let interval = max(timeout / 4, .milliseconds(20))
        watchdog = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard let self, await self.checkStall(timeout: timeout) else { return }
            }
        }
    }

    /// Returns false when the watchdog should stop.
    private func checkStall(timeout: Duration) -> Bool {
        guard machine.isBusy else { watchdog = nil; return false }
        // Held back by a slow screen, the CLI is blocked writing to us: not silent.
        if eventFlow?.isHolding == true { lastActivity = .now }
        let silent = ContinuousClock.now - lastActivity
        if silent >= timeout, !stallReported {
            stallReported = true
            emit(.stalled(silentFor: silent, lastEvent: lastEventDescription))
        } else if silent < timeout {
            stallReported = false
        }
        return true
    }

    private static func describe(_ message: IncomingMessage) -> String {
        switch message {
        case .system(let system):
            switch system {
            case .initialized: "system/init"
            case .status: "system/status"
            case .apiRetry(let retry): "system/api_retry \(retry.attempt)/\(retry.maxRetries)"
            default: "system"
            }
        case .streamEvent(let event):
            switch event {
            case .messageStart: "stream message_start"
            case .contentBlockStart: "stream content_block_start"
            case .contentBlockDelta: "stream content_block_delta"
            case .contentBlockStop: "stream content_block_stop"
            case .messageDelta: "stream message_delta"
            case .messageStop: "stream message_stop"
            case .other(let type, _): "stream \(type ?? "?")"
            }
        case .assistant: "assistant"
        case .user: "user"
        case .result: "result"
        case .controlRequest: "control_request"
        case .controlResponse: "control_response"
        case .controlCancelRequest: "control_cancel_request"
        case .commandLifecycle: "command_lifecycle"
        case .conversationReset: "conversation_reset"
        case .toolProgress: "tool_progress"
        case .unknown(let type, _): type ?? "unknown"
        }
    }
}

/// Ids for user messages: lowercase UUIDs (version 4 layout), random for each session and
/// counting up within it. As unique as a fresh `UUID()` per message (the session part has
/// 74 random bits), without the random-number system call and formatting each time.
struct MessageIDGenerator: Sendable {
    /// `xxxxxxxx-xxxx-4xxx-yxxx-`: the first four groups of a random UUID.
    private let prefix: String
    /// The last group (48 bits), random to begin with.
    private var node: UInt64

    init() {
        let base = UUID().uuidString.lowercased()
        prefix = String(base.prefix(24))
        node = UInt64(base.suffix(12), radix: 16) ?? 0
    }

    mutating func next() -> String {
        node = (node &+ 1) & 0xFFFF_FFFF_FFFF
        let hex = String(node, radix: 16)
        return prefix + String(repeating: "0", count: 12 - hex.utf8.count) + hex
    }
}
