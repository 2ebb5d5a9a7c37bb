import Foundation
import StreamJSON

/// One conversation as the CLI's transcript file holds it, reduced to what Parley shows:
/// its turns (a prompt, then the answer's text, tool calls and tool results) on the branch
/// the conversation continues from.
///
/// Built by ``TranscriptParser`` from the file's lines; pure, no file access.
public struct Transcript: Sendable, Equatable {
    /// The session id (the file's name without `.jsonl`).
    public var sessionID: String
    /// The working directory the conversation ran in (the `cwd` of its lines).
    public var workingDirectory: String?
    /// A title the CLI keeps (`custom-title` from Claude Code's `/rename`, else a `summary`).
    public var cliTitle: String?
    /// The turns, oldest first.
    public var turns: [Turn]
    /// When the first line was written.
    public var startedAt: Date?

    public init(sessionID: String, workingDirectory: String? = nil, cliTitle: String? = nil, turns: [Turn] = [],
                startedAt: Date? = nil) {
        self.sessionID = sessionID
        self.workingDirectory = workingDirectory
        self.cliTitle = cliTitle
        self.turns = turns
        self.startedAt = startedAt
    }

    /// The first prompt typed, if any.
    public var firstPrompt: String? { turns.first?.prompt }
}

/// One prompt and what answered it.
public struct Turn: Sendable, Equatable {
    /// The `uuid` of the prompt's user line (what `rewind_conversation` takes).
    public var uuid: String
    public var prompt: String
    public var steps: [Step]

    public init(uuid: String, prompt: String, steps: [Step] = []) {
        self.uuid = uuid
        self.prompt = prompt
        self.steps = steps
    }

    /// One thing the answer did.
    public enum Step: Sendable, Equatable {
        /// Text the assistant wrote.
        case text(String)
        /// A tool call with its input.
        case toolCall(id: String, name: String, input: JSONValue)
        /// A tool's result (its text, flattened).
        case toolResult(toolUseID: String, text: String, isError: Bool)
    }

    /// The last text the assistant wrote in this turn (what follows its last tool call).
    public var finalText: String? {
        steps.reversed().lazy.compactMap { if case .text(let text) = $0 { text } else { nil } }.first
    }
}
