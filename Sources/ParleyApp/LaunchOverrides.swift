import AgentSession

/// Settings given on the command line. They win over the persona and the config file.
public struct LaunchOverrides: Sendable, Equatable {
    /// The launch flags given, by ``LaunchSetting/name``, already checked against their kind.
    public private(set) var values: [String: LaunchValue] = [:]
    /// `--resume ID`: the conversation the first process resumes.
    public var resumeSessionID: String?
    /// `--continue`: the first process continues the most recent conversation.
    public var continueMostRecent = false

    public init() {}

    /// Reads the launch flags as typed, by long flag name without dashes (`["cwd": "/src"]`).
    ///
    /// - Throws: ``LaunchFlagError`` for a value the flag does not accept.
    public init(flags: [String: String], settings table: LaunchSettings = .standard) throws(LaunchFlagError) {
        for (flag, typed) in flags {
            guard let setting = table.setting(flag: flag) else { throw LaunchFlagError("--\(flag) is not a launch flag") }
            values[setting.name] = try setting.value(fromFlag: typed)
        }
    }

    /// The value given for `setting`, or `nil` when its flag was not given.
    public subscript(setting: LaunchSetting) -> LaunchValue? { values[setting.name] }

    /// `--auto-approve`: the scripted-mode permission policy, winning over the configuration's.
    public var autoApprove: AutoApprovePolicy? {
        self[.autoApprove]?.text.flatMap(AutoApprovePolicy.init(rawValue:))
    }

    /// Applies every flag that was given, in table order.
    ///
    /// - Throws: ``ConfigurationError`` when a flag names a file that cannot be read.
    public func apply(to launch: inout LaunchConfiguration, settings table: LaunchSettings = .standard)
        throws(ConfigurationError) {
        for setting in table.entries {
            if let value = self[setting] { try setting.apply(value, to: &launch) }
        }
        if let resumeSessionID { launch.resumeSessionID = resumeSessionID }
        if continueMostRecent { launch.continueMostRecent = true }
    }
}
