import Foundation
import StreamJSON

#if canImport(Glibc)
import Glibc
#endif

/// Parley's queued messages kept on disk until each is sent, so that a Parley that is killed
/// or crashes with messages queued loses none: the next run in the same directory finds them.
/// One JSON file per working directory, written with ``PrivateFile`` at every change.
public struct QueueJournal: Sendable {
    /// One message waiting to be sent: the `uuid` its user line gets (the CLI keeps it in the
    /// transcript, which is how a message it already took is recognised) and the conversation
    /// it was queued in.
    public struct Message: Sendable, Equatable {
        public let uuid: String
        public let text: String
        public let sessionID: String?

        public init(uuid: String, text: String, sessionID: String?) {
            self.uuid = uuid
            self.text = text
            self.sessionID = sessionID
        }
    }

    public let path: String

    /// The journal of `workingDirectory` in Parley's state directory.
    public init(stateDirectory: String, workingDirectory: String) {
        let name = ConversationStore.folderName(for: (workingDirectory as NSString).resolvingSymlinksInPath)
        path = (stateDirectory as NSString).appendingPathComponent("queues/\(name).json")
    }

    /// The messages kept (none when the file is missing or unreadable).
    public func load() -> [Message] {
        guard let data = FileManager.default.contents(atPath: path),
              let list = (try? JSONValue.parse(data))?["messages"]?.arrayValue else { return [] }
        return list.compactMap { item in
            guard let uuid = item["uuid"]?.stringValue, let text = item["text"]?.stringValue else { return nil }
            return Message(uuid: uuid, text: text, sessionID: item["session_id"]?.stringValue)
        }
    }

    /// Keeps exactly `messages` (an empty list removes the file).
    public func save(_ messages: [Message]) throws(PrivateFile.WriteError) {
        guard !messages.isEmpty else {
            if unlink(path) != 0 && errno != ENOENT {
                throw PrivateFile.WriteError(path: path, reason: String(cString: strerror(errno)))
            }
            return
        }
        let list = JSONValue.array(messages.map { message in
            var fields: [String: JSONValue] = ["uuid": .string(message.uuid), "text": .string(message.text)]
            if let session = message.sessionID { fields["session_id"] = .string(session) }
            return .object(fields)
        })
        // Not durable: written at every queue change on the app's actor, it must stay cheap; it is
        // there for a Parley that is killed, not for a machine that crashes.
        try PrivateFile.write(JSONValue.object(["messages": list]).compactText + "\n", to: path, replacing: true, durable: false)
    }
}

extension ConversationStore {
    /// Whether the CLI took a user line with this `uuid` into conversation `sessionID` (it is in
    /// the transcript), so that sending it again would send it twice.
    public func transcript(_ sessionID: String, contains uuid: String) -> Bool {
        let path = (directory as NSString).appendingPathComponent(sessionID + ".jsonl")
        guard let data = FileManager.default.contents(atPath: path) else { return false }
        return data.range(of: Data("\"uuid\":\"\(uuid)\"".utf8)) != nil
    }
}
