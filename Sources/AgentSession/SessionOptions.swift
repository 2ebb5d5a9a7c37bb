/// What a session does when a turn has been silent for ``SessionOptions/stallTimeout``.
public enum StallAction: Sendable, Equatable {
    /// Report it (``SessionEvent/stalled(silentFor:lastEvent:)``) and keep waiting: someone
    /// at the keyboard decides (interactive use).
    case warn
    /// Report it, then interrupt the turn (escalating as for a stuck interrupt) and report
    /// the message as not answered, so that nobody waits forever (scripted use).
    case interrupt
}

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
    /// What a stall leads to.
    public var stallAction: StallAction
    /// Send `initialize` when a process starts (to learn commands and models).
    public var sendInitialize: Bool
    /// How long the CLI may take to answer `initialize`; past it the session fails with
    /// ``SessionError/initializeTimedOut(after:)``.
    public var initializeTimeout: Duration
    /// How long any other control request (``AgentSession/request(_:)``) may wait for its
    /// answer before it fails with ``SessionError/controlRequestTimedOut(subtype:after:)``.
    public var controlTimeout: Duration
    /// With a value, ``AgentSession/eventFlow`` is a gate that holds the process's output
    /// while more than this many events are unconsumed; the consumer must then report every
    /// event (``EventFlowGate/consumed()``). `nil` (the default): no back-pressure.
    public var eventBacklog: Int?
    /// The clock of every timer (stall checks, interrupt grace, restart backoff, control
    /// deadlines); tests inject one they advance by hand.
    public var clock: any Clock<Duration>

    public init(recovery: SessionStateMachine.RecoveryPolicy = .init(), terminateGrace: Duration = .seconds(3),
                interruptGrace: Duration = .seconds(5), stallTimeout: Duration? = .seconds(120),
                stallAction: StallAction = .warn, sendInitialize: Bool = true,
                initializeTimeout: Duration = .seconds(60), controlTimeout: Duration = .seconds(60),
                eventBacklog: Int? = nil, clock: any Clock<Duration> = ContinuousClock()) {
        self.recovery = recovery
        self.terminateGrace = terminateGrace
        self.interruptGrace = interruptGrace
        self.stallTimeout = stallTimeout
        self.stallAction = stallAction
        self.sendInitialize = sendInitialize
        self.initializeTimeout = initializeTimeout
        self.controlTimeout = controlTimeout
        self.eventBacklog = eventBacklog
        self.clock = clock
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

/// The session's timers run on this: a clock given as `any Clock<Duration>`, read as the
/// time elapsed since the session began (so instants of any clock compare as durations).
struct SessionClock: Sendable {
    private let elapsed: @Sendable () -> Duration
    private let sleeper: @Sendable (Duration) async throws -> Void

    init(_ clock: any Clock<Duration>) {
        (elapsed, sleeper) = Self.bind(clock)
    }

    private static func bind<C: Clock<Duration>>(_ clock: C)
        -> (@Sendable () -> Duration, @Sendable (Duration) async throws -> Void) {
        let origin = clock.now
        return ({ origin.duration(to: clock.now) },
                { try await clock.sleep(until: clock.now.advanced(by: $0), tolerance: nil) })
    }

    /// Time since the session began, on this clock.
    var now: Duration { elapsed() }

    /// Sleeps for `duration` on this clock (returns early only when cancelled).
    func sleep(for duration: Duration) async {
        try? await sleeper(duration)
    }
}
