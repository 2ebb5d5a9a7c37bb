import StreamJSON

/// The session's lifecycle as a pure state machine: each input returns the actions the
/// caller must perform, and nothing here does I/O. ``AgentSession`` runs it; the tests
/// drive it directly, so every transition (crash, restart, interrupt, queue drain) is
/// checked without a process.
///
/// Rules it enforces:
/// - One message per turn: a message sent while a turn runs, or while the process is
///   (re)starting, waits in Parley's own FIFO queue; the CLI never sees it early (it would
///   merge it into the running or the next turn).
/// - Any exit Parley did not ask for is a crash: the cut message is reported as not
///   answered, the queue is kept, and a new process resumes the conversation after a
///   backoff; after ``RecoveryPolicy/maxAttempts`` crashes in a row the session fails
///   until a manual restart.
public struct SessionStateMachine: Sendable {
    /// Where the session is.
    public enum Phase: Sendable, Equatable {
        /// No process yet; the first send starts one.
        case notStarted
        /// A process is being spawned.
        case starting
        /// A process is running and no turn is.
        case idle
        /// A turn is running.
        case busy(Turn)
        /// An interrupt was sent for the running turn.
        case interrupting(Turn)
        /// Waiting out the backoff before recovery attempt `attempt`.
        case restarting(attempt: Int)
        /// Parley asked the process to exit and waits for it; `then` says what comes next.
        case stopping(then: AfterStop)
        /// Recovery gave up (or `claude` cannot start); a manual restart tries again.
        case failed(SessionError)
        /// Terminated for good.
        case closed
    }

    /// What to do once a process Parley stopped has exited.
    public enum AfterStop: Sendable, Equatable {
        case start(LaunchConfiguration.StartMode)
        case close
        /// The process is unusable: the session fails with this error.
        case fail(SessionError)
    }

    /// The running turn.
    public struct Turn: Sendable, Equatable {
        public let message: QueuedMessage
        public let startedAt: ContinuousClock.Instant
        /// True once the CLI said anything after the message was written (it has begun the
        /// turn and recorded the prompt). A crash before that loses nothing: the message is
        /// sent again after recovery.
        public var acknowledged = false
        /// True once the turn was interrupted for being silent too long: it gets no answer,
        /// whatever ends it.
        public var stalled = false
    }

    /// Crash-recovery timing.
    public struct RecoveryPolicy: Sendable, Equatable {
        /// Backoff before attempt n is `delays[n-1]` (the last entry repeats).
        public var delays: [Duration]
        public var maxAttempts: Int
        public init(delays: [Duration] = [.seconds(1), .seconds(2), .seconds(4)], maxAttempts: Int = 3) {
            self.delays = delays
            self.maxAttempts = maxAttempts
        }
    }

    /// Inputs.
    public enum Input: Sendable {
        /// Start the process now (before the first message), e.g. to learn its commands.
        case start
        case send(QueuedMessage)
        case interrupt
        /// The interrupt for this message did not settle in time.
        case interruptTimedOut(messageID: String)
        /// This message's turn was silent too long and should be stopped (scripted use).
        case stallTimedOut(messageID: String)
        /// The current process did not answer `initialize` within `after`.
        case initializeTimedOut(after: Duration)
        /// The CLI confirmed a model (`set_model`), or a new configuration names one.
        case modelChanged(String?)
        /// The CLI confirmed a permission mode, or a new configuration names one.
        case permissionModeChanged(String?)
        case restart(fresh: Bool)
        /// Restart continuing another conversation (`/resume`).
        case resume(sessionID: String)
        case terminate
        case spawned
        case spawnFailed(SessionError)
        case childMessage(IncomingMessage)
        case childExited(ExitStatus, stderrTail: [String])
        case restartTimerFired(attempt: Int)
    }

    /// Things for the caller to do, in order.
    public enum Action: Sendable, Equatable {
        case spawn(LaunchConfiguration.StartMode)
        case write(OutgoingMessage)
        /// Close stdin, grace period, SIGTERM, SIGKILL; then feed `.childExited`.
        case stopProcess
        /// Send SIGINT to the process (interrupt escalation).
        case signalInterrupt
        case scheduleRestart(attempt: Int, after: Duration)
        case scheduleInterruptTimeout(messageID: String)
        case emit(SessionEvent)
    }

