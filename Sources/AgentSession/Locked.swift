import Foundation

/// A value behind a lock. Used where ThreadSanitizer must see the synchronisation: it
/// understands pthread mutexes (NSLock) but not the Synchronization module's `Mutex`, so a
/// `Mutex` makes correctly locked accesses look like races under `--sanitize=thread`.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) {
        self.value = value
    }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
