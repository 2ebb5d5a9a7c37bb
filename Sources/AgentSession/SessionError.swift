import Foundation

/// Errors a user can act on.
public enum SessionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No `claude` binary was found. `searched` says where Parley looked.
    case claudeNotFound(searched: String)
    /// The named file exists but cannot be executed.
    case claudeNotExecutable(path: String)
    /// `posix_spawn` failed for another reason.
    case spawnFailed(path: String, errno: Int32, detail: String)
    /// The working directory given for `claude` (`--cwd`, `cwd` in a persona) cannot be entered.
    case workingDirectoryUnusable(path: String, detail: String)
    /// The process kept dying; `lastStatus` and its last stderr lines say how.
    case crashedRepeatedly(attempts: Int, lastStatus: ExitStatus, stderrTail: [String])
    /// The process is not running (closed or failed) so the request could not be sent.
    case notRunning
    /// The CLI answered a control request with an error.
    case controlRequestFailed(subtype: String, message: String, code: String?)
    /// The process exited before answering a control request.
    case noResponse(subtype: String)
    /// The CLI did not answer a control request within its deadline.
    case controlRequestTimedOut(subtype: String, after: Duration)
    /// The CLI answered a control request with something Parley cannot read.
    case unexpectedControlResponse(subtype: String, detail: String)
    /// The CLI did not answer `initialize` in time: it is not working, so the session stops.
    case initializeTimedOut(after: Duration)

    public var description: String {
        switch self {
        case .claudeNotFound(let searched):
            "claude not found (looked in \(searched)); install it with `pip install claude-agent-sdk` or pass --claude PATH"
        case .claudeNotExecutable(let path):
            "\(path) is not executable; check the path given with --claude or PARLEY_CLAUDE"
        case .spawnFailed(let path, let errno, let detail):
            "could not start \(path): \(detail) (errno \(errno))"
        case .workingDirectoryUnusable(let path, let detail):
            "cannot start claude in \(path): \(detail); check --cwd or the persona's working_directory"
        case .crashedRepeatedly(let attempts, let status, let stderrTail):
            "claude \(status) \(attempts) times in a row; giving up. Use /restart to try again."
                + (stderrTail.last.map { " Last stderr: \($0)" } ?? "")
        case .notRunning:
            "the claude process is not running; use /restart"
        case .controlRequestFailed(let subtype, let message, _):
            "\(subtype) failed: \(message)"
        case .noResponse(let subtype):
            "claude exited before answering \(subtype)"
        case .controlRequestTimedOut(let subtype, let after):
            "claude did not answer \(subtype) within \(Self.seconds(after))"
        case .unexpectedControlResponse(let subtype, let detail):
            "claude's answer to \(subtype) could not be read (\(detail))"
        case .initializeTimedOut(let after):
            "claude did not answer initialize within \(Self.seconds(after)); it is not working. Use /restart to try again."
        }
    }

    private static func seconds(_ duration: Duration) -> String {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return seconds < 10 ? String(format: "%.1f s", seconds) : "\(Int(seconds.rounded())) s"
    }
}
