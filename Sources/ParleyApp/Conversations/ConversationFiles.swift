import Conversations
import Foundation

/// Where conversation features read and write: the CLI's transcripts under the home directory
/// `claude` sees, and Parley's own state (conversation names, text `/copy` could not put on the
/// clipboard).
public struct ConversationFiles: Sendable {
    /// The home directory of `claude` (its `~/.claude/projects` holds the transcripts).
    public let home: String
    /// Parley's state directory (`$XDG_STATE_HOME/parley`).
    public let stateDirectory: String

    public init(home: String, stateDirectory: String) {
        self.home = home
        self.stateDirectory = stateDirectory
    }

    /// The CLI's home from its environment (else the user's), and Parley's state directory.
    public init(paths: ParleyPaths, childEnvironment: [String: String]) {
        self.init(home: childEnvironment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? paths.homeDirectory,
                  stateDirectory: paths.stateDirectory)
    }

    /// The conversations of `workingDirectory` (Parley's own when `nil`).
    func store(workingDirectory: String?) -> ConversationStore {
        ConversationStore(home: home, workingDirectory: workingDirectory ?? FileManager.default.currentDirectoryPath)
    }

    /// Names given with `/rename`.
    var names: ConversationNames {
        ConversationNames(path: (stateDirectory as NSString).appendingPathComponent("conversation-names.json"))
    }

    /// Where `/copy` writes when the terminal cannot take it.
    var copyFile: String { (stateDirectory as NSString).appendingPathComponent("copied.txt") }
}
