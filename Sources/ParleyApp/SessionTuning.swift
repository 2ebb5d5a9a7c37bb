import Foundation
import AgentSession

/// The session's timing settings from the command line and the environment
/// (`--stall-timeout`, `PARLEY_STALL_TIMEOUT`, `PARLEY_RESTART_DELAYS`,
/// `PARLEY_INTERRUPT_GRACE`, `PARLEY_INITIALIZE_TIMEOUT`), checked so that no number can crash Parley: each must be a finite
/// number of seconds within ``maximumSeconds``, else start-up stops with a one-line error.
enum SessionTuning {
    /// The largest number of seconds any of these settings takes: one day.
    static let maximumSeconds = 86_400.0

    /// A setting that is not a usable number of seconds.
    struct InvalidSeconds: Error, CustomStringConvertible {
        let name: String
        let value: String
        var description: String {
            "\(name) must be a number of seconds from 0 to \(Int(SessionTuning.maximumSeconds)), not “\(value)”"
        }
    }

    /// The session options for these settings, on top of `base`.
    static func options(base: SessionOptions, stallTimeout: String?, environment: [String: String]) throws(InvalidSeconds) -> SessionOptions {
        var options = base
        if let stall = stallTimeout.map({ ("--stall-timeout", $0) })
            ?? environment["PARLEY_STALL_TIMEOUT"].map({ ("PARLEY_STALL_TIMEOUT", $0) }) {
            let duration = try seconds(stall.1, name: stall.0)
            options.stallTimeout = duration == .zero ? nil : duration
        }
        if let delays = environment["PARLEY_RESTART_DELAYS"] {
            var parsed: [Duration] = []
            for item in delays.split(separator: ",", omittingEmptySubsequences: false) {
                parsed.append(try seconds(String(item), name: "each of PARLEY_RESTART_DELAYS"))
            }
            if !parsed.isEmpty { options.recovery.delays = parsed }
        }
        if let grace = environment["PARLEY_INTERRUPT_GRACE"] {
            options.interruptGrace = try seconds(grace, name: "PARLEY_INTERRUPT_GRACE")
        }
        if let deadline = environment["PARLEY_INITIALIZE_TIMEOUT"] {
            let duration = try seconds(deadline, name: "PARLEY_INITIALIZE_TIMEOUT")
            if duration > .zero { options.initializeTimeout = duration }
        }
        return options
    }

    /// `text` as a duration: a finite decimal number of seconds from 0 to ``maximumSeconds``.
    static func seconds(_ text: String, name: String) throws(InvalidSeconds) -> Duration {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let value = Double(trimmed), value.isFinite, value >= 0, value <= maximumSeconds else {
            throw InvalidSeconds(name: name, value: text)
        }
        return .milliseconds(Int((value * 1000).rounded()))
    }
}
