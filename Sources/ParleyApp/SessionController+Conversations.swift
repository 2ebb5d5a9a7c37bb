import AgentSession
import Conversations
import Foundation
import StreamJSON
import Terminal

#if canImport(Glibc)
import Glibc
#endif

/// The conversation side of ``CommandContext``: resuming, the last answer, the clipboard.
extension SessionController {
    public nonisolated var conversationFiles: ConversationFiles { files }

    public var conversationStore: ConversationStore {
        get async { files.store(workingDirectory: await session.launchConfiguration.workingDirectory) }
    }

    public func resumeConversation(_ transcript: Transcript, name: String?) async {
        if await session.snapshot.sessionID != transcript.sessionID {
            // The prompts come from the transcript in hand, so the restart does not read it again.
            history.started = true
            history.reset(to: ConversationHistory.prompts(of: transcript), sessionID: transcript.sessionID)
            await session.resume(sessionID: transcript.sessionID)
        }
        lastAnswer = transcript.turns.last?.finalText
        showResumed(transcript, name: name)
    }

    /// Shows a resumed conversation's last turns (also at start, for `--resume` and `--continue`).
    func showResumed(_ transcript: Transcript, name: String?) {
        report(ConversationLines.resumed(transcript, name: name, width: lineWidth),
               json: ConversationLines.resumedJSON(transcript, name: name))
    }

    public func copyToClipboard(_ text: String) -> Bool {
        clipboard?(text) ?? false
    }

    public func report(_ lines: [StyledText], json: JSONValue) {
        if case .json = presentation {
            say(json)
        } else {
            for line in lines { say(line) }
        }
    }

    public var lineWidth: Int {
        if case .transcript(let presenter) = presentation { return presenter.width }
        return 80
    }

    /// Lets `/copy` write to the terminal's clipboard: interactive use in a terminal that is
    /// not `dumb` (set by the interactive front end).
    public func setClipboard(_ write: (@Sendable (String) -> Bool)?) {
        clipboard = write
    }

    /// OSC 52 to standard output (the terminal), in one write so it cannot be cut by other output.
    public static let osc52Clipboard: @Sendable (String) -> Bool = { text in
        let sequence = Array(("\u{1B}]52;c;" + Data(text.utf8).base64EncodedString() + "\u{07}").utf8)
        var written = 0
        while written < sequence.count {
            let result = sequence.withUnsafeBytes { Glibc.write(STDOUT_FILENO, $0.baseAddress! + written, sequence.count - written) }
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else { return false }
            written += result
        }
        return true
    }
}