    public private(set) var phase: Phase = .notStarted
    public private(set) var queue: [QueuedMessage] = []
    /// The conversation's id, from `system/init` (or `--resume`), followed across `/clear`.
    public private(set) var sessionID: String?
    public private(set) var consecutiveCrashes = 0
    public private(set) var completedTurns = 0
    public private(set) var restartCount = 0
    public private(set) var totalCostUSD: Double = 0
    /// The model in use: the configuration's until the CLI says (`system/init`, `set_model`).
    public private(set) var model: String?
    /// The permission mode in use: the configuration's until the CLI says.
    public private(set) var permissionMode: String?
    /// The CLI's version, from `system/init`.
    public private(set) var claudeCodeVersion: String?
    public let policy: RecoveryPolicy
    private var interruptCounter = 0

    public init(policy: RecoveryPolicy = RecoveryPolicy(), resumeSessionID: String? = nil, model: String? = nil,
                permissionMode: String? = nil) {
        self.policy = policy
        self.sessionID = resumeSessionID
        self.model = model
        self.permissionMode = permissionMode
    }

    /// True while a turn runs or is being interrupted.
    public var isBusy: Bool {
        switch phase {
        case .busy, .interrupting: true
        default: false
        }
    }

    /// True when nothing is running or waiting: no turn, an empty queue, and the process
    /// is not being (re)started. Failed and closed sessions are settled too.
    public var isSettled: Bool {
        switch phase {
        case .idle, .notStarted: queue.isEmpty
        case .failed, .closed: true
        default: false
        }
    }

    /// Whether handling `.childMessage(message)` would change nothing and do nothing: a
    /// streamed content delta once the running turn is acknowledged (or outside a turn).
    /// The session skips the machine for these, the bulk of every reply.
    public func ignores(_ message: IncomingMessage) -> Bool {
        guard case .streamEvent(.contentBlockDelta) = message else { return false }
        if case .busy(let turn) = phase { return turn.acknowledged }
        return true
    }

    /// The running turn's message, if any.
    public var currentMessage: QueuedMessage? {
        switch phase {
        case .busy(let turn), .interrupting(let turn): turn.message
        default: nil
        }
    }

    // MARK: Queue inspection

    /// Removes the queued message at `index` (0-based).
    public mutating func dropQueued(at index: Int) -> QueuedMessage? {
        guard queue.indices.contains(index) else { return nil }
        return queue.remove(at: index)
    }

    /// Empties the queue, returning what was in it.
    public mutating func clearQueue() -> [QueuedMessage] {
        defer { queue.removeAll() }
        return queue
    }

    // MARK: Transitions

    public mutating func handle(_ input: Input, now: ContinuousClock.Instant = .now) -> [Action] {
        switch input {
        case .start:
            guard case .notStarted = phase else { return [] }
            phase = .starting
            return [.spawn(.initial)]
        case .send(let message): return send(message, now: now)
        case .interrupt: return interrupt()
        case .interruptTimedOut(let messageID): return interruptTimedOut(messageID)
        case .stallTimedOut(let messageID): return stallTimedOut(messageID)
        case .initializeTimedOut(let after): return initializeTimedOut(after)
        case .modelChanged(let model):
            self.model = model
            return []
        case .permissionModeChanged(let mode):
            permissionMode = mode
            return []
        case .restart(let fresh): return restart(fresh: fresh)
        case .resume(let id):
            sessionID = id
            return restart(fresh: false)
        case .terminate: return terminate()
        case .spawned: return spawned(now: now)
        case .spawnFailed(let error): return spawnFailed(error)
        case .childMessage(let message): return childMessage(message, now: now)
        case .childExited(let status, let stderrTail): return childExited(status, stderrTail: stderrTail, now: now)
        case .restartTimerFired(let attempt): return restartTimerFired(attempt)
        }
    }

    private mutating func send(_ message: QueuedMessage, now: ContinuousClock.Instant) -> [Action] {
        switch phase {
        case .notStarted:
            queue.append(message)
            phase = .starting
            return [.spawn(.initial)]
        case .idle:
            return startTurn(message, now: now)
        case .closed:
            return [.emit(.messageNotAnswered(message, reason: .sessionClosed))]
        case .failed:
            // Queueing would make it wait forever: nothing runs until /restart.
            return [.emit(.messageNotAnswered(message, reason: .sessionFailed))]
        case .starting, .busy, .interrupting, .restarting, .stopping:
            queue.append(message)
            return [.emit(.messageQueued(message, position: queue.count))]
        }
    }

