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
actor InteractivePermissionPrompter: PermissionPrompter {
    private struct Question {
        let pending: PendingPermission
        let continuation: CheckedContinuation<PermissionAnswer?, Never>
    }

    private let editor: any QuestionSurface
    private let normalPrompt: @Sendable () -> StyledText
    private var questions: [Question] = []
    /// `n` was pressed: the next line is the reason.
    private var awaitingReason = false
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
        if index == 0 { awaitingReason = false }
        let question = questions.remove(at: index)
        question.continuation.resume(returning: nil)
        editor.writeStatus(StyledText("(permission question withdrawn)", .dim))
        advance(showingNext: index == 0)
    }

    /// Answers the current question with one key (`y`, `n` or `a`).
    func answer(key: Character) {
        guard !questions.isEmpty, !awaitingReason else { return }
        switch key.lowercased() {
        case "y": resolve(.allowOnce)
        case "a": resolve(.allowAlways)
        case "n":
            awaitingReason = true
            editor.setPrompt(StyledText("reason for no (Enter for none) ", .color(.yellow)) + StyledText("› ", .bold))
        default: break  // the editor reports only the keys it was asked for
        }
    }

    /// Takes a submitted line if it belongs to the question: the reason after `n`, or an empty
    /// line (which repeats how to answer). Returns false for any other line: it is a message
    /// the user typed meanwhile, never an answer.
    func takeLine(_ line: String) -> Bool {
        guard !questions.isEmpty else { return false }
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if awaitingReason {
            resolve(.deny(reason: trimmed.isEmpty ? nil : trimmed))
            return true
        }
        guard trimmed.isEmpty else { return false }
        editor.writeStatus(StyledText("on the empty line press y (yes), n (no) or a (always)", .color(.yellow)))
        return true
    }

    private func resolve(_ answer: PermissionAnswer) {
        awaitingReason = false
        let question = questions.removeFirst()
        question.continuation.resume(returning: answer)
        let verdict: String = switch answer {
        case .allowOnce: "allowed"
        case .allowAlways: "allowed for this session"
        case .deny: "denied"
        }
        editor.writeStatus(StyledText("  \(verdict)", .dim))
        advance(showingNext: true)
    }

    /// Denies everything still open (Ctrl-C while asked, or shutting down).
    func denyAll() {
        let open = questions
        questions.removeAll()
        awaitingReason = false
        editor.cancelReadNextKey()
        for question in open { question.continuation.resume(returning: .deny(reason: nil)) }
        editor.setPrompt(normalPrompt())
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
