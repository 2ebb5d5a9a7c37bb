import AgentSession
import StreamJSON
import Terminal

/// Where the prompter shows its question and reads the answer key: the line editor (a
/// recording double in tests).
protocol QuestionSurface: Sendable {
    func writeStatus(_ text: StyledText)
    func setPrompt(_ prompt: StyledText)
    func readNextKey(answers: Set<Character>)
    func cancelReadNextKey()
    func replaceLine(with text: String)
}

extension LineEditor: QuestionSurface {}

/// Asks permission questions inline: the question appears above the prompt, the prompt
/// changes to `allow? [y/n/a] ›`, and one deliberate key answers it: `y` allows once, `a`
/// always (the CLI's own suggestion), `n` denies and then asks for an optional reason (a
/// line; Enter for none) that reaches the model. Type-ahead never answers (see
/// ``LineEditor/readNextKey(answers:)``): a line typed meanwhile stays a message. Questions
/// are asked one at a time, in order; a question the CLI withdraws disappears, even when
/// the withdrawal arrives before the question. An Edit, MultiEdit or Write shows the diff it
/// would make under the question.
///
/// The agent's own questions use the same deliberate keys, adapted: an `AskUserQuestion` question
/// shows numbered options and a deliberate number key picks one (for a multiSelect question, or
/// the last number, "an answer of your own", it opens an answer line: more numbers `1 3`, or text;
/// Enter alone declines); an `ExitPlanMode` plan is shown as Markdown and `1`, `2` or `3` approves,
/// approves with auto-accepted edits, or keeps planning (then a line of feedback).
actor InteractivePermissionPrompter: PermissionPrompter {
    private struct Question {
        let pending: PendingPermission
        let continuation: CheckedContinuation<PermissionAnswer?, Never>
    }

    /// What the current question waits for.
    private enum Stage {
        /// A permission question: `y`, `n` or `a`.
        case permission
        /// `n` was pressed: the next line is the reason.
        case reason
        /// `AskUserQuestion`: a number key for question `index`.
        case choosing(AskProgress)
        /// `AskUserQuestion`: the next line answers question `index` (`ownAnswer`: the user chose to type).
        case answerLine(AskProgress, ownAnswer: Bool)
        /// `ExitPlanMode`: `1`, `2` or `3`.
        case plan
        /// `ExitPlanMode`, keep planning: the next line is the feedback.
        case feedback
    }

    /// The questions of one `AskUserQuestion` call and the answers given so far.
    private struct AskProgress {
        let questions: [AgentQuestion]
        var index = 0
        var answers: [String: String] = [:]
        var current: AgentQuestion { questions[index] }
    }

    private let editor: any QuestionSurface
    private let normalPrompt: @Sendable () -> StyledText
    private var questions: [Question] = []
    private var stage = Stage.permission
    private let width: Int
    /// Questions withdrawn before they were asked (the cancel overtook the ask).
    private var withdrawnEarly: Set<String> = []
    private static let answerKeys: Set<Character> = ["y", "n", "a"]
    /// Draws the diff of a file change under its question.
    private let diffRenderer: FileChangeRenderer

    init(editor: any QuestionSurface, normalPrompt: @escaping @Sendable () -> StyledText, width: Int = 80,
         workingDirectory: String? = nil) {
        self.editor = editor
        self.normalPrompt = normalPrompt
        self.diffRenderer = FileChangeRenderer(width: width, workingDirectory: workingDirectory)
        self.width = width
    }

    /// True while a question waits for the next line.
    var isAsking: Bool { !questions.isEmpty }

    func ask(_ pending: PendingPermission) async -> PermissionAnswer? {
        if withdrawnEarly.remove(pending.requestID) != nil { return nil }
        return await withCheckedContinuation { continuation in
            questions.append(Question(pending: pending, continuation: continuation))
            if questions.count == 1 { show(pending) }
        }
    }

    func cancel(requestID: String) async {
        guard let index = questions.firstIndex(where: { $0.pending.requestID == requestID }) else {
            withdrawnEarly.insert(requestID)
            return
        }
        if index == 0 { stage = .permission }
        let question = questions.remove(at: index)
        question.continuation.resume(returning: nil)
        editor.writeStatus(StyledText("(permission question withdrawn)", .dim))
        advance(showingNext: index == 0)
    }

    /// Answers the current question with one deliberate key: `y`, `n` or `a` for a permission, a
    /// number for the agent's question or plan.
    func answer(key: Character) {
        guard !questions.isEmpty else { return }
        switch stage {
        case .permission:
            switch key.lowercased() {
            case "y": resolve(.allowOnce)
            case "a": resolve(.allowAlways)
            case "n":
                stage = .reason
                editor.setPrompt(StyledText("reason for no (Enter for none) ", .color(.yellow)) + StyledText("› ", .bold))
            default: break  // the editor reports only the keys it was asked for
            }
        case .choosing(let progress):
            guard let number = key.wholeNumberValue, (1...progress.current.ownAnswerNumber).contains(number) else { return }
            let question = progress.current
            if number == question.ownAnswerNumber || question.multiSelect {
                let ownAnswer = number == question.ownAnswerNumber
                stage = .answerLine(progress, ownAnswer: ownAnswer)
                editor.setPrompt(AgentQuestionView.answerLinePrompt(for: question, ownAnswer: ownAnswer))
                if !ownAnswer { editor.replaceLine(with: String(number)) }
            } else {
                record(question.options[number - 1].label, in: progress)
            }
        case .plan:
            switch AgentQuestionView.PlanChoice(rawValue: key) {
            case .approve: resolve(.approvePlan(acceptEdits: false))
            case .approveAcceptingEdits: resolve(.approvePlan(acceptEdits: true))
            case .keepPlanning:
                stage = .feedback
                editor.setPrompt(AgentQuestionView.feedbackPrompt)
            case nil: break
            }
        case .reason, .answerLine, .feedback:
            break
        }
    }

    /// Takes a submitted line if it belongs to the question: the reason after `n`, an answer line,
    /// the plan's feedback, or an empty line (which repeats how to answer). Returns false for any
    /// other line: it is a message the user typed meanwhile, never an answer.
    func takeLine(_ line: String) -> Bool {
        guard !questions.isEmpty else { return false }
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        switch stage {
        case .reason:
            resolve(.deny(reason: trimmed.isEmpty ? nil : trimmed))
        case .feedback:
            resolve(.keepPlanning(feedback: trimmed.isEmpty ? nil : trimmed))
        case .answerLine(let progress, let ownAnswer):
            let question = progress.current
            switch ownAnswer && !trimmed.isEmpty ? AgentQuestion.Reply.typed(trimmed) : question.reply(to: trimmed) {
            case .declined: resolve(.deny(reason: nil))
            case .invalid(let problem): editor.writeStatus(StyledText(problem, .color(.yellow)))
            case .picked(let labels): record(AgentQuestion.answerText(labels), in: progress)
            case .typed(let text): record(text, in: progress)
            }
        case .permission, .choosing, .plan:
            guard trimmed.isEmpty else { return false }
            editor.writeStatus(StyledText(howToAnswer, .color(.yellow)))
        }
        return true
    }

    private var howToAnswer: String {
        switch stage {
        case .choosing(let progress): "on the empty line press a number, 1 to \(progress.current.ownAnswerNumber)"
        case .plan: "on the empty line press 1 (approve), 2 (approve, auto-accept edits) or 3 (keep planning)"
        default: "on the empty line press y (yes), n (no) or a (always)"
        }
    }

    /// Notes the answer to the current `AskUserQuestion` question; asks the next one, or answers
    /// the call when it was the last.
    private func record(_ answer: String, in progress: AskProgress) {
        var progress = progress
        progress.answers[progress.current.question] = answer
        editor.writeStatus(StyledText("  → " + InertText.make(answer).replacingNewlines(), .dim))
        guard progress.index + 1 < progress.questions.count else {
            resolve(.answered(progress.answers))
            return
        }
        progress.index += 1
        askQuestion(progress)
    }

    private func askQuestion(_ progress: AskProgress) {
        stage = .choosing(progress)
        for line in AgentQuestionView.lines(for: progress.current, index: progress.index, count: progress.questions.count) {
            editor.writeStatus(line)
        }
        editor.setPrompt(AgentQuestionView.choosingPrompt(for: progress.current))
        let keys = (1...min(9, progress.current.ownAnswerNumber)).compactMap { Character(String($0)) }
        editor.readNextKey(answers: Set(keys))
    }

    private func resolve(_ answer: PermissionAnswer) {
        stage = .permission
        let question = questions.removeFirst()
        question.continuation.resume(returning: answer)
        let verdict: String = switch answer {
        case .allowOnce: "allowed"
        case .allowAlways: "allowed for this session"
        case .deny: question.pending.request.toolName == AgentQuestion.toolName ? "declined" : "denied"
        case .answered: "answered"
        case .approvePlan(let acceptEdits): acceptEdits ? "plan approved; edits will be accepted" : "plan approved"
        case .keepPlanning: "keep planning"
        }
        editor.writeStatus(StyledText("  \(verdict)", .dim))
        advance(showingNext: true)
    }

    /// Denies everything still open (Ctrl-C or Esc while asked, or shutting down). Returns true when
    /// a tool's permission question was among them: then the turn is interrupted too. The agent's
    /// own questions are only declined, so the model is told so and goes on.
    @discardableResult
    func denyAll() -> Bool {
        let open = questions
        questions.removeAll()
        stage = .permission
        editor.cancelReadNextKey()
        for question in open { question.continuation.resume(returning: .deny(reason: nil)) }
        let agentTools = [AgentQuestion.toolName, AgentQuestion.planToolName]
        if let current = open.first?.pending.request.toolName, agentTools.contains(current) {
            editor.writeStatus(StyledText(current == AgentQuestion.toolName ? "  declined" : "  keep planning", .dim))
        }
        editor.setPrompt(normalPrompt())
        return open.contains { !agentTools.contains($0.pending.request.toolName) }
    }

    private func advance(showingNext: Bool) {
        if let next = questions.first {
            if showingNext { show(next.pending) }
        } else {
            editor.cancelReadNextKey()
            editor.setPrompt(normalPrompt())
        }
    }

    /// Columns of the call's argument shown in a question before it is cut (with `…`): a
    /// whole command, not a first glance that padding could push the real work past.
    static let shownArgumentWidth = 2000

    /// Shows the question. It names the tool by its real name and shows its argument, both
    /// made inert, like the CLI's reason: nothing in them can move the cursor, clear a line or
    /// reword the question. A display name that differs from the real one is only a note.
    private func show(_ pending: PendingPermission) {
        let request = pending.request
        if request.toolName == AgentQuestion.toolName {
            let asked = AgentQuestion.questions(in: request.input)
            if !asked.isEmpty { return askQuestion(AskProgress(questions: asked)) }
        }
        if request.toolName == AgentQuestion.planToolName {
            stage = .plan
            for line in AgentQuestionView.planLines(input: request.input, width: width) { editor.writeStatus(line) }
            editor.setPrompt(AgentQuestionView.planPrompt)
            editor.readNextKey(answers: Set(AgentQuestionView.PlanChoice.allCases.map(\.rawValue)))
            return
        }
        stage = .permission
        let argument = ToolLineFormatter.essentialArgument(of: ToolUse(id: "", name: request.toolName, input: request.input),
                                                           workingDirectory: diffRenderer.workingDirectory)
        var question = StyledText("? ", .color(.yellow)) + StyledText("Allow ", .bold)
            + StyledText(ToolLineFormatter.shownName(request.toolName), .bold)
        if !argument.isEmpty { question += StyledText("(" + argument.truncated(toWidth: Self.shownArgumentWidth) + ")") }
        question += StyledText("? ", .bold) + StyledText("[y]es / [n]o / [a]lways", .dim)
        var notes: [String] = []
        if let displayName = request.displayName, displayName != request.toolName {
            notes.append("claude calls it “\(ToolLineFormatter.shownName(displayName))”")
        }
        if let reason = request.decisionReason { notes.append(InertText.make(reason).replacingNewlines()) }
        if !notes.isEmpty { question += StyledText("  (" + notes.joined(separator: "; ") + ")", .dim) }
        editor.writeStatus(question)
        for line in diffRenderer.permissionPreview(toolName: request.toolName, input: request.input) { editor.writeStatus(line.madeInert()) }
        editor.setPrompt(StyledText("allow? [y/n/a] ", .color(.yellow)) + StyledText("› ", .bold))
        editor.readNextKey(answers: Self.answerKeys)
    }
}
