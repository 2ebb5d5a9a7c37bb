import Foundation
import StreamJSON
import Terminal

/// How the questions the agent asks are drawn above the prompt: an `AskUserQuestion` question with
/// its numbered options, and an `ExitPlanMode` plan (Markdown) with its three choices. Every text
/// in them is the model's, made inert here, so nothing in a question, an option or a plan can move
/// the cursor, clear a line or reword what is asked.
enum AgentQuestionView {
    /// The lines of `question` (number `index` of `count`): `? Header: text`, then `  1. Label — description`
    /// per option and a last one for an answer of one's own.
    static func lines(for question: AgentQuestion, index: Int, count: Int) -> [StyledText] {
        var title = StyledText("? ", .color(.yellow))
        if let header = question.header.map(inert), !header.isEmpty { title += StyledText(header + ": ", .bold.merging(.color(.cyan))) }
        title += StyledText(inert(question.question), .bold)
        var notes: [String] = []
        if count > 1 { notes.append("question \(index + 1) of \(count)") }
        if question.multiSelect { notes.append("several answers: e.g. 1 3") }
        if !notes.isEmpty { title += StyledText("  (" + notes.joined(separator: "; ") + ")", .dim) }
        var lines = [title]
        for (number, option) in question.options.enumerated() {
            var line = StyledText("  \(number + 1). ") + StyledText(inert(option.label), .bold)
            if let description = option.description.map(inert), !description.isEmpty { line += StyledText(" — " + description, .dim) }
            lines.append(line)
        }
        lines.append(StyledText("  \(question.ownAnswerNumber). ") + StyledText("Type an answer of your own", .italic))
        return lines
    }

    /// The prompt while `question` waits for a number key.
    static func choosingPrompt(for question: AgentQuestion) -> StyledText {
        let several = question.multiSelect ? " (several)" : ""
        return StyledText("pick 1-\(question.ownAnswerNumber)\(several) ", .color(.yellow)) + StyledText("› ", .bold)
    }

    /// The prompt while a line answers `question`: more numbers after the first (multiSelect), or
    /// an answer of one's own.
    static func answerLinePrompt(for question: AgentQuestion, ownAnswer: Bool) -> StyledText {
        let text = ownAnswer ? "your answer (Enter alone declines) " : "numbers (e.g. 1 3) or your own answer, then Enter "
        return StyledText(text, .color(.yellow)) + StyledText("› ", .bold)
    }

    /// The choices for a plan, by number.
    enum PlanChoice: Character, CaseIterable {
        case approve = "1"
        case approveAcceptingEdits = "2"
        case keepPlanning = "3"

        var label: String {
            switch self {
            case .approve: "Approve: start"
            case .approveAcceptingEdits: "Approve and auto-accept edits"
            case .keepPlanning: "Keep planning: say what to change"
            }
        }
    }

    /// The lines of an `ExitPlanMode` question: a title, the plan rendered as Markdown (indented),
    /// and the numbered choices.
    static func planLines(input: JSONValue, width: Int) -> [StyledText] {
        var lines = [StyledText("? ", .color(.yellow)) + StyledText("claude has a plan and asks to start", .bold)]
        if let plan = input["plan"]?.stringValue, !plan.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            var renderer = MarkdownStreamRenderer(ruleWidth: min(40, max(3, width - 4)), tableWidth: max(10, width - 4))
            let rendered = renderer.feed(inert(plan) + "\n") + renderer.finish()
            var planLines = rendered.lines()
            while planLines.count > 1, planLines.last?.plainText.trimmingCharacters(in: .whitespaces).isEmpty == true { planLines.removeLast() }
            lines += planLines.map { StyledText("  │ ", .dim) + $0 }
        } else {
            lines.append(StyledText("  (claude sent no plan text)", .dim))
        }
        for choice in PlanChoice.allCases { lines.append(StyledText("  \(choice.rawValue). \(choice.label)")) }
        return lines
    }

    static let planPrompt = StyledText("plan? [1/2/3] ", .color(.yellow)) + StyledText("› ", .bold)
    static let feedbackPrompt = StyledText("what should change? (Enter for nothing) ", .color(.yellow)) + StyledText("› ", .bold)

    private static func inert(_ text: String) -> String { InertText.make(text) }

}
