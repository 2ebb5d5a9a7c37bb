import Foundation

/// Where the CLI keeps a directory's conversations, and reading them:
/// `$HOME/.claude/projects/<the directory, every character but letters and digits replaced
/// by ->/<session id>.jsonl` (`$CLAUDE_CONFIG_DIR/projects/…` when that is set). Conversations
/// started by Parley, by `claude -p` and by Claude Code's own interface all live there.
public struct ConversationStore: Sendable, Equatable {
    /// `…/.claude/projects`.
    public let projectsDirectory: String
    /// The working directory whose conversations these are (absolute, symbolic links resolved).
    public let workingDirectory: String

    /// The conversations of `workingDirectory` under the CLI's configuration directory
    /// (`~/.claude`, or `$CLAUDE_CONFIG_DIR`).
    public init(configDirectory: String, workingDirectory: String) {
        projectsDirectory = (configDirectory as NSString).appendingPathComponent("projects")
        self.workingDirectory = (workingDirectory as NSString).resolvingSymlinksInPath
    }

    /// The conversations of `workingDirectory` under `home/.claude`.
    public init(home: String, workingDirectory: String) {
        self.init(configDirectory: Self.configDirectory(environment: [:], home: home), workingDirectory: workingDirectory)
    }

    /// The CLI's configuration directory for its environment: `$CLAUDE_CONFIG_DIR`, else
    /// `$HOME/.claude` (`home` when the environment names no home).
    public static func configDirectory(environment: [String: String], home: String) -> String {
        if let configured = environment["CLAUDE_CONFIG_DIR"], !configured.isEmpty { return configured }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home
        return (home as NSString).appendingPathComponent(".claude")
    }

    /// The folder name the CLI gives a working directory.
    public static func folderName(for directory: String) -> String {
        String(directory.unicodeScalars.map { scalar -> Character in
            (scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar))) ? Character(scalar) : "-"
        })
    }

    /// This directory's folder.
    public var directory: String {
        (projectsDirectory as NSString).appendingPathComponent(Self.folderName(for: workingDirectory))
    }

    /// One transcript file.
    public struct Entry: Sendable, Equatable {
        public let sessionID: String
        public let path: String
        public let modified: Date
    }

    /// This directory's transcript files, newest first (by the time they were last written).
    public func entries() -> [Entry] {
        Self.entries(in: directory)
    }

    /// Reads and parses one conversation of this directory.
    public func load(_ entry: Entry) throws(ConversationError) -> Transcript {
        guard let data = FileManager.default.contents(atPath: entry.path) else {
            throw .unreadable(sessionID: entry.sessionID, reason: "cannot read \(entry.path)")
        }
        let transcript: Transcript
        do {
            transcript = try TranscriptParser.parse(data, sessionID: entry.sessionID)
        } catch {
            throw .unreadable(sessionID: entry.sessionID, reason: error.description)
        }
        if let cwd = transcript.workingDirectory,
           (cwd as NSString).resolvingSymlinksInPath != workingDirectory {
            throw .otherDirectory(sessionID: entry.sessionID, directory: cwd)
        }
        return transcript
    }

    /// The conversation with this id, or the only one whose id starts with it.
    public func find(_ idOrPrefix: String) throws(ConversationError) -> Entry {
        let prefix = idOrPrefix.lowercased()
        let matches = entries().filter { $0.sessionID.lowercased().hasPrefix(prefix) }
        if let exact = matches.first(where: { $0.sessionID.lowercased() == prefix }) { return exact }
        if matches.count > 1 { throw .ambiguous(prefix: idOrPrefix, count: matches.count) }
        if let match = matches.first { return match }
        if let elsewhere = otherDirectory(holding: prefix) {
            throw .otherDirectory(sessionID: elsewhere.id, directory: elsewhere.folder)
        }
        throw .unknown(idOrPrefix)
    }

    /// A conversation with this id (or id prefix) kept for another directory.
    private func otherDirectory(holding prefix: String) -> (id: String, folder: String)? {
        guard prefix.count >= 4 else { return nil }
        let folders = (try? FileManager.default.contentsOfDirectory(atPath: projectsDirectory)) ?? []
        for folder in folders.sorted() where folder != Self.folderName(for: workingDirectory) {
            let path = (projectsDirectory as NSString).appendingPathComponent(folder)
            if let entry = Self.entries(in: path).first(where: { $0.sessionID.lowercased().hasPrefix(prefix) }) {
                let directory = Self.workingDirectory(of: entry) ?? folder
                return (entry.sessionID, directory)
            }
        }
        return nil
    }

    private static func workingDirectory(of entry: Entry) -> String? {
        guard let data = FileManager.default.contents(atPath: entry.path) else { return nil }
        return try? TranscriptParser.parse(data, sessionID: entry.sessionID).workingDirectory
    }

    private static func entries(in directory: String) -> [Entry] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".jsonl") }.compactMap { name -> Entry? in
            let path = (directory as NSString).appendingPathComponent(name)
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                  attributes[.type] as? FileAttributeType == .typeRegular else { return nil }
            let modified = attributes[.modificationDate] as? Date ?? .distantPast
            return Entry(sessionID: String(name.dropLast(".jsonl".count)), path: path, modified: modified)
        }.sorted { ($0.modified, $0.sessionID) > ($1.modified, $1.sessionID) }
    }
}

/// Why a conversation cannot be resumed or read; each says what to do in one line.
public enum ConversationError: Error, Equatable, CustomStringConvertible {
    case unknown(String)
    case ambiguous(prefix: String, count: Int)
    case outOfRange(Int, count: Int)
    case unreadable(sessionID: String, reason: String)
    case otherDirectory(sessionID: String, directory: String)

    public var description: String {
        switch self {
        case .unknown(let id):
            "no conversation \(id) in this directory; /resume lists them"
        case .ambiguous(let prefix, let count):
            "\(count) conversations start with \(prefix); give more of the id"
        case .outOfRange(let number, let count):
            count == 0 ? "no earlier conversation in this directory"
                : "no conversation \(number); /resume lists 1 to \(count)"
        case .unreadable(let id, let reason):
            "conversation \(id.prefix(8)) cannot be read: \(reason)"
        case .otherDirectory(let id, let directory):
            "conversation \(id.prefix(8)) belongs to \(directory); run parley there to resume it"
        }
    }
}
