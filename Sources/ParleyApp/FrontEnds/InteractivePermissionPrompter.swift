import AgentSession
import StreamJSON
import Terminal

/// Asks permission questions inline: the question appears above the prompt, the prompt
/// changes to `allow? [y/n/a] ›`, and one key answers it: `y` allows once, `a` always (the
/// CLI's own suggestion), `n` denies and then asks for an optional reason (a line; Enter for
/// none) that reaches the model. A typed line (`y`, `a`, `n reason`) works too. An Edit,
/// MultiEdit or Write shows the diff it would make under the question. Questions are
/// asked one at a time, in order; a question the CLI withdraws disappears.
actor InteractivePermissionPrompter: PermissionPrompter {
    private struct Question {
        let pending: PendingPermission
        let continuation: CheckedContinuation<PermissionAnswer?, Never>
    }

    private let editor: LineEditor
    private let normalPrompt: @Sendable () -> StyledText
    private var questions: [Question] = []
    /// `n` was pressed: the next line is the reason.
    private var awaitingReason = false
    /// Draws the diff of a file change under its question.
    private let diffRenderer: FileChangeRenderer

    init(editor: LineEditor, normalPrompt: @escaping @Sendable () -> StyledText, width: Int = 80, workingDirectory: String? = nil) {
        self.editor = editor
        self.normalPrompt = normalPrompt
        self.diffRenderer = FileChangeRenderer(width: width, workingDirectory: workingDirectory)
    }

    /// True while a question waits for the next line.
    var isAsking: Bool { !questions.isEmpty }

    func ask(_ pending: PendingPermission) async -> PermissionAnswer? {
        await withCheckedContinuation { continuation in
            questions.append(Question(pending: pending, continuation: continuation))
            if questions.count == 1 { show(pending) }
        }
    }

    func cancel(requestID: String) async {
        guard let index = questions.firstIndex(where: { $0.pending.requestID == requestID }) else { return }
        if index == 0 { awaitingReason = false }
        let question = questions.remove(at: index)
        question.continuation.resume(returning: nil)
        editor.writeStatus(StyledText("(permission question withdrawn)", .dim))
        advance(showingNext: index == 0)
    }

    /// Answers the current question with one key.
    func answer(key: Character) {
        guard !questions.isEmpty, !awaitingReason else { return }
        switch key.lowercased() {
        case "y": resolve(.allowOnce)
        case "a": resolve(.allowAlways)
        case "n":
            awaitingReason = true
            editor.setPrompt(StyledText("reason for no (Enter for none) ", .color(.yellow)) + StyledText("› ", .bold))
        default:
            editor.writeStatus(StyledText("press y (yes), n (no) or a (always)", .color(.yellow)))
            editor.readNextKey()
        }
    }

    /// Answers the current question with a typed line (or gives the reason after `n`).
    /// Returns false if the line was not an answer (the question is asked again).
    func answer(with line: String) -> Bool {
        guard !questions.isEmpty else { return false }
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if awaitingReason {
            resolve(.deny(reason: trimmed.isEmpty ? nil : trimmed))
            return true
        }
        let answer: PermissionAnswer
        switch trimmed.lowercased().first {
        case "y": answer = .allowOnce
        case "a": answer = .allowAlways
        case "n":
            let reason = trimmed.drop { !$0.isWhitespace }.trimmingCharacters(in: .whitespaces)
            answer = .deny(reason: reason.isEmpty || trimmed.lowercased() == "no" ? nil : reason)
        default:
            editor.writeStatus(StyledText("answer y (yes), n (no, optionally followed by a reason) or a (always)", .color(.yellow)))
            editor.readNextKey()
            return false
        }
        resolve(answer)
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
        editor.readNextKey()
    }
}
