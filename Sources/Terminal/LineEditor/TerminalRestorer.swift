import Glibc
import Locking
import Synchronization

/// The terminal settings to put back if the process exits while the editor runs.
private let savedSettings = Locked<termios?>(nil)

private let restoreAtExit: @convention(c) () -> Void = {
    TerminalRestorer.restore()
}

/// A last line of defence: an `atexit` handler that restores the terminal
/// settings saved when the editor started (and turns bracketed paste off) if
/// the process exits without stopping the editor.
enum TerminalRestorer {
    private static let registered: Bool = {
        atexit(restoreAtExit)
        return true
    }()

    /// Remembers the current settings of standard input.
    static func save() {
        _ = registered
        var settings = termios()
        guard tcgetattr(0, &settings) == 0 else { return }
        savedSettings.withLock { $0 = settings }
    }

    /// Forgets the saved settings (the editor restored the terminal itself).
    static func clear() {
        savedSettings.withLock { $0 = nil }
    }

    /// Restores the saved settings, if any.
    static func restore() {
        guard var settings = savedSettings.withLock({ saved -> termios? in
            defer { saved = nil }
            return saved
        }) else { return }
        TerminalOutput.write("\u{1B}[?2004l")
        _ = tcsetattr(0, TCSADRAIN, &settings)
    }
}
