import Foundation
import StreamJSON

/// The names given to conversations with `/rename`, kept by Parley (not the CLI) in one JSON
/// object `{"<session id>": "<name>"}` in its state directory, written with ``PrivateFile``.
public struct ConversationNames: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    /// Every name, by session id (empty when the file is missing or unreadable).
    public func all() -> [String: String] {
        guard let data = FileManager.default.contents(atPath: path),
              let members = (try? JSONValue.parse(data))?.objectValue else { return [:] }
        return members.compactMapValues(\.stringValue)
    }

    public func name(of sessionID: String) -> String? { all()[sessionID] }

    /// Names (or, with `nil`, un-names) a conversation.
    public func setName(_ name: String?, for sessionID: String) throws(PrivateFile.WriteError) {
        var names = all()
        names[sessionID] = name
        let text = JSONValue.object(names.mapValues(JSONValue.string)).compactText + "\n"
        try PrivateFile.write(text, to: path, replacing: true)
    }
}
