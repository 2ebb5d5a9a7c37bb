import Glibc
import Foundation
import CEditLine

/// What the terminal around the process can do, decided once at start-up.
///
/// The colour policy lives here and nowhere else:
/// - `never` / `always` override everything;
/// - `auto` colours when the stream is a TTY, `TERM` is not `dumb` and
///   `NO_COLOR` is unset or empty; `CLICOLOR_FORCE` set to anything but `0`
///   turns colour on in `auto` even into a pipe.
public struct TerminalCapabilities: Sendable, Hashable {
    /// Both stdin and stdout are TTYs and `TERM` is set and not `dumb`:
    /// the full line editor can be used.
    public var isInteractive: Bool
    /// Standard output is a TTY.
    public var stdoutIsTTY: Bool
    /// Standard error is a TTY.
    public var stderrIsTTY: Bool
    /// Whether to put colour codes on standard output.
    public var useColor: Bool
    /// Whether to put colour codes on standard error.
    public var useColorOnStderr: Bool
    /// The terminal width in columns (TIOCGWINSZ, then `COLUMNS`, then 80).
    public var width: Int

    /// Creates capabilities by hand (for tests and non-terminal front ends).
    public init(
        isInteractive: Bool, stdoutIsTTY: Bool, stderrIsTTY: Bool, useColor: Bool,
        useColorOnStderr: Bool, width: Int
    ) {
        self.isInteractive = isInteractive
        self.stdoutIsTTY = stdoutIsTTY
        self.stderrIsTTY = stderrIsTTY
        self.useColor = useColor
        self.useColorOnStderr = useColorOnStderr
        self.width = width
    }

    /// Inspects the file descriptors and the environment.
    ///
    /// - Parameters:
    ///   - colorMode: the user's `--color` choice.
    ///   - environment: the variables to consult (`TERM`, `NO_COLOR`, `CLICOLOR_FORCE`, `COLUMNS`).
    ///   - stdinFD: the descriptor treated as standard input.
    ///   - stdoutFD: the descriptor treated as standard output.
    ///   - stderrFD: the descriptor treated as standard error.
    public static func detect(
        colorMode: ColorMode,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        stdinFD: Int32 = 0, stdoutFD: Int32 = 1, stderrFD: Int32 = 2
    ) -> TerminalCapabilities {
        let stdinIsTTY = isatty(stdinFD) == 1
        let stdoutIsTTY = isatty(stdoutFD) == 1
        let stderrIsTTY = isatty(stderrFD) == 1
        let term = environment["TERM"] ?? ""
        let termIsUsable = !term.isEmpty && term != "dumb"
        let windowColumns = Int(parley_window_columns(stdoutIsTTY ? stdoutFD : stderrFD))
        return TerminalCapabilities(
            isInteractive: stdinIsTTY && stdoutIsTTY && termIsUsable,
            stdoutIsTTY: stdoutIsTTY,
            stderrIsTTY: stderrIsTTY,
            useColor: colorPolicy(mode: colorMode, isTTY: stdoutIsTTY, environment: environment),
            useColorOnStderr: colorPolicy(mode: colorMode, isTTY: stderrIsTTY, environment: environment),
            width: resolveWidth(windowColumns: windowColumns, environment: environment))
    }

    /// The colour decision for one output stream.
    public static func colorPolicy(mode: ColorMode, isTTY: Bool, environment: [String: String]) -> Bool {
        switch mode {
        case .always: return true
        case .never: return false
        case .auto:
            if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return false }
            if let force = environment["CLICOLOR_FORCE"], !force.isEmpty, force != "0" { return true }
            let term = environment["TERM"] ?? ""
            return isTTY && term != "dumb"
        }
    }

    /// The width: the window size when known, else a positive `COLUMNS`, else 80.
    public static func resolveWidth(windowColumns: Int, environment: [String: String]) -> Int {
        if windowColumns > 0 { return windowColumns }
        if let columns = environment["COLUMNS"].flatMap(Int.init), columns > 0 { return columns }
        return 80
    }
}
