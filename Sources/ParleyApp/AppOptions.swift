import Terminal

/// Everything the command line says, already validated by the executable.
public struct AppOptions: Sendable {
    public enum OutputFormat: String, Sendable, CaseIterable { case text, json }

    public var persona: String?
    public var overrides = LaunchOverrides()
    /// `--resume` without an id: list this directory's conversations and ask which.
    public var pickConversation = false
    public var color: ColorMode?
    public var hyperlinks: HyperlinkMode?
    public var outputFormat: OutputFormat = .text
    public var configPath: String?
    public var debugLogPath: String?
    public var showThinking = false
    /// Seconds without output during a turn before Parley says the CLI may be hung, as typed
    /// (checked by ``SessionTuning``).
    public var stallTimeout: String?
    /// `--version`: print Parley's and the detected `claude`'s version, then exit.
    public var printVersion = false
    public var environment: [String: String]

    public init(environment: [String: String]) {
        self.environment = environment
    }
}

/// Parley's exit statuses (also in Docs/Scripting.md).
public enum ExitStatusCode {
    /// Every turn succeeded.
    public static let success: Int32 = 0
    /// A turn ended in error, a message went unanswered, or claude could not be recovered.
    public static let turnFailed: Int32 = 1
    /// Bad command-line usage or a configuration error.
    public static let usage: Int32 = 2
    /// Stopped by Ctrl-C (SIGINT).
    public static let interrupted: Int32 = 130
}
