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
///
/// So does the hyperlink policy (OSC 8 links, see ``hyperlinkPolicy(mode:useColor:isInteractive:environment:)``).
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
    /// Whether Markdown links are shown as OSC 8 hyperlinks on standard output.
    public var hyperlinks: Bool

    /// Creates capabilities by hand (for tests and non-terminal front ends).
    public init(
        isInteractive: Bool, stdoutIsTTY: Bool, stderrIsTTY: Bool, useColor: Bool,
        useColorOnStderr: Bool, width: Int, hyperlinks: Bool = false
    ) {
        self.isInteractive = isInteractive
        self.stdoutIsTTY = stdoutIsTTY
        self.stderrIsTTY = stderrIsTTY
        self.useColor = useColor
        self.useColorOnStderr = useColorOnStderr
        self.width = width
        self.hyperlinks = hyperlinks
    }

    /// Inspects the file descriptors and the environment.
    ///
    /// - Parameters:
    ///   - colorMode: the user's `--color` choice.
    ///   - hyperlinkMode: the user's `--hyperlinks` choice.
    ///   - environment: the variables to consult (`TERM`, `NO_COLOR`, `CLICOLOR_FORCE`, `COLUMNS`,
    ///     and those that name the terminal: see ``hyperlinkPolicy(mode:useColor:isInteractive:environment:)``).
    ///   - stdinFD: the descriptor treated as standard input.
    ///   - stdoutFD: the descriptor treated as standard output.
    ///   - stderrFD: the descriptor treated as standard error.
    public static func detect(
        colorMode: ColorMode, hyperlinkMode: HyperlinkMode = .auto,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        stdinFD: Int32 = 0, stdoutFD: Int32 = 1, stderrFD: Int32 = 2
    ) -> TerminalCapabilities {
        let stdinIsTTY = isatty(stdinFD) == 1
        let stdoutIsTTY = isatty(stdoutFD) == 1
        let stderrIsTTY = isatty(stderrFD) == 1
        let term = environment["TERM"] ?? ""
        let termIsUsable = !term.isEmpty && term != "dumb"
        let windowColumns = Int(parley_window_columns(stdoutIsTTY ? stdoutFD : stderrFD))
        let isInteractive = stdinIsTTY && stdoutIsTTY && termIsUsable
        let useColor = colorPolicy(mode: colorMode, isTTY: stdoutIsTTY, environment: environment)
        return TerminalCapabilities(
            isInteractive: isInteractive,
            stdoutIsTTY: stdoutIsTTY,
            stderrIsTTY: stderrIsTTY,
            useColor: useColor,
            useColorOnStderr: colorPolicy(mode: colorMode, isTTY: stderrIsTTY, environment: environment),
            width: resolveWidth(windowColumns: windowColumns, environment: environment),
            hyperlinks: hyperlinkPolicy(mode: hyperlinkMode, useColor: useColor, isInteractive: isInteractive,
                                        environment: environment))
    }

    /// The hyperlink decision: never without colour on standard output (`NO_COLOR`, `--color
    /// never`, not a TTY) or outside the interactive terminal (scripted use); otherwise `on`
    /// always, `off` never, and `auto` in the terminals known to support OSC 8:
    /// `TERM_PROGRAM` `iTerm.app`, `WezTerm`, `vscode` or `ghostty`; kitty (`TERM=xterm-kitty`
    /// or `KITTY_WINDOW_ID`); VTE 0.50 or later (`VTE_VERSION` ≥ 5000: GNOME Terminal, Tilix…);
    /// Windows Terminal (`WT_SESSION`); Konsole (`KONSOLE_VERSION`).
    public static func hyperlinkPolicy(
        mode: HyperlinkMode, useColor: Bool, isInteractive: Bool, environment: [String: String]
    ) -> Bool {
        guard useColor, isInteractive else { return false }
        switch mode {
        case .on: return true
        case .off: return false
        case .auto: return terminalSupportsHyperlinks(environment)
        }
    }

    /// Whether the environment names a terminal known to support OSC 8 hyperlinks.
    static func terminalSupportsHyperlinks(_ environment: [String: String]) -> Bool {
        func isSet(_ name: String) -> Bool { !(environment[name] ?? "").isEmpty }
        if let program = environment["TERM_PROGRAM"], ["iTerm.app", "WezTerm", "vscode", "ghostty"].contains(program) {
            return true
        }
        if environment["TERM"] == "xterm-kitty" || isSet("KITTY_WINDOW_ID") { return true }
        if let vte = environment["VTE_VERSION"].flatMap(Int.init), vte >= 5000 { return true }
        return isSet("WT_SESSION") || isSet("KONSOLE_VERSION")
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
