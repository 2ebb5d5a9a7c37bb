/// Decides when a running turn has gone silent for too long.
///
/// Pure: the session tells it when a turn starts and when a well-formed message arrives, and
/// asks it at each check (every ``checkInterval``) what to do, giving the time on its clock.
/// Only well-formed messages count as signs of life (junk on stdout does not), and a
/// process held back by a slow screen is not silent: it is blocked writing to Parley.
struct StallWatchdog: Sendable {
    /// What a check found.
    enum Verdict: Sendable, Equatable {
        /// No turn runs: stop checking (a turn that starts later checks again).
        case stop
        /// The turn is alive, or its stall was already reported.
        case keepWatching
        /// The turn has been silent for `silentFor`; reported once per silence.
        case stalled(silentFor: Duration, lastEvent: String)
    }

    let timeout: Duration
    private var lastActivity: Duration = .zero
    private var lastEvent = "none"
    private var reported = false

    init(timeout: Duration) {
        self.timeout = timeout
    }

    /// How often the session checks: a quarter of the timeout (at least 20 ms).
    var checkInterval: Duration { max(timeout / 4, .milliseconds(20)) }

    /// A turn began at `now`: silence counts from here.
    mutating func turnStarted(at now: Duration) {
        lastActivity = now
        lastEvent = "turn started"
        reported = false
    }

    /// A well-formed message (described by `lastEvent`) arrived by `now`.
    mutating func activity(at now: Duration, lastEvent: String) {
        lastActivity = now
        self.lastEvent = lastEvent
    }

    /// One check at `now`. `turnRunning`: a turn runs or is being interrupted. `outputHeld`:
    /// the session is holding the process's output back for a slow consumer.
    mutating func check(at now: Duration, turnRunning: Bool, outputHeld: Bool) -> Verdict {
        guard turnRunning else { return .stop }
        if outputHeld { lastActivity = now }
        let silent = now - lastActivity
        guard silent >= timeout else {
            reported = false
            return .keepWatching
        }
        if reported { return .keepWatching }
        reported = true
        return .stalled(silentFor: silent, lastEvent: lastEvent)
    }
}