    private mutating func startTurn(_ message: QueuedMessage, now: ContinuousClock.Instant) -> [Action] {
        phase = .busy(Turn(message: message, startedAt: now))
        return [.write(.user(text: message.text, uuid: message.id)), .emit(.turnStarted(message))]
    }

    private mutating func drainQueue(now: ContinuousClock.Instant) -> [Action] {
        guard case .idle = phase, !queue.isEmpty else { return [] }
        return startTurn(queue.removeFirst(), now: now)
    }

    private mutating func interrupt() -> [Action] {
        guard case .busy(let turn) = phase else { return [] }
        return interrupt(turn)
    }

    private mutating func stallTimedOut(_ messageID: String) -> [Action] {
        guard case .busy(var turn) = phase, turn.message.id == messageID else { return [] }
        turn.stalled = true
        return interrupt(turn)
    }

    private mutating func interrupt(_ turn: Turn) -> [Action] {
        phase = .interrupting(turn)
        interruptCounter += 1
        return [
            .write(.controlRequest(requestID: "parley-interrupt-\(interruptCounter)", .interrupt)),
            .scheduleInterruptTimeout(messageID: turn.message.id),
        ]
    }

    private mutating func interruptTimedOut(_ messageID: String) -> [Action] {
        guard case .interrupting(let turn) = phase, turn.message.id == messageID else { return [] }
        // The CLI ignored the control request: SIGINT makes it abort the turn and exit,
        // and recovery resumes the conversation.
        phase = .stopping(then: .start(sessionID.map { .resume(sessionID: $0) } ?? .fresh))
        let reason: NotAnsweredReason = turn.stalled ? .stalled : .interruptEscalated
        return [.signalInterrupt, .stopProcess, .emit(.messageNotAnswered(turn.message, reason: reason))]
    }

    private mutating func initializeTimedOut(_ after: Duration) -> [Action] {
        let error = SessionError.initializeTimedOut(after: after)
        switch phase {
        case .idle:
            phase = .stopping(then: .fail(error))
            return [.stopProcess]
        case .busy(let turn), .interrupting(let turn):
            phase = .stopping(then: .fail(error))
            return [.stopProcess, .emit(.messageNotAnswered(turn.message, reason: .sessionFailed))]
        default:
            return []
        }
    }

    private mutating func restart(fresh: Bool) -> [Action] {
        consecutiveCrashes = 0
        let mode: LaunchConfiguration.StartMode = fresh ? .fresh : (sessionID.map { .resume(sessionID: $0) } ?? .fresh)
        if fresh { sessionID = nil }
        switch phase {
        case .idle:
            phase = .stopping(then: .start(mode))
            return [.stopProcess]
        case .busy(let turn), .interrupting(let turn):
            phase = .stopping(then: .start(mode))
            return [.stopProcess, .emit(.messageNotAnswered(turn.message, reason: .restarted))]
        case .stopping:
            phase = .stopping(then: .start(mode))
            return []
        case .notStarted, .restarting, .failed:
            if case .notStarted = phase {} else { restartCount += 1 }
            phase = .starting
            return [.spawn(mode)]
        case .starting, .closed:
            return []
        }
    }

    private mutating func terminate() -> [Action] {
        switch phase {
        case .idle:
            phase = .stopping(then: .close)
            return [.stopProcess]
        case .busy(let turn), .interrupting(let turn):
            phase = .stopping(then: .close)
            return [.stopProcess, .emit(.messageNotAnswered(turn.message, reason: .sessionClosed))]
        case .stopping:
            phase = .stopping(then: .close)
            return []
        case .notStarted, .starting, .restarting, .failed:
            return close()
        case .closed:
            return []
        }
    }

    private mutating func close() -> [Action] {
        phase = .closed
        let unanswered = queue.map { Action.emit(.messageNotAnswered($0, reason: .sessionClosed)) }
        queue.removeAll()
        return unanswered + [.emit(.closed)]
    }

    private mutating func spawned(now: ContinuousClock.Instant) -> [Action] {
        guard case .starting = phase else { return [] }
        phase = .idle
        return drainQueue(now: now)
    }

    private mutating func spawnFailed(_ error: SessionError) -> [Action] {
        fail(error)
    }

    /// The session cannot go on: say so once, and report what waited (nothing waits forever).
    private mutating func fail(_ error: SessionError) -> [Action] {
        phase = .failed(error)
        let unanswered = queue.map { Action.emit(.messageNotAnswered($0, reason: .sessionFailed)) }
        queue.removeAll()
        return [.emit(.failed(error))] + unanswered
    }

