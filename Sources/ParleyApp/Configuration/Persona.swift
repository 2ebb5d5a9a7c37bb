import AgentSession
import Foundation

/// A named set of `claude` settings that `/persona NAME` switches to: a reviewer, a terse
/// shell helper, a planner.
///
/// A persona only says what it changes. Every property left `nil` (or empty) keeps the value
/// of the ``AgentSession/LaunchConfiguration`` it is laid over, so the built-in
/// ``Persona/default`` changes nothing at all. Personas come from the `[personas.NAME]`
/// tables of the configuration file (see `Docs/Configuration.md`); the loader has already
/// validated their values, expanded `~` and made ``systemPromptFile`` and
/// ``workingDirectory`` absolute.
///
/// The prompt file is read by ``launchConfiguration(base:)`` each time a process is started,
/// so editing the file and switching to the persona again picks up the change.
public struct Persona: Sendable, Equatable {
    /// The scripted-mode permission policies: `none` denies every tool request, `edits`
    /// approves file edits only, `all` approves everything.
    public static let autoApprovePolicies = ["none", "edits", "all"]

    /// The built-in persona: named `default`, it sets nothing. It exists even when there is no
    /// configuration file; a file may replace it with its own `[personas.default]`.
    public static let `default` = Persona(name: "default")

    /// The name used with `/persona NAME` and `--persona NAME`.
    public var name: String
    /// A short line shown by `/persona list`.
    public var description: String?
    /// The system prompt given inline (`--system-prompt`). Exclusive with ``systemPromptFile``.
    public var systemPrompt: String?
    /// A file whose contents are the system prompt. Exclusive with ``systemPrompt``.
    public var systemPromptFile: String?
    /// Text appended to the default system prompt (`--append-system-prompt`).
    public var appendSystemPrompt: String?
    /// The model alias or name (`--model`).
    public var model: String?
    /// The most agentic turns per message (`--max-turns`).
    public var maxTurns: Int?
    /// One of ``PermissionModes/all`` (`--permission-mode`).
    public var permissionMode: String?
    /// Tools allowed without asking (`--allowedTools`); empty keeps the base's list.
    public var allowedTools: [String]
    /// Tools that are never allowed (`--disallowedTools`); empty keeps the base's list.
    public var disallowedTools: [String]
    /// The directory `claude` runs in.
    public var workingDirectory: String?
    /// Extra environment variables for `claude`, merged over the base's (the persona wins).
    public var environment: [String: String]
    /// One of ``autoApprovePolicies``: how tool permission requests are answered when Parley
    /// runs a script and nobody can be asked. `nil` defers to the file's top-level setting.
    public var autoApprove: String?

    /// Creates a persona. Every setting defaults to "not set".
    ///
    /// - Parameters:
    ///   - name: The name used with `/persona NAME`.
    ///   - description: A short line for `/persona list`.
    ///   - systemPrompt: An inline system prompt.
    ///   - systemPromptFile: A file holding the system prompt; relative paths are taken relative
    ///     to the current directory at launch (the loader makes them absolute beforehand).
    ///   - appendSystemPrompt: Text appended to the default system prompt.
    ///   - model: The model.
    ///   - maxTurns: The most agentic turns per message.
    ///   - permissionMode: One of ``PermissionModes/all``.
    ///   - allowedTools: Tools allowed without asking.
    ///   - disallowedTools: Tools never allowed.
    ///   - workingDirectory: The directory `claude` runs in.
    ///   - environment: Extra environment variables.
    ///   - autoApprove: One of ``autoApprovePolicies``.
    public init(name: String, description: String? = nil, systemPrompt: String? = nil,
                systemPromptFile: String? = nil, appendSystemPrompt: String? = nil, model: String? = nil,
                maxTurns: Int? = nil, permissionMode: String? = nil, allowedTools: [String] = [],
                disallowedTools: [String] = [], workingDirectory: String? = nil,
                environment: [String: String] = [:], autoApprove: String? = nil) {
        self.name = name
        self.description = description
        self.systemPrompt = systemPrompt
        self.systemPromptFile = systemPromptFile
        self.appendSystemPrompt = appendSystemPrompt
        self.model = model
        self.maxTurns = maxTurns
        self.permissionMode = permissionMode
        self.allowedTools = allowedTools
        self.disallowedTools = disallowedTools
        self.workingDirectory = workingDirectory
        self.environment = environment
        self.autoApprove = autoApprove
    }

    /// The system prompt this persona sets: ``systemPrompt``, or the contents of
    /// ``systemPromptFile`` without trailing newlines, or `nil` when it sets neither.
    ///
    /// - Throws: ``ConfigurationError`` of kind ``ConfigurationError/Kind/promptFileUnreadable``
    ///   naming the persona and the path when the file is missing, is a directory, or is not
    ///   UTF-8 text.
    public func resolvedSystemPrompt() throws(ConfigurationError) -> String? {
        if let systemPrompt { return systemPrompt }
        guard let systemPromptFile else { return nil }
        func failure(_ reason: String) -> ConfigurationError {
            ConfigurationError(
                kind: .promptFileUnreadable, personaName: name, path: systemPromptFile,
                message: "persona \"\(name)\": system prompt file \(systemPromptFile) \(reason)")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: systemPromptFile, isDirectory: &isDirectory) else {
            throw failure("does not exist")
        }
        guard !isDirectory.boolValue else { throw failure("is a directory") }
        guard let data = FileManager.default.contents(atPath: systemPromptFile) else {
            throw failure("cannot be read")
        }
        guard var text = String(data: data, encoding: .utf8) else { throw failure("is not UTF-8 text") }
        while text.last?.isNewline == true { text.removeLast() }
        return text
    }

    /// Lays this persona's settings over `base` and returns the result.
    ///
    /// Each setting the persona has replaces the base's; settings it leaves unset keep the
    /// base's value. Tool lists replace the base's when they are not empty. ``environment`` is
    /// merged into the base's `environment`, the persona's value winning for a variable both
    /// set. ``description`` and ``autoApprove`` do not affect the launch.
    ///
    /// Precedence is command-line flags > persona > file defaults > built-in defaults, so build
    /// `base` from the built-in and file defaults (such as ``ParleyConfiguration/claudePath``)
    /// and apply command-line flags to the result of this call.
    ///
    /// - Parameter base: The configuration to start from.
    /// - Returns: `base` with this persona's settings applied.
    /// - Throws: ``ConfigurationError`` naming the persona and the path when the
    ///   ``systemPromptFile`` cannot be read.
    public func launchConfiguration(base: LaunchConfiguration) throws(ConfigurationError) -> LaunchConfiguration {
        var result = base
        if let prompt = try resolvedSystemPrompt() { result.systemPrompt = prompt }
        if let appendSystemPrompt { result.appendSystemPrompt = appendSystemPrompt }
        if let model { result.model = model }
        if let maxTurns { result.maxTurns = maxTurns }
        if let permissionMode { result.permissionMode = permissionMode }
        if !allowedTools.isEmpty { result.allowedTools = allowedTools }
        if !disallowedTools.isEmpty { result.disallowedTools = disallowedTools }
        if let workingDirectory { result.workingDirectory = workingDirectory }
        result.environment.merge(environment) { _, persona in persona }
        return result
    }
}
