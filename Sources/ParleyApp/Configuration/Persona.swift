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
/// The prompt file is read by ``launchConfiguration(base:settings:)`` each time a process is started,
/// so editing the file and switching to the persona again picks up the change.
public struct Persona: Sendable, Equatable {
    /// The scripted-mode permission policies: `none` denies every tool request, `edits`
    /// approves file edits only, `all` approves everything.
    public static let autoApprovePolicies = AutoApprovePolicy.allCases.map(\.rawValue)

    /// The built-in persona: named `default`, it sets nothing. It exists even when there is no
    /// configuration file; a file may replace it with its own `[personas.default]`.
    public static let `default` = Persona(name: "default")

    /// The name used with `/persona NAME` and `--persona NAME`.
    public var name: String
    /// What the persona sets, by ``LaunchSetting/name``; every ``LaunchSettings/standard``
    /// persona key can be here. An empty list or table is never stored (it sets nothing).
    public private(set) var settings: [String: LaunchValue] = [:]

    /// The value the persona gives `setting`, or `nil` when it leaves it alone.
    public subscript(setting: LaunchSetting) -> LaunchValue? {
        get { settings[setting.name] }
        set { settings[setting.name] = newValue?.isEmpty == true ? nil : newValue }
    }

    /// A short line shown by `/persona list`.
    public var description: String? {
        get { self[.description]?.text } set { self[.description] = newValue.map(LaunchValue.text) }
    }
    /// The system prompt given inline (`--system-prompt`). Exclusive with ``systemPromptFile``.
    public var systemPrompt: String? {
        get { self[.systemPrompt]?.text } set { self[.systemPrompt] = newValue.map(LaunchValue.text) }
    }
    /// A file whose contents are the system prompt. Exclusive with ``systemPrompt``.
    public var systemPromptFile: String? {
        get { self[.systemPromptFile]?.text } set { self[.systemPromptFile] = newValue.map(LaunchValue.text) }
    }
    /// Text appended to the default system prompt (`--append-system-prompt`).
    public var appendSystemPrompt: String? {
        get { self[.appendSystemPrompt]?.text } set { self[.appendSystemPrompt] = newValue.map(LaunchValue.text) }
    }
    /// The model alias or name (`--model`).
    public var model: String? {
        get { self[.model]?.text } set { self[.model] = newValue.map(LaunchValue.text) }
    }
    /// The most agentic turns per message (`--max-turns`).
    public var maxTurns: Int? {
        get { self[.maxTurns]?.integer } set { self[.maxTurns] = newValue.map(LaunchValue.integer) }
    }
    /// One of ``PermissionModes/all`` (`--permission-mode`).
    public var permissionMode: String? {
        get { self[.permissionMode]?.text } set { self[.permissionMode] = newValue.map(LaunchValue.text) }
    }
    /// Tools allowed without asking (`--allowedTools`); empty keeps the base's list.
    public var allowedTools: [String] {
        get { self[.allowedTools]?.list ?? [] } set { self[.allowedTools] = .list(newValue) }
    }
    /// Tools that are never allowed (`--disallowedTools`); empty keeps the base's list.
    public var disallowedTools: [String] {
        get { self[.disallowedTools]?.list ?? [] } set { self[.disallowedTools] = .list(newValue) }
    }
    /// The directory `claude` runs in.
    public var workingDirectory: String? {
        get { self[.workingDirectory]?.text } set { self[.workingDirectory] = newValue.map(LaunchValue.text) }
    }
    /// Extra environment variables for `claude`, merged over the base's (the persona wins).
    public var environment: [String: String] {
        get { self[.environment]?.table ?? [:] } set { self[.environment] = .table(newValue) }
    }
    /// One of ``autoApprovePolicies``: how tool permission requests are answered when Parley
    /// runs a script and nobody can be asked. `nil` defers to the file's top-level setting.
    public var autoApprove: String? {
        get { self[.autoApprove]?.text } set { self[.autoApprove] = newValue.map(LaunchValue.text) }
    }

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
        do {
            return try Self.readPromptFile(systemPromptFile)
        } catch {
            throw attributed(error)
        }
    }

    /// The contents of a prompt file without trailing newlines.
    ///
    /// - Throws: ``ConfigurationError`` of kind ``ConfigurationError/Kind/promptFileUnreadable``
    ///   naming the path (not yet the persona) when the file is missing, is a directory, or is
    ///   not UTF-8 text.
    static func readPromptFile(_ path: String) throws(ConfigurationError) -> String {
        func failure(_ reason: String) -> ConfigurationError {
            ConfigurationError(kind: .promptFileUnreadable, path: path, message: "system prompt file \(path) \(reason)")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw failure("does not exist")
        }
        guard !isDirectory.boolValue else { throw failure("is a directory") }
        guard let data = FileManager.default.contents(atPath: path) else { throw failure("cannot be read") }
        guard var text = String(data: data, encoding: .utf8) else { throw failure("is not UTF-8 text") }
        while text.last?.isNewline == true { text.removeLast() }
        return text
    }

    /// `error` as this persona's: naming it, its message prefixed with it.
    private func attributed(_ error: ConfigurationError) -> ConfigurationError {
        var error = error
        error.personaName = name
        error.message = "persona \"\(name)\": " + error.message
        return error
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
    /// - Parameters:
    ///   - base: The configuration to start from.
    ///   - table: The launch options to apply, in order (tests pass their own).
    /// - Returns: `base` with this persona's settings applied.
    /// - Throws: ``ConfigurationError`` naming the persona and the path when the
    ///   ``systemPromptFile`` cannot be read.
    public func launchConfiguration(base: LaunchConfiguration, settings table: LaunchSettings = .standard)
        throws(ConfigurationError) -> LaunchConfiguration {
        var result = base
        for setting in table.entries {
            guard let value = self[setting] else { continue }
            do {
                try setting.apply(value, to: &result)
            } catch {
                throw attributed(error)
            }
        }
        return result
    }
}
