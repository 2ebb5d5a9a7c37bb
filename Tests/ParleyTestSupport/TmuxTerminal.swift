import Foundation

/// A real terminal for tests: a detached tmux session on a private server, driven with
/// `send-keys` and read with `capture-pane`. Fails loudly when tmux is missing.
public final class TmuxTerminal: @unchecked Sendable {
    public let socket: String
    public let session = "t"
    public static let tmux = "/usr/bin/tmux"

    public struct Missing: Error, CustomStringConvertible {
        public var description: String { "tmux is required for the terminal tests: apt-get install -y tmux" }
    }

    /// Starts `command` (run by `/bin/sh -c`) in a terminal of `width` × `height`.
    public init(command: String, width: Int = 100, height: Int = 30, environment: [String: String]) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.tmux) else { throw Missing() }
        socket = "parley-\(UUID().uuidString.prefix(8))"
        // tmux passes the client's environment to the new session's shell; keep it clean.
        let exports = environment.map { "\($0.key)=\(Self.quote($0.value))" }.sorted().joined(separator: " ")
        let shellCommand = "env -i \(exports) /bin/sh -c \(Self.quote(command))"
        try run([Self.tmux, "-L", socket, "-f", "/dev/null", "new-session", "-d", "-s", session,
                 "-x", String(width), "-y", String(height), shellCommand])
        try run([Self.tmux, "-L", socket, "set-option", "-t", session, "remain-on-exit", "on"])
    }

    deinit { close() }

    /// Types keys (tmux key names such as `Enter`, `C-c`, `Up`, or literal text with `literal`).
    public func send(_ keys: String..., literal: Bool = false) {
        var arguments = [Self.tmux, "-L", socket, "send-keys", "-t", session]
        if literal { arguments.append("-l") }
        try? run(arguments + keys)
    }

    /// Types text literally, then optionally Enter.
    public func type(_ text: String, enter: Bool = false) {
        send(text, literal: true)
        if enter { send("Enter") }
    }

    /// Pastes `text` as a terminal does: wrapped in bracketed-paste markers when the program
    /// asked for them (`\e[?2004h`), with newlines as carriage returns.
    public func paste(_ text: String) {
        try? run([Self.tmux, "-L", socket, "set-buffer", "-b", "paste", "--", text])
        try? run([Self.tmux, "-L", socket, "paste-buffer", "-p", "-d", "-b", "paste", "-t", session])
    }

    /// Resizes the terminal (the program gets SIGWINCH).
    public func resize(width: Int, height: Int) {
        try? run([Self.tmux, "-L", socket, "resize-window", "-t", session, "-x", String(width), "-y", String(height)])
    }

    /// The visible screen (and `history` lines above it), trailing blank lines removed.
    public func screen(history: Int = 200) -> String {
        let output = (try? capture([Self.tmux, "-L", socket, "capture-pane", "-p", "-J", "-t", session, "-S", "-\(history)"])) ?? ""
        var lines = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        while lines.last?.trimmingCharacters(in: .whitespaces).isEmpty == true { lines.removeLast() }
        return lines.joined(separator: "\n")
    }

    /// The line the cursor is on.
    public func cursorLine() -> String {
        let y = (try? capture([Self.tmux, "-L", socket, "display-message", "-p", "-t", session, "#{cursor_y}"]))
            .flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0
        let visible = ((try? capture([Self.tmux, "-L", socket, "capture-pane", "-p", "-t", session])) ?? "")
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        return y < visible.count ? visible[y] : ""
    }

    /// Waits until the screen satisfies `condition`; returns the last screen seen.
    @discardableResult
    public func waitFor(timeout: TimeInterval = 10, _ condition: (String) -> Bool) -> (Bool, String) {
        let deadline = Date().addingTimeInterval(timeout)
        var last = screen()
        while Date() < deadline {
            if condition(last) { return (true, last) }
            usleep(25_000)
            last = screen()
        }
        return (condition(last), last)
    }

    /// Waits until the screen contains `text`.
    @discardableResult
    public func waitFor(_ text: String, timeout: TimeInterval = 10) -> (Bool, String) {
        waitFor(timeout: timeout) { $0.contains(text) }
    }

    /// True once the command has exited (the pane is dead).
    public var hasExited: Bool {
        ((try? capture([Self.tmux, "-L", socket, "display-message", "-p", "-t", session, "#{pane_dead}"])) ?? "1")
            .trimmingCharacters(in: .whitespacesAndNewlines) == "1"
    }

    /// The pid of the command's process (the pane's shell).
    public var panePID: Int32? {
        ((try? capture([Self.tmux, "-L", socket, "display-message", "-p", "-t", session, "#{pane_pid}"])) ?? "")
            .trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").first.flatMap { Int32($0) }
    }

    public func close() {
        try? run([Self.tmux, "-L", socket, "kill-server"])
    }

    static func quote(_ text: String) -> String {
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
            arguments, environment: ["PATH": "/usr/bin:/bin", "TERM": "xterm-256color", "HOME": NSTemporaryDirectory()],
            captureOutput: captureOutput)
    }
}