    private mutating func childMessage(_ message: IncomingMessage, now: ContinuousClock.Instant) -> [Action] {
        if case .busy(var turn) = phase, !turn.acknowledged, message.acknowledgesTurn {
            turn.acknowledged = true
            phase = .busy(turn)
        }
        switch message {
        case .system(.initialized(let info)):
            sessionID = info.sessionID
            model = info.model
            permissionMode = info.permissionMode ?? permissionMode
            claudeCodeVersion = info.claudeCodeVersion ?? claudeCodeVersion
        case .system(.status(let status)):
            if let mode = status.permissionMode { permissionMode = mode }
        case .conversationReset:
            // `new_conversation_id` is not the id `--resume` knows (CLI 2.1.331); the
            // `system/init` that follows carries the real one.
            break
        case .result(let result):
            totalCostUSD = result.totalCostUSD
            if let id = result.sessionID { sessionID = id }
            switch phase {
            case .busy(let turn), .interrupting(let turn):
                if !result.userMessageUUIDs.isEmpty, !result.userMessageUUIDs.contains(turn.message.id) {
                    // The result of another message (stray, or late): ending this turn with
                    // it would give every later message the answer of the one before.
                    return [.emit(.status(.unmatchedResult(expected: turn.message, resultFor: result.userMessageUUIDs)))]
                }
                consecutiveCrashes = 0
                completedTurns += 1
                phase = .idle
                let summary = TurnSummary(message: turn.message, result: result, elapsed: now - turn.startedAt)
                let stalled: [Action] = turn.stalled ? [.emit(.messageNotAnswered(turn.message, reason: .stalled))] : []
                return [.emit(.turnCompleted(summary))] + stalled + drainQueue(now: now)
            default:
                // A result outside a turn (lines may follow a result): nothing to end.
                return []
            }
        default:
            break
        }
        return []
    }

    private mutating func childExited(_ status: ExitStatus, stderrTail: [String], now: ContinuousClock.Instant) -> [Action] {
        switch phase {
        case .stopping(let next):
            var actions: [Action] = [.emit(.processExited(status: status, expected: true, stderrTail: stderrTail))]
            switch next {
            case .close:
                actions += close()
            case .fail(let error):
                actions += fail(error)
            case .start(let mode):
                restartCount += 1
                phase = .starting
                actions.append(.spawn(mode))
            }
            return actions
        case .idle, .busy, .interrupting:
            var actions: [Action] = [.emit(.processExited(status: status, expected: false, stderrTail: stderrTail))]
            switch phase {
            case .busy(let turn) where !turn.acknowledged:
                // The CLI never began this turn: send it again after recovery, first in line.
                queue.insert(turn.message, at: 0)
                actions.append(.emit(.messageQueued(turn.message, position: 1)))
            case .busy(let turn), .interrupting(let turn):
                actions.append(.emit(.messageNotAnswered(turn.message, reason: .processCrashed)))
            default:
                break
            }
            consecutiveCrashes += 1
            if consecutiveCrashes > policy.maxAttempts {
                let error = SessionError.crashedRepeatedly(
                    attempts: consecutiveCrashes, lastStatus: status, stderrTail: stderrTail)
                return actions + fail(error)
            }
            let attempt = consecutiveCrashes
            let delay = policy.delays.isEmpty ? .zero : policy.delays[min(attempt - 1, policy.delays.count - 1)]
            phase = .restarting(attempt: attempt)
            return actions + [
                .emit(.restarting(attempt: attempt, maxAttempts: policy.maxAttempts, delay: delay)),
                .scheduleRestart(attempt: attempt, after: delay),
            ]
        case .notStarted, .starting, .restarting, .failed, .closed:
            return []
        }
    }

    private mutating func restartTimerFired(_ attempt: Int) -> [Action] {
        guard case .restarting(let current) = phase, current == attempt else { return [] }
        restartCount += 1
        phase = .starting
        return [.spawn(sessionID.map { .resume(sessionID: $0) } ?? .fresh)]
    }
}

extension IncomingMessage {
    /// Whether this line shows the CLI working on the turn (not a control answer, which it
    /// gives even before reading the next user line).
    var acknowledgesTurn: Bool {
        switch self {
        case .controlResponse, .controlRequest, .controlCancelRequest: false
        default: true
        }
    }
}
