import AgentSession

/// The launch options, in one table: every persona key and every `parley` flag that changes
/// the `claude` process (or its permission policy) is one ``LaunchSetting`` here.
///
/// To add one, add a `static let` below and put it in ``standard``. A setting with a
/// `claudeFlag` and no `apply` is passed to `claude` as it is; the configuration loader
/// accepts its persona key, `/persona` and the command line apply it, and a `flag` needs the
/// one `@Option(.name) var name: String?` line in `Sources/parley/Parley.swift` that
/// ArgumentParser requires (the property is the flag in camelCase).
///
/// `--resume` and `--continue` are not here: they choose the conversation, not its settings.
public struct LaunchSettings: Sendable {
    /// The settings, in persona-key and `--help` order.
    public let entries: [LaunchSetting]

    /// Creates a table (tests use their own).
    public init(_ entries: [LaunchSetting]) { self.entries = entries }

    /// Parley's launch options.
    public static let standard = LaunchSettings([
        .description, .systemPrompt, .systemPromptFile, .appendSystemPrompt, .model, .maxTurns, .permissionMode,
        .allowedTools, .disallowedTools, .workingDirectory, .claude, .autoApprove, .environment,
    ])

    /// The keys a `[personas.NAME]` table accepts.
    public var personaKeys: [String] { entries.compactMap(\.personaKey) }

    /// The setting a persona key names.
    public func setting(personaKey key: String) -> LaunchSetting? {
        entries.first { $0.personaKey == key }
    }

    /// The setting a long flag (without dashes) names.
    public func setting(flag: String) -> LaunchSetting? {
        entries.first { $0.flag == flag }
    }

    /// The launch flags given, by long name, out of the executable's options by property name
    /// (a flag's property is ``LaunchSetting/propertyName``; `nil` when it was not given).
    ///
    /// - Throws: ``LaunchFlagError`` when a flag has no property: its declaration is missing.
    public func flags(fromProperties properties: [String: String?]) throws(LaunchFlagError) -> [String: String] {
        var flags: [String: String] = [:]
        for setting in entries {
            guard let flag = setting.flag, let property = setting.propertyName else { continue }
            guard let value = properties[property] else {
                throw LaunchFlagError("--\(flag) is not declared: add `@Option(LaunchSetting.…) var \(property): String?` to Sources/parley/Parley.swift")
            }
            if let value { flags[flag] = value }
        }
        return flags
    }
}

/// The standard entries. Each one's `help` says what it is; `Docs/Configuration.md` documents
/// its persona key (checked by `LaunchSettingsTests`).
extension LaunchSetting {
    public static let description = LaunchSetting(
        personaKey: "description", help: "One line shown by /persona list.")
    public static let systemPrompt = LaunchSetting(
        personaKey: "system_prompt", flag: "system-prompt", help: "Replace the system prompt.",
        claudeFlag: "--system-prompt", apply: { value, launch in launch.systemPrompt = value.text })
    public static let systemPromptFile = LaunchSetting(
        personaKey: "system_prompt_file", help: "A file whose contents replace the system prompt.",
        kind: .file(noun: "system prompt file"), claudeFlag: "--system-prompt", conflictsWith: "system_prompt",
        apply: { value, launch throws(ConfigurationError) in
            if let path = value.text { launch.systemPrompt = try Persona.readPromptFile(path) }
        })
    public static let appendSystemPrompt = LaunchSetting(
        personaKey: "append_system_prompt", flag: "append-system-prompt", help: "Append to the system prompt.",
        claudeFlag: "--append-system-prompt", apply: { value, launch in launch.appendSystemPrompt = value.text })
    public static let model = LaunchSetting(
        personaKey: "model", flag: "model", help: "Model for claude (e.g. sonnet, opus).",
        claudeFlag: "--model", apply: { value, launch in launch.model = value.text })
    public static let maxTurns = LaunchSetting(
        personaKey: "max_turns", help: "The most agentic turns per message.", kind: .integer(minimum: 1),
        claudeFlag: "--max-turns", apply: { value, launch in launch.maxTurns = value.integer })
    public static let permissionMode = LaunchSetting(
        personaKey: "permission_mode", flag: "permission-mode",
        help: "claude's permission mode (\(PermissionModes.all.joined(separator: "|"))).",
        kind: .choice(PermissionModes.all), claudeFlag: "--permission-mode",
        apply: { value, launch in launch.permissionMode = value.text })
    public static let allowedTools = LaunchSetting(
        personaKey: "allowed_tools", help: "Tools allowed without asking.", kind: .list, claudeFlag: "--allowedTools",
        apply: { value, launch in launch.allowedTools = value.list })
    public static let disallowedTools = LaunchSetting(
        personaKey: "disallowed_tools", help: "Tools never allowed.", kind: .list, claudeFlag: "--disallowedTools",
        apply: { value, launch in launch.disallowedTools = value.list })
    public static let workingDirectory = LaunchSetting(
        personaKey: "working_directory", flag: "cwd", help: "Working directory for claude.", kind: .directory,
        apply: { value, launch in launch.workingDirectory = value.text })
    public static let claude = LaunchSetting(
        flag: "claude", help: "Path to the claude binary (default: $PARLEY_CLAUDE, then PATH).",
        apply: { value, launch in launch.claudePath = value.text })
    public static let autoApprove = LaunchSetting(
        personaKey: "auto_approve", flag: "auto-approve", help: "Scripted tool permissions: none, edits or all.",
        kind: .choice(Persona.autoApprovePolicies))
    public static let environment = LaunchSetting(
        personaKey: "env", help: "Extra environment variables for claude.", kind: .environment,
        apply: { value, launch in launch.environment.merge(value.table) { _, setting in setting } })
}
