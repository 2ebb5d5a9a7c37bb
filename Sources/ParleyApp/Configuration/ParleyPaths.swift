import Foundation

/// Where Parley keeps its files, following the XDG Base Directory layout.
///
/// The paths are computed from an environment dictionary rather than read from the process
/// directly, so tests can pass a made-up environment and assert the result without touching
/// the real home directory.
///
/// - `configFile`: `$XDG_CONFIG_HOME/parley/config.toml`, or `~/.config/parley/config.toml`.
/// - `historyFile`: `$XDG_STATE_HOME/parley/history`, or `~/.local/state/parley/history`.
///
/// As the XDG specification asks, an `XDG_*` variable that is empty or holds a relative path
/// is ignored and the fallback under the home directory is used instead.
public struct ParleyPaths: Sendable, Equatable {
    /// The user's home directory: `HOME`, or the account's home directory when `HOME` is unset.
    public var homeDirectory: String
    /// The directory holding Parley's configuration (`…/parley`).
    public var configDirectory: String
    /// The default configuration file (`…/parley/config.toml`).
    public var configFile: String
    /// The directory holding Parley's state, such as the line-editing history (`…/parley`).
    public var stateDirectory: String
    /// The line-editing history file (`…/parley/history`).
    public var historyFile: String

    /// Computes the paths from an environment.
    ///
    /// - Parameter environment: The variables to read (`HOME`, `XDG_CONFIG_HOME`,
    ///   `XDG_STATE_HOME`). Defaults to the process environment.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let home = Self.nonEmpty(environment["HOME"]) ?? NSHomeDirectory()
        homeDirectory = home
        let configHome = Self.absolute(environment["XDG_CONFIG_HOME"]) ?? Self.join(home, ".config")
        let stateHome = Self.absolute(environment["XDG_STATE_HOME"]) ?? Self.join(home, ".local/state")
        configDirectory = Self.join(configHome, "parley")
        configFile = Self.join(configDirectory, "config.toml")
        stateDirectory = Self.join(stateHome, "parley")
        historyFile = Self.join(stateDirectory, "history")
    }

    /// Expands a leading `~` or `~/` to ``homeDirectory``; any other path is returned unchanged.
    ///
    /// `~user` forms are not expanded.
    public func expandingTilde(in path: String) -> String {
        if path == "~" { return homeDirectory }
        if path.hasPrefix("~/") { return Self.join(homeDirectory, String(path.dropFirst(2))) }
        return path
    }

    /// Resolves a path the way configuration values are resolved: `~` is expanded, and a
    /// relative path is taken relative to `directory`.
    ///
    /// - Parameters:
    ///   - path: The path as written by the user.
    ///   - directory: The directory a relative path is relative to (usually the directory of
    ///     the configuration file).
    /// - Returns: An absolute, standardized path.
    public func resolve(_ path: String, relativeTo directory: String) -> String {
        let expanded = expandingTilde(in: path)
        let absolute = expanded.hasPrefix("/") ? expanded : Self.join(directory, expanded)
        return (absolute as NSString).standardizingPath
    }

    /// Creates the directory that will hold `file`, with its missing ancestors, using mode
    /// `0700` as the XDG specification asks. An existing directory is left as it is.
    ///
    /// Call it before writing the history file, for example
    /// `try ParleyPaths.createParentDirectory(of: paths.historyFile)`.
    ///
    /// - Throws: ``ConfigurationError`` of kind ``ConfigurationError/Kind/cannotCreateDirectory``
    ///   naming the directory and the reason.
    public static func createParentDirectory(of file: String) throws(ConfigurationError) {
        let directory = (file as NSString).deletingLastPathComponent
        guard !directory.isEmpty else { return }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            if isDirectory.boolValue { return }
            throw ConfigurationError(
                kind: .cannotCreateDirectory, path: directory,
                message: "cannot create directory \(directory): a file with that name exists")
        }
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
        } catch {
            throw ConfigurationError(
                kind: .cannotCreateDirectory, path: directory,
                message: "cannot create directory \(directory): \(error.localizedDescription)")
        }
    }

    private static func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }

    private static func absolute(_ value: String?) -> String? {
        guard let value = nonEmpty(value), value.hasPrefix("/") else { return nil }
        return value
    }

    static func join(_ directory: String, _ component: String) -> String {
        if directory.hasSuffix("/") { return directory + component }
        return directory + "/" + component
    }
}
