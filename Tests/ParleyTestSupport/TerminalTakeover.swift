import Foundation

/// What escape sequences reaching a terminal would change, read from tmux (issue 12): the pane's
/// title (OSC 0), its paste buffers (OSC 52 lands there once ``TmuxTerminal/catchClipboardWrites()``
/// is on) and its visible screen (no history: a cleared screen keeps its old lines only there).
public struct TerminalTakeover: CustomStringConvertible {
    public let title: String
    public let buffers: String
    public let visibleScreen: String

    public init(_ terminal: TmuxTerminal) {
        title = terminal.tmuxOutput("display-message", "-p", "-t", terminal.session, "#{pane_title}")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        buffers = terminal.tmuxOutput("list-buffers").trimmingCharacters(in: .whitespacesAndNewlines)
        visibleScreen = terminal.tmuxOutput("capture-pane", "-p", "-J", "-t", terminal.session)
    }

    public var description: String { "title: \(title)\nbuffers: \(buffers)\nvisible screen:\n\(visibleScreen)" }

    /// The titles Parley itself sets in a terminal for the default persona (issue 14, point 7).
    public static let parleyTitles: Set<String> = ["parley - idle", "parley - running", "parley - waiting for you"]

    /// What was taken over: the title is neither `expectedTitle` nor one of Parley's own
    /// (``parleyTitles``), the clipboard was written, or a hidden payload (`PWNED…`) is shown.
    /// Empty when nothing was.
    public func takeovers(expectedTitle: String) -> [String] {
        var found: [String] = []
        if title != expectedTitle && !Self.parleyTitles.contains(title) {
            found.append("the title was changed to \(title.debugDescription)")
        }
        if !buffers.isEmpty { found.append("the clipboard was written: \(buffers)") }
        if visibleScreen.contains("PWNED") { found.append("a hidden payload is shown") }
        return found
    }
}

extension TmuxTerminal {
    /// Lets OSC 52 clipboard writes from the pane reach tmux's paste buffers, where
    /// ``TerminalTakeover`` sees them.
    public func catchClipboardWrites() {
        _ = tmuxOutput("set-option", "-s", "set-clipboard", "on")
    }

    /// Runs a tmux command on this terminal's server and returns its output.
    public func tmuxOutput(_ arguments: String...) -> String {
        let outcome = try? runProgramBlocking(
            Self.tmux, arguments: ["-L", socket] + arguments,
            environment: ["PATH": "/usr/bin:/bin", "TERM": "xterm-256color", "HOME": NSTemporaryDirectory()], timeout: 10)
        return outcome?.stdout ?? ""
    }
}
