import Synchronization

/// Back-pressure from the consumer of ``AgentSession/events`` to the session.
///
/// `AsyncStream` never makes its producer wait, so a reply that arrives faster than the
/// front end can show it would pile up in memory. With a gate (``SessionOptions/eventBacklog``)
/// the session counts the events it puts on the stream, the consumer reports each one it has
/// finished with (``consumed()``), and once more than ``limit`` are outstanding the session
/// stops taking stdout chunks from the process until the consumer catches up. The CLI then
/// blocks in `write()`, as it would on a terminal that cannot keep up.
///
/// A consumer that enables the gate must call ``consumed()`` for every event it takes from
/// the stream; the gate opens for good when the session closes.
public final class EventFlowGate: Sendable {
    /// How many events may be on the stream and not yet consumed.
    public let limit: Int

    private struct State {
        var emitted = 0
        var consumed = 0
        var waiter: CheckedContinuation<Void, Never>?
        var released = false
    }

    private let state = Mutex(State())

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// The consumer is done with one more event.
    public func consumed() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.consumed += 1
            guard state.emitted - state.consumed <= limit else { return nil }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Events put on the stream and not yet consumed.
    public var backlog: Int { state.withLock { $0.emitted - $0.consumed } }

    /// The session put one more event on the stream.
    func emitted() {
        state.withLock { $0.emitted += 1 }
    }

    /// Returns once the backlog is within the limit (at once when it already is, or after
    /// ``release()``). One waiter at a time: the session's output loop.
    func waitForConsumer() async {
        if state.withLock({ $0.released || $0.emitted - $0.consumed <= limit }) { return }
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Bool in
                if state.released || state.emitted - state.consumed <= limit { return true }
                state.waiter = continuation
                return false
            }
            if ready { continuation.resume() }
        }
    }

    /// Lets a waiting ``waitForConsumer()`` return now, backlog or not (the process is being
    /// stopped: its output is drained without waiting for anyone).
    func wakeWaiter() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Opens the gate for good (the session closed: nobody will consume any more).
    func release() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.released = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }
}
