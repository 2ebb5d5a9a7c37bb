import Conversations
import Foundation
import Terminal

#if canImport(Glibc)
import Glibc
#endif

/// `--resume [ID]` and `--continue`: which earlier conversation Parley starts in, found in the
/// CLI's transcripts before `claude` starts, so that a bad id is said in one line and the
/// conversation's last turns can be shown again.
enum StartingConversation {
    /// The conversation to resume, or `nil` for a new one (or, with `--continue` and no
    /// transcript found, the CLI's own `--continue`).
    static func choose(_ options: AppOptions, store: ConversationStore, names: ConversationNames)
        throws(ControllerAssembly.UsageError) -> (transcript: Transcript, name: String?)? {
        let overrides = options.overrides
        if options.pickConversation && isatty(STDIN_FILENO) != 1 {
            throw ControllerAssembly.UsageError(description: "--resume without an id asks which conversation, and standard input "
                + "is not a terminal; give the id (parley --resume ID) or use --continue")
        }
        do throws(ConversationError) {
            if options.pickConversation {
                return try pick(store: store, names: names)
            }
            if let id = overrides.resumeSessionID {
                let transcript = try store.load(try store.find(id))
                return (transcript, names.name(of: transcript.sessionID) ?? transcript.cliTitle)
            }
            if overrides.continueMostRecent {
                let listing = ConversationListing(store: store, names: names.all())
                for item in listing.items {
                    if case .success(let transcript) = item.transcript { return (transcript, item.name) }
                }
            }
            return nil
        } catch {
            throw ControllerAssembly.UsageError(description: "\(error)".replacingOccurrences(of: "; /resume lists them", with: ""))
        }
    }

    /// Lists the conversations on stderr and reads a number from the terminal (Enter: none).
    private static func pick(store: ConversationStore, names: ConversationNames)
        throws(ConversationError) -> (transcript: Transcript, name: String?)? {
        let listing = ConversationListing(store: store, names: names.all())
        guard !listing.items.isEmpty else { throw .outOfRange(1, count: 0) }
        let width = TerminalCapabilities.detect(colorMode: .never, environment: ProcessInfo.processInfo.environment).width
        for item in listing.items {
            ParleyMain.printError(ConversationLines.row(item, width: width, isCurrent: false).madeInert().plainText)
        }
        FileHandle.standardError.write(Data("resume which conversation? [1-\(listing.items.count), Enter for a new one] ".utf8))
        guard let answer = readLine()?.trimmingCharacters(in: .whitespaces), !answer.isEmpty else { return nil }
        guard let number = Int(answer) else { throw .unknown(answer) }
        let item = try listing.item(number)
        return (try item.transcript.get(), item.name)
    }
}
