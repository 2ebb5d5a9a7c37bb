import Foundation
import StreamJSON

/// One question of an `AskUserQuestion` call: its header, its text and its options, read from the
/// tool's input (`{"questions":[{"question","header","options":[{"label","description"}],"multiSelect"}]}`).
/// The texts are the model's: made inert before they are shown.
struct AgentQuestion: Sendable, Equatable {
    struct Option: Sendable, Equatable {
        let label: String
        let description: String?
    }

    let question: String
    let header: String?
    let options: [Option]
    let multiSelect: Bool

    /// The tool that asks the user questions.
    static let toolName = "AskUserQuestion"
    /// The tool that asks the user to approve a plan and leave plan mode.
    static let planToolName = "ExitPlanMode"

    /// The questions of an `AskUserQuestion` input, in order; empty when it holds none with a text.
    static func questions(in input: JSONValue) -> [AgentQuestion] {
        (input["questions"]?.arrayValue ?? []).compactMap { entry in
            guard let text = entry["question"]?.stringValue, !text.isEmpty else { return nil }
            let options = (entry["options"]?.arrayValue ?? []).compactMap { option -> Option? in
                guard let label = option["label"]?.stringValue ?? option.stringValue else { return nil }
                return Option(label: label, description: option["description"]?.stringValue)
            }
            return AgentQuestion(question: text, header: entry["header"]?.stringValue, options: options,
                                 multiSelect: entry["multiSelect"]?.boolValue ?? false)
        }
    }

    /// The number (1-based) that means "type an answer of my own": the one after the options.
    var ownAnswerNumber: Int { options.count + 1 }

    /// What a line typed as the answer means.
    enum Reply: Sendable, Equatable {
        /// Options picked by number (their labels, in the order of the options).
        case picked([String])
        /// An answer of the user's own.
        case typed(String)
        /// Nothing: the user declines to answer.
        case declined
        /// Numbers that pick nothing valid; the message says why (one line).
        case invalid(String)
    }

    /// Reads an answer line: numbers pick options (several, separated by spaces or commas, for a
    /// multiSelect question: `1 3`, `1,3`); any other text is the user's own answer; an empty line
    /// declines. A number out of range, or several for a single choice, is ``Reply/invalid(_:)``.
    func reply(to line: String) -> Reply {
        let text = line.trimmingCharacters(in: .whitespaces)
        if text.isEmpty { return .declined }
        let pieces = text.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
        guard !options.isEmpty, pieces.allSatisfy({ Int($0) != nil }) else { return .typed(text) }
        let numbers = pieces.compactMap { Int($0) }
        let range = multiSelect ? "1-\(options.count)" : "a number from 1 to \(options.count)"
        if let wrong = numbers.first(where: { !(1...options.count).contains($0) }) {
            return .invalid("there is no option \(wrong): pick \(range), or type an answer of your own")
        }
        let chosen = Set(numbers)
        if !multiSelect && chosen.count > 1 { return .invalid("pick one option (\(range)), or type an answer of your own") }
        return .picked(options.indices.filter { chosen.contains($0 + 1) }.map { options[$0].label })
    }

    /// The answer text the tool expects for `reply`: the label, several labels joined with `", "`
    /// (a label holding `", "` or `"` quoted as JSON, as the CLI writes them), or the typed text.
    static func answerText(_ labels: [String]) -> String {
        labels.map { $0.contains(", ") || $0.contains("\"") ? JSONValue.string($0).compactText : $0 }.joined(separator: ", ")
    }

    /// The tool's input with the answers added (`"answers":{"<question text>":"<answer>"}`), as the
    /// permission response's `updatedInput`: the tool receives them.
    static func input(_ input: JSONValue, answering answers: [String: String]) -> JSONValue {
        var object = input.objectValue ?? [:]
        object["answers"] = .object(answers.mapValues { .string($0) })
        return .object(object)
    }
}
