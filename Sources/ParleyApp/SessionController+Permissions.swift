import AgentSession
import StreamJSON
import Terminal

/// Answering the CLI's permission questions: the person at the keyboard when there is one (the
/// prompter), else the `--auto-approve` policy. The agent's own questions have no policy answer:
/// `AskUserQuestion` is always declined with "no person to ask", and `ExitPlanMode` is approved
/// only by `--auto-approve all`. Each such decision is one line (stderr; JSON: fields to read).
extension SessionController {
    func answer(_ pending: PendingPermission) {
        let request = pending.request
        if let prompter {
            let session = self.session
            let observers = questionObservers
            for observer in observers { observer(request.toolName) }
            Task {
                let answer = await prompter.ask(pending)
                for observer in observers { observer(nil) }
                guard let answer else { return }
                await session.answerPermission(requestID: pending.requestID, decision: answer.decision(for: request))
            }
            return
        }
        let decision: PermissionDecision
        switch request.toolName {
        case AgentQuestion.toolName:
            decision = declineQuestions(request)
        case AgentQuestion.planToolName:
            decision = decidePlan(request)
        default:
            decision = autoApprove.decision(for: request)
            if case .deny = decision {
                let call = ToolLineFormatter.essentialArgument(of: ToolUse(id: "", name: request.toolName, input: request.input))
                say(StyledText("✗ denied \(request.toolName)(\(call.truncated(toWidth: 60))): --auto-approve \(autoApprove.rawValue); "
                    + "use --auto-approve edits|all to allow", .color(.yellow)), kind: .error,
                    fields: ["kind": "auto_approve_denied", "tool": .string(request.toolName), "policy": .string(autoApprove.rawValue)])
            }
        }
        let session = self.session
        Task { await session.answerPermission(requestID: pending.requestID, decision: decision) }
    }

    /// What the model is told when it asks a question in scripted use.
    static let noPersonToAsk = "There is no person to ask: Parley is running a script (no terminal), so nobody can answer "
        + "these questions. Go on with your best judgement, and say in your reply what you assumed."

    /// `AskUserQuestion` without a terminal: declined, and each question shown (made inert) with its options.
    private func declineQuestions(_ request: PermissionRequest) -> PermissionDecision {
        let questions = AgentQuestion.questions(in: request.input)
        let shown = questions.map { question in
            let options = question.options.enumerated().map { "\($0.offset + 1). \($0.element.label)" }.joined(separator: ", ")
            return (question.header.map { $0 + ": " } ?? "") + question.question + (options.isEmpty ? "" : " (\(options))")
        }
        let text = "✗ claude asked, but there is no person to ask (scripted use): " + (shown.isEmpty ? "(no questions)" : shown.joined(separator: " · "))
        let fields: [String: JSONValue] = [
            "kind": "question_not_asked", "tool": .string(request.toolName), "decision": "deny",
            "questions": .array(questions.map(Self.json)), "reply": .string(Self.noPersonToAsk),
        ]
        say(StyledText(InertText.make(text).replacingNewlines(), .color(.yellow)), kind: .error, fields: fields)
        return .deny(message: Self.noPersonToAsk)
    }

    /// `ExitPlanMode` without a terminal: `--auto-approve all` approves it, any other policy keeps planning.
    private func decidePlan(_ request: PermissionRequest) -> PermissionDecision {
        var fields: [String: JSONValue] = ["tool": .string(request.toolName), "policy": .string(autoApprove.rawValue),
                                           "plan": request.input["plan"] ?? .null]
        if autoApprove == .all {
            fields["kind"] = "plan_approved"
            fields["decision"] = "allow"
            say(StyledText("✓ plan approved by --auto-approve all", .dim), kind: .info, fields: fields)
            return .allow(input: request.input)
        }
        let reply = "There is no person to approve the plan: Parley is running a script (no terminal), and --auto-approve "
            + "\(autoApprove.rawValue) does not approve plans. Stay in plan mode and give the plan as your answer."
        fields["kind"] = "plan_not_approved"
        fields["decision"] = "deny"
        fields["reply"] = .string(reply)
        say(StyledText("✗ claude asks to approve a plan, but there is no person to ask (scripted use); "
            + "--auto-approve all approves plans", .color(.yellow)), kind: .error, fields: fields)
        return .deny(message: reply)
    }

    /// A question as JSON output shows it: `question`, `header`, `multiSelect`, `options` (`label`, `description`).
    private static func json(_ question: AgentQuestion) -> JSONValue {
        .object([
            "question": .string(question.question), "header": question.header.map(JSONValue.string) ?? .null,
            "multiSelect": .bool(question.multiSelect),
            "options": .array(question.options.map { .object(["label": .string($0.label), "description": $0.description.map(JSONValue.string) ?? .null]) }),
        ])
    }
}
