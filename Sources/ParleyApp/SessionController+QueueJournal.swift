import AgentSession
import Conversations
import Terminal

/// A queue that survives Parley: every queued message is kept in a ``QueueJournal`` until it
/// is sent, and a run that finds messages an earlier one left says so (`/queue restore`).
extension SessionController {
    /// Keeps the queue in `journal` from now on; says how many messages an earlier run left there.
    public func keepQueue(in journal: QueueJournal) {
        queueJournal = journal
        unsentFromLastRun = journal.load()
        let count = unsentFromLastRun.count
        guard count > 0 else { return }
        say(StyledText("\(count) message\(count == 1 ? "" : "s") queued in the last run \(count == 1 ? "was" : "were") not sent; "
                       + "/queue lists \(count == 1 ? "it" : "them"), /queue restore sends \(count == 1 ? "it" : "them")",
                       .color(.yellow)), kind: .error)
    }

    public var unsentFromLastRunTexts: [String] { unsentFromLastRun.map(\.text) }

    public func restoreUnsentFromLastRun() async -> (sent: Int, alreadyTaken: Int) {
        let store = await conversationStore
        var sent = 0
        var taken = 0
        sentWhileRestoring = []
        defer { sentWhileRestoring = nil }
        while !unsentFromLastRun.isEmpty {
            let message = unsentFromLastRun.removeFirst()
            if let session = message.sessionID, store.transcript(session, contains: message.uuid) {
                taken += 1
            } else {
                // Journaled under its new uuid before the old entry goes: a kill in between
                // leaves it once, never lost. (Its events may be handled while `send` is awaited.)
                let queued = await self.session.send(message.text)
                if sentWhileRestoring?.remove(queued.id) == nil, !journaledQueue.contains(where: { $0.uuid == queued.id }) {
                    journaledQueue.append(.init(uuid: queued.id, text: queued.text, sessionID: currentSessionID))
                }
                sent += 1
            }
            saveJournal()
        }
        return (sent, taken)
    }

    func journal(queued message: QueuedMessage) {
        guard queueJournal != nil, !journaledQueue.contains(where: { $0.uuid == message.id }) else { return }
        journaledQueue.append(.init(uuid: message.id, text: message.text, sessionID: currentSessionID))
        saveJournal()
    }

    func journal(sent id: String) {
        guard queueJournal != nil, journaledQueue.contains(where: { $0.uuid == id }) else {
            sentWhileRestoring?.insert(id)
            return
        }
        journaledQueue.removeAll { $0.uuid == id }
        saveJournal()
    }

    private func saveJournal() {
        guard let queueJournal else { return }
        do {
            try queueJournal.save(unsentFromLastRun + journaledQueue)
        } catch {
            sayError("queued messages are not kept on disk: \(error)")
        }
    }
}
