import AgentSession

/// Settings given on the command line. They win over the persona and the config file.
public struct LaunchOverrides: Sendable, Equatable {
    public var claudePath: String?
    public var workingDirectory: String?
    public var model: String?
    public var systemPrompt: String?
    public var appendSystemPrompt: String?
    public var permissionMode: String?
    public var resumeSessionID: String?
    public var continueMostRecent = false
    public var autoApprove: AutoApprovePolicy?

    public init() {}

    /// Applies every flag that was given.
    public func apply(to launch: inout LaunchConfiguration) {
        if let claudePath { launch.claudePath = claudePath }
        if let workingDirectory { launch.workingDirectory = workingDirectory }
        if let model { launch.model = model }
        if let systemPrompt { launch.systemPrompt = systemPrompt }
        if let appendSystemPrompt { launch.appendSystemPrompt = appendSystemPrompt }
        if let permissionMode { launch.permissionMode = permissionMode }
        if let resumeSessionID { launch.resumeSessionID = resumeSessionID }
        if continueMostRecent { launch.continueMostRecent = true }
    }
}
