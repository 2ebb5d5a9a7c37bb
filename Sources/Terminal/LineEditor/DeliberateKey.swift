#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Decides whether a key is a deliberate answer to a question (see ``LineEditor/readNextKey(answers:)``)
/// or type-ahead that belongs to the line being edited.
///
/// A key answers only when all of these hold:
/// - the question has been on screen for at least ``settleTime`` (keys typed before it was
///   visible, or just as it appeared, were meant for something else);
/// - the user paused for at least ``settleTime`` before pressing it (steady typing that
///   runs across the question's arrival is text, not an answer);
/// - it arrived alone (a paste or a burst of keys is text);
/// - the line being edited is empty (a half-typed line is never turned into an answer).
struct DeliberateKey {
    /// How long the question must have been visible, and the pause before the key.
    static let settleTime = 0.5

    /// When the current question was first seen by the editor thread, in seconds.
    private(set) var armedAt: Double?
    /// The request being timed (see ``EditorChannel/singleKeyRequest``).
    private var request = 0
    /// When the keyboard last delivered keys, and when the time before that.
    private(set) var lastKeysAt = -Double.infinity
    private var keysBeforeAt = -Double.infinity

    /// Notes which question waits for a key (`request`, 0 for none) at time `now`: a new
    /// request starts its own settle time.
    mutating func observe(request: Int, now: @autoclosure () -> Double) {
        if request != self.request {
            self.request = request
            armedAt = request == 0 ? nil : now()
        }
    }

    /// Notes that the keyboard delivered keys at `now`.
    mutating func keysArrived(at now: Double) {
        keysBeforeAt = lastKeysAt
        lastKeysAt = now
    }

    /// Whether the key just decoded answers the question.
    func answers(lineIsEmpty: Bool, aloneInBatch: Bool) -> Bool {
        guard let armedAt, lineIsEmpty, aloneInBatch else { return false }
        return lastKeysAt - armedAt >= Self.settleTime && lastKeysAt - keysBeforeAt >= Self.settleTime
    }

    /// A monotonic clock in seconds.
    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
