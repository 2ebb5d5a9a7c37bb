import Foundation
import Testing

/// A real terminal for tests, the one tmux driver of the test targets: a detached tmux session
/// on a private server, driven with `send-keys` and read with `capture-pane`.
///
/// Every wait fails loudly: when the screen does not reach the expected state in time (or the
/// test's time limit cancels it), it records an issue at the caller's line with the screen and
/// the cursor line attached, then throws, so the test stops there instead of carrying on
/// against a screen that is not what it assumes. tmux itself runs through `CleanSpawn` (clean
/// signal mask, nothing inherited, a deadline on every command).
public final class TmuxTerminal: @unchecked Sendable {
    public let socket: String
    public let session = "t"
    public static let tmux = "/usr/bin/tmux"

    public struct Missing: Error, CustomStringConvertible {
        public var description: String { "tmux is required for the terminal tests: apt-get install -y tmux" }
    }

    /// A wait that ended without the screen it waited for; the screen is in the recorded issue.
    public struct WaitFailed: Error, CustomStringConvertible {
        public let description: String
    }

    /// Starts `command` (run by `/bin/sh -c`) in a terminal of `width` × `height`, with exactly
    /// `environment` (nothing of the test process is inherited).
    public init(command: String, width: Int = 100, height: Int = 30, environment: [String: String]) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.tmux) else { throw Missing() }
        socket = "parley-\(UUID().uuidString.prefix(8))"
        // tmux passes the client's environment to the new session's shell; keep it clean.
        let exports = environment.map { "\($0.key)=\(Self.quote($0.value))" }.sorted().joined(separator: " ")
        let shellCommand = "env -i \(exports) /bin/sh -c \(Self.quote(command))"
        try run(["new-session", "-d", "-s", session, "-x", String(width), "-y", String(height), shellCommand])
        try run(["set-option", "-t", session, "remain-on-exit", "on"])
    }

    deinit { close() }

    /// Types keys (tmux key names such as `Enter`, `C-c`, `Up`, or literal text with `literal`).
    public func send(_ keys: String..., literal: Bool = false) {
        try? run(["send-keys", "-t", session] + (literal ? ["-l"] : []) + ["--"] + keys)
    }

    /// Writes `bytes` to the program as the terminal would, exactly (`send-keys -H`): a key's raw
    /// sequence, whatever tmux's own name for the key would send.
    public func sendBytes(_ bytes: [UInt8]) {
        try? run(["send-keys", "-t", session, "-H"] + bytes.map { String(format: "%02x", $0) })
    }

    /// Types text literally, then optionally Enter.
    public func type(_ text: String, enter: Bool = false) {
        send(text, literal: true)
        if enter { send("Enter") }
    }

    /// Pastes `text` as a terminal does: wrapped in bracketed-paste markers when the program
    /// asked for them (`\e[?2004h`), with newlines as carriage returns.
    public func paste(_ text: String) {
        do {
            try run(["set-buffer", "-b", "paste", "--", text])
            try run(["paste-buffer", "-p", "-d", "-b", "paste", "-t", session])
        } catch {
            Issue.record("tmux could not paste: \(error)")
        }
    }

    /// Resizes the terminal (the program gets SIGWINCH).
    public func resize(width: Int, height: Int) {
        try? run(["resize-window", "-t", session, "-x", String(width), "-y", String(height)])
    }

    /// The visible screen (and `history` lines above it, wrapped lines joined), trailing blank
    /// lines removed.
    public func screen(history: Int = 200) -> String {
        let output = (try? capture(["capture-pane", "-p", "-J", "-t", session, "-S", "-\(history)"])) ?? ""
        var lines = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        while lines.last?.trimmingCharacters(in: .whitespaces).isEmpty == true { lines.removeLast() }
        return lines.joined(separator: "\n")
    }

    /// The line the cursor is on.
    ///
    /// The cursor's row and the screen are read by one tmux command list, which the server
    /// runs without reading the pane in between: read apart, output that scrolled the screen
    /// between the two made this the row above the cursor's (the status row, say).
    public func cursorLine() -> String {
        let output = (try? capture(["display-message", "-p", "-t", session, "#{cursor_y}", ";",
                                    "capture-pane", "-p", "-t", session])) ?? ""
        var lines = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard !lines.isEmpty, let y = Int(lines.removeFirst().trimmingCharacters(in: .whitespaces)) else { return "" }
        return y < lines.count ? lines[y] : ""
    }

    /// The cursor's column (0-based): what the cursor line cannot show, e.g. a trailing space.
    public func cursorColumn() -> Int {
        (try? capture(["display-message", "-p", "-t", session, "#{cursor_x}"]))
            .flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? -1
    }

    /// Waits until the screen satisfies `condition` and returns that screen. On timeout (or
    /// cancellation by the test's time limit) records an issue at the caller's line saying what
    /// was awaited, with the screen and the cursor line, and throws ``WaitFailed``.
    @discardableResult
    public func waitFor(awaiting awaited: String = "the expected screen", timeout: Duration = .seconds(10),
                        sourceLocation: SourceLocation = #_sourceLocation, _ condition: (String) -> Bool) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        var current = screen()
        while !condition(current) {
            let reason: String
            if ContinuousClock.now >= deadline {
                reason = "timed out after \(timeout) waiting for \(awaited)"
            } else if Task.isCancelled {
                reason = "cancelled (the test's time limit?) while waiting for \(awaited)"
            } else {
                try? await Task.sleep(for: .milliseconds(25))
                current = screen()
                continue
            }
            let exited = hasExited ? " (the program in the terminal has exited)" : ""
            Issue.record("\(reason)\(exited); the screen:\n\(current)\n-- cursor line: \(cursorLine())",
                         sourceLocation: sourceLocation)
            throw WaitFailed(description: "\(reason); the screen is in the issue recorded above")
        }
        return current
    }

    /// Waits until the screen contains `text` and returns that screen; fails like
    /// ``waitFor(awaiting:timeout:sourceLocation:_:)``.
    @discardableResult
    public func waitFor(_ text: String, timeout: Duration = .seconds(10),
                        sourceLocation: SourceLocation = #_sourceLocation) async throws -> String {
        try await waitFor(awaiting: "“\(text)” on the screen", timeout: timeout, sourceLocation: sourceLocation) {
            $0.contains(text)
        }
    }

    /// True once the command has exited (the pane is dead).
    public var hasExited: Bool {
        ((try? capture(["display-message", "-p", "-t", session, "#{pane_dead}"])) ?? "1")
            .trimmingCharacters(in: .whitespacesAndNewlines) == "1"
    }

    /// The pid of the command's process (the pane's shell).
    public var panePID: Int32? {
        ((try? capture(["display-message", "-p", "-t", session, "#{pane_pid}"])) ?? "")
            .trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").first.flatMap { Int32($0) }
    }

    /// Stops the tmux server and with it the command. Safe to call more than once.
    public func close() {
        try? run(["kill-server"])
    }

    /// `text` quoted for `/bin/sh`.
    public static func quote(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// Runs a tmux command whose output is not needed. Its stdout is /dev/null, not a pipe:
    /// the first command starts the tmux server, which would inherit a pipe and hold it open.
    private func run(_ arguments: [String]) throws {
        _ = try execute(arguments, captureOutput: false)
    }

    private func capture(_ arguments: [String]) throws -> String {
        try execute(arguments, captureOutput: true)
    }

    private func execute(_ arguments: [String], captureOutput: Bool) throws -> String {
        try CleanSpawn.run(
            [Self.tmux, "-L", socket, "-u", "-f", "/dev/null"] + arguments,
            environment: ["PATH": "/usr/bin:/bin", "TERM": "xterm-256color", "LANG": "C.UTF-8", "HOME": NSTemporaryDirectory()],
            captureOutput: captureOutput)
    }
}

/// Leaves parley with Ctrl-D; a second Ctrl-D when a turn (e.g. the CLI's own follow-up) still
/// runs. The terminal's command must print PARLEY-EXITED when parley ends.
public func quitParley(_ terminal: TmuxTerminal) async throws {
    terminal.send("C-d")
    let screen = try await terminal.waitFor(awaiting: "parley to exit or ask again", timeout: .seconds(20)) {
        $0.contains("PARLEY-EXITED") || $0.contains("press Ctrl-D again")
    }
    if !screen.contains("PARLEY-EXITED") {
        terminal.send("C-d")
        try await terminal.waitFor("PARLEY-EXITED", timeout: .seconds(20))
    }
}
