import Foundation

/// A directory's earlier conversations as `/resume` lists them: newest first, numbered from 1.
public struct ConversationListing: Sendable {
    /// One listed conversation.
    public struct Item: Sendable {
        public let number: Int
        public let entry: ConversationStore.Entry
        /// The parsed conversation, or why it cannot be read.
        public let transcript: Result<Transcript, ConversationError>
        /// The name given with `/rename`, else the CLI's own title.
        public let name: String?
    }

    public let items: [Item]
    /// Older conversations not listed (beyond the limit).
    public let omitted: Int

    /// Lists the newest `limit` conversations of `store`, naming them from `names`. Conversations
    /// without a single prompt (a process that was started and never asked anything) are left out.
    public init(store: ConversationStore, names: [String: String], limit: Int = 20) {
        var items: [Item] = []
        var remaining = store.entries()[...]
        while items.count < limit, let entry = remaining.popFirst() {
            let transcript = Result { () throws(ConversationError) in try store.load(entry) }
            if case .success(let parsed) = transcript, parsed.turns.isEmpty { continue }
            let cliTitle = (try? transcript.get())?.cliTitle
            items.append(Item(number: items.count + 1, entry: entry, transcript: transcript,
                              name: names[entry.sessionID] ?? cliTitle))
        }
        self.items = items
        omitted = remaining.count
    }

    /// The item numbered `number` (from 1).
    public func item(_ number: Int) throws(ConversationError) -> Item {
        guard items.indices.contains(number - 1) else { throw .outOfRange(number, count: items.count) }
        return items[number - 1]
    }
}
