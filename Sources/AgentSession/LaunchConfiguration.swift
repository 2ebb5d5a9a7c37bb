import Foundation

/// Everything needed to start one `claude` process: where the binary is, the persona's
/// flags, the working directory and the environment.
///
/// It is a plain value: ``arguments(for:)`` and ``childEnvironment()`` are pure, so the
/// exact argv and environment can be asserted without spawning anything.
public struct LaunchConfiguration: Sendable, Equatable {
    /// An explicit path to `claude` (`--claude`); wins over `PARLEY_CLAUDE` and `PATH`.
    public var claudePath: String?
    public var workingDirectory: String?
    public var model: String?
    public var systemPrompt: String?
    public var appendSystemPrompt: String?
    public var permissionMode: String?
    public var maxTurns: Int?
    public var allowedTools: [String]
    public var disallowedTools: [String]
    /// Ask the host about tool permissions over stdio (`--permission-prompt-tool stdio`).
    public var permissionPromptTool: Bool
    /// Stream text deltas (`--include-partial-messages`).
    public var includePartialMessages: Bool
    /// `--resume ID` for the first start.
    public var resumeSessionID: String?
    /// `--continue` for the first start.
    public var continueMostRecent: Bool
    /// Extra environment for the child, on top of ``baseEnvironment``.
    public var environment: [String: String]
    /// The environment the child inherits before ``environment`` is applied and nesting
    /// markers are removed. Defaults to Parley's own.
    public var baseEnvironment: [String: String]
    /// `claude` flags this type does not model, by flag (`["--fallback-model": ["haiku"]]`):
    /// a launch setting passed straight through. Setting a flag again replaces its arguments;
    /// they follow the modelled flags, in flag order.
    public var claudeFlags: [String: [String]] = [:]
    /// Arguments appended verbatim (for flags Parley does not model).
    public var extraArguments: [String]

    /// Environment variables that mark "running inside Claude Code"; a child CLI that
    /// sees them may refuse to start or behave as a nested session, so they never reach it.
    public static let nestingMarkers: Set<String> = [
        "CLAUDECODE", "CLAUDE_CODE_ENTRYPOINT", "CLAUDE_CODE_SSE_PORT", "CLAUDE_AGENT_SDK_VERSION",
        "CLAUDE_CODE_SESSION_ID",
    ]

    public init(claudePath: String? = nil, workingDirectory: String? = nil, model: String? = nil,
                systemPrompt: String? = nil, appendSystemPrompt: String? = nil, permissionMode: String? = nil,
                maxTurns: Int? = nil, allowedTools: [String] = [], disallowedTools: [String] = [],
                permissionPromptTool: Bool = true, includePartialMessages: Bool = true,
                resumeSessionID: String? = nil, continueMostRecent: Bool = false,
                environment: [String: String] = [:],
                baseEnvironment: [String: String] = ProcessInfo.processInfo.environment,
                extraArguments: [String] = []) {
        self.claudePath = claudePath
        self.workingDirectory = workingDirectory
        self.model = model
        self.systemPrompt = systemPrompt
        self.appendSystemPrompt = appendSystemPrompt
        self.permissionMode = permissionMode
        self.maxTurns = maxTurns
        self.allowedTools = allowedTools
        self.disallowedTools = disallowedTools
        self.permissionPromptTool = permissionPromptTool
        self.includePartialMessages = includePartialMessages
        self.resumeSessionID = resumeSessionID
        self.continueMostRecent = continueMostRecent
        self.environment = environment
        self.baseEnvironment = baseEnvironment
        self.extraArguments = extraArguments
    }

    /// How a process relates to the conversation.
    public enum StartMode: Sendable, Equatable {
        /// The first start: honour ``resumeSessionID`` / ``continueMostRecent``.
        case initial
        /// Continue this session (crash recovery, `/restart`).
        case resume(sessionID: String)
        /// A new conversation (`/restart --fresh`, `/new`).
        case fresh
    }

    /// The argument vector after the executable.
    public func arguments(for mode: StartMode) -> [String] {
        var arguments = ["-p", "--input-format", "stream-json", "--output-format", "stream-json", "--verbose"]
        if includePartialMessages { arguments.append("--include-partial-messages") }
        if permissionPromptTool { arguments += ["--permission-prompt-tool", "stdio"] }
        if let model { arguments += ["--model", model] }
        if let systemPrompt { arguments += ["--system-prompt", systemPrompt] }
        if let appendSystemPrompt { arguments += ["--append-system-prompt", appendSystemPrompt] }
        if let permissionMode { arguments += ["--permission-mode", permissionMode] }
        if let maxTurns { arguments += ["--max-turns", String(maxTurns)] }
        if !allowedTools.isEmpty { arguments += ["--allowedTools", allowedTools.joined(separator: ",")] }
        if !disallowedTools.isEmpty { arguments += ["--disallowedTools", disallowedTools.joined(separator: ",")] }
        for flag in claudeFlags.keys.sorted() { arguments += [flag] + claudeFlags[flag]! }
        switch mode {
        case .initial:
            if let resumeSessionID { arguments += ["--resume", resumeSessionID] }
            else if continueMostRecent { arguments.append("--continue") }
        case .resume(let sessionID):
            arguments += ["--resume", sessionID]
        case .fresh:
            break
        }
        return arguments + extraArguments
    }

    /// What Parley always sets in the child's environment (``environment`` may override it):
    /// file checkpointing, so that `rewind_files` can report and restore what a turn changed
    /// (change receipts, `/undo`, `/rewind --files`).
    public static let parleyEnvironment = ["CLAUDE_CODE_ENABLE_SDK_FILE_CHECKPOINTING": "true"]

    /// The child's environment: the base, plus ``parleyEnvironment``, plus ``environment``,
    /// minus nesting markers.
    public func childEnvironment() -> [String: String] {
        var result = baseEnvironment
        for (key, value) in Self.parleyEnvironment { result[key] = value }
        for (key, value) in environment { result[key] = value }
        for marker in Self.nestingMarkers { result.removeValue(forKey: marker) }
        return result
    }

    /// Finds the binary: ``claudePath``, then `PARLEY_CLAUDE`, then each `PATH` entry.
    public func resolveExecutable() throws(SessionError) -> String {
        let fileManager = FileManager.default
        func check(_ path: String) throws(SessionError) -> String {
            var isDirectory: ObjCBool = false
            guard fileManager.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
                throw .claudeNotFound(searched: path)
            }
            guard fileManager.isExecutableFile(atPath: path) else { throw .claudeNotExecutable(path: path) }
            return path
        }
        if let claudePath, !claudePath.isEmpty {
            if claudePath.contains("/") { return try check(claudePath) }
            return try searchPath(for: claudePath, check: check)
        }
        if let fromEnvironment = baseEnvironment["PARLEY_CLAUDE"], !fromEnvironment.isEmpty {
            return try check(fromEnvironment)
        }
        return try searchPath(for: "claude", check: check)
    }

    private func searchPath(for name: String, check: (String) throws(SessionError) -> String) throws(SessionError) -> String {
        let path = baseEnvironment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        var notExecutable: SessionError?
        for directory in path.split(separator: ":") where !directory.isEmpty {
            do {
                return try check("\(directory)/\(name)")
            } catch {
                if case .claudeNotExecutable = error { notExecutable = error }
            }
        }
        throw notExecutable ?? .claudeNotFound(searched: "PATH for `\(name)`; PARLEY_CLAUDE unset")
    }
}
