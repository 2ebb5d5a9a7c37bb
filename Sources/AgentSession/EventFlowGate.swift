import Locking

/// Back-pressure from the consumer of ``AgentSession/events`` to the session.
///
/// `AsyncStream` never makes its producer wait, so a reply that arrives faster than the
/// front end can show it would pile up in memory. With a gate (``SessionOptions/eventBacklog``)
/// the session counts the events it puts on the stream, the consumer reports each one it has
/// finished with (``consumed()``), and once more than ``limit`` are outstanding the session
/// stops taking stdout chunks from the process until the consumer catches up. The CLI then
/// blocks in `write()`, as it would on a terminal that cannot keep up.
///
/// While the process is being interrupted or stopped the gate is bypassed: the interrupt's
/// `result` and the process's exit must never wait for the screen.
///
/// A consumer that enables the gate must call ``consumed()`` for every event it takes from
/// the stream; the gate opens for good when the session closes.
public final class EventFlowGate: Sendable {
    /// How many events may be on the stream and not yet consumed.
    public let limit: Int

    private struct State {
        let limit: Int
        var emitted = 0
        var consumed = 0
        var waiter: CheckedContinuation<Void, Never>?
        /// The session closed: open for good.
        var released = false
        /// The process is being interrupted or stopped: its output flows regardless.
        var bypassed = false

        var mayPass: Bool { released || bypassed || emitted - consumed <= limit }

        mutating func takeWaiter() -> CheckedContinuation<Void, Never>? {
            defer { waiter = nil }
            return waiter
        }
    }

    private let state: Locked<State>

    init(limit: Int) {
        self.limit = max(1, limit)
        state = Locked(State(limit: max(1, limit)))
    }

    /// The consumer is done with one more event.
    public func consumed() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.consumed += 1
            return state.mayPass ? state.takeWaiter() : nil
        }
        waiter?.resume()
    }

    /// Events put on the stream and not yet consumed.
    public var backlog: Int { state.withLock { $0.emitted - $0.consumed } }

    /// Whether the session's output loop is waiting for the consumer right now.
    public var isHolding: Bool { state.withLock { $0.waiter != nil } }

    /// The session put one more event on the stream.
    func emitted() {
        state.withLock { $0.emitted += 1 }
    }

    /// Returns once the backlog is within the limit (at once when it already is, when the gate
    /// is bypassed, or after ``release()``); whether it had to wait. Meant for one waiter at a
    /// time, the output loop of the session's current process; a second one would wake the
    /// first rather than strand it.
    @discardableResult
    func waitForConsumer() async -> Bool {
        if state.withLock({ $0.mayPass }) { return false }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let (passNow, displaced) = state.withLock { state -> (Bool, CheckedContinuation<Void, Never>?) in
                if state.mayPass { return (true, nil) }
                let displaced = state.takeWaiter()
                state.waiter = continuation
                return (false, displaced)
            }
            displaced?.resume()
            if passNow { continuation.resume() }
        }
        return true
    }

    /// Bypasses the gate (the process is being interrupted or stopped) or restores it. A
    /// bypass is sticky until lifted, so an output loop about to wait cannot miss it.
    func setBypassed(_ bypassed: Bool) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard state.bypassed != bypassed else { return nil }
            state.bypassed = bypassed
            return bypassed ? state.takeWaiter() : nil
        }
        waiter?.resume()
    }

    /// Opens the gate for good (the session closed: nobody will consume any more).
    func release() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.released = true
            return state.takeWaiter()
        }
        waiter?.resume()
    }
}
