import Foundation

/// A value behind a lock: Parley's one lock type, for every piece of state shared between
/// threads (the actors need none).
///
/// Why this and not the Synchronization module's `Mutex`: ThreadSanitizer understands pthread
/// mutexes (which `NSLock` is) but not `Mutex`, so under `--sanitize=thread` correctly locked
/// accesses behind a `Mutex` are reported as races (seen in `EventFlowGate`). One type also
/// means one way to read the code: `withLock { state in … }`, never a lock taken by hand.
public final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    public init(_ value: Value) {
        self.value = value
    }

    /// Runs `body` with exclusive access to the value.
    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
