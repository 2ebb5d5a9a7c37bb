import Conversations
import Foundation

/// Where conversation features read and write: the CLI's transcripts under the configuration
/// directory `claude` sees, and Parley's own state (conversation names, text `/copy` could not
/// put on the clipboard).
public struct ConversationFiles: Sendable, Equatable {
    /// The home directory of `claude`.
    public let home: String
    /// The CLI's configuration directory (its `projects` folder holds the transcripts):
    /// `$CLAUDE_CONFIG_DIR`, else `home/.claude`.
    public let configDirectory: String
    /// Parley's state directory (`$XDG_STATE_HOME/parley`).
    public let stateDirectory: String

    public init(home: String, stateDirectory: String, configDirectory: String? = nil) {
        self.home = home
        self.configDirectory = configDirectory ?? ConversationStore.configDirectory(environment: [:], home: home)
        self.stateDirectory = stateDirectory
    }

    /// The CLI's home and configuration directory from its environment (else the user's), and
    /// Parley's state directory.
    public init(paths: ParleyPaths, childEnvironment: [String: String]) {
        let home = childEnvironment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? paths.homeDirectory
        self.init(home: home, stateDirectory: paths.stateDirectory,
                  configDirectory: ConversationStore.configDirectory(environment: childEnvironment, home: home))
    }

    /// The conversations of `workingDirectory` (Parley's own when `nil`).
    func store(workingDirectory: String?) -> ConversationStore {
        ConversationStore(configDirectory: configDirectory,
                          workingDirectory: workingDirectory ?? FileManager.default.currentDirectoryPath)
    }

    /// Names given with `/rename`.
    var names: ConversationNames {
        ConversationNames(path: (stateDirectory as NSString).appendingPathComponent("conversation-names.json"))
    }

    /// Where `/copy` writes when the terminal cannot take it.
    var copyFile: String { (stateDirectory as NSString).appendingPathComponent("copied.txt") }
}

/// A directory's earlier conversations, read when asked: what `/resume` lists and numbers, and
/// what Tab after `/resume ` offers.
public struct ConversationCatalog: Sendable, Equatable {
    let store: ConversationStore
    let files: ConversationFiles

    /// The conversations, newest first and numbered, named from `/rename`.
    func listing() -> ConversationListing {
        ConversationListing(store: store, names: files.names.all())
    }
}
