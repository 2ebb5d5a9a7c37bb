import Locking
import Terminal

/// A console that keeps everything it is given, for tests: the seam that lets presenter
/// and command output be asserted as text.
public final class RecordingConsole: Console {
    /// One recorded call.
    public enum Entry: Sendable, Equatable {
        case stream(String)
        case line(String, ConsoleLineKind)
        case json(String)
    }

    private let storage = Locked<[Entry]>([])

    public init() {}

    public func streamText(_ text: StyledText) { storage.withLock { $0.append(.stream(text.plainText)) } }
    public func line(_ text: StyledText, kind: ConsoleLineKind) {
        storage.withLock { $0.append(.line(text.plainText, kind)) }
    }
    public func json(_ line: String) { storage.withLock { $0.append(.json(line)) } }

    /// Everything recorded so far.
    public var entries: [Entry] { storage.withLock { $0 } }

    /// The streamed text joined: what stdout would hold.
    public var streamedText: String {
        entries.compactMap { if case .stream(let text) = $0 { text } else { nil } }.joined()
    }

    /// The whole lines of a kind.
    public func lines(_ kind: ConsoleLineKind) -> [String] {
        entries.compactMap { if case .line(let text, kind) = $0 { text } else { nil } }
    }
}
