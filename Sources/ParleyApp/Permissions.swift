import AgentSession
import StreamJSON

/// The scripted-mode answer to tool permission questions (`--auto-approve`).
public enum AutoApprovePolicy: String, Sendable, CaseIterable {
    /// Deny every request (the default): a script never changes files unasked.
    case none
    /// Allow file edits (Write, Edit, MultiEdit, NotebookEdit); deny the rest.
    case edits
    /// Allow everything.
    case all

    static let editTools: Set<String> = ["Write", "Edit", "MultiEdit", "NotebookEdit"]

    /// The decision for `request`.
    public func decision(for request: PermissionRequest) -> PermissionDecision {
        switch self {
        case .all:
            return .allow(input: request.input)
        case .edits where Self.editTools.contains(request.toolName):
            return .allow(input: request.input)
        case .none, .edits:
            return .deny(message: "Denied by Parley's --auto-approve \(rawValue) policy (the user was not asked).")
        }
    }
}

/// How the interactive front end answers a permission question.
public enum PermissionAnswer: Sendable, Equatable {
    case allowOnce
    /// Allow, and apply the CLI's own suggestion (e.g. this tool for the session).
    case allowAlways
    case deny(reason: String?)
    /// `AskUserQuestion` answered: question text → answer (a label, labels joined with `", "`, or
    /// the user's own text). The tool receives them in its input.
    case answered([String: String])
    /// `ExitPlanMode` approved; with `acceptEdits` the session also switches to accepting edits.
    case approvePlan(acceptEdits: Bool)
    /// `ExitPlanMode` not approved: the model keeps planning, told `feedback` when there is some.
    case keepPlanning(feedback: String?)
}

/// Asks the person at the keyboard. Implemented by the interactive front end.
public protocol PermissionPrompter: Sendable {
    /// Shows the question and returns the answer; `nil` when it was withdrawn.
    func ask(_ pending: PendingPermission) async -> PermissionAnswer?
    /// The CLI withdrew the question (the turn was interrupted).
    func cancel(requestID: String) async
}

extension PermissionAnswer {
    /// The protocol decision for this answer to `request`.
    func decision(for request: PermissionRequest) -> PermissionDecision {
        switch self {
        case .allowOnce:
            return .allow(input: request.input)
        case .allowAlways:
            let suggestions = request.suggestions.isEmpty
                ? [JSONValue.object([
                    "type": "addRules", "rules": [["toolName": .string(request.toolName)]],
                    "behavior": "allow", "destination": "session",
                ])]
                : request.suggestions
            return .allow(input: request.input, permissions: suggestions)
        case .deny(let reason):
            if let reason { return .deny(message: "The user denied this: \(reason)") }
            switch request.toolName {
            case AgentQuestion.toolName: return .deny(message: "The user declined to answer the questions.")
            case AgentQuestion.planToolName: return PermissionAnswer.keepPlanning(feedback: nil).decision(for: request)
            default: return .deny(message: "The user denied this tool call.")
            }
        case .answered(let answers):
            return .allow(input: AgentQuestion.input(request.input, answering: answers))
        case .approvePlan(let acceptEdits):
            let setMode: JSONValue = ["type": "setMode", "mode": "acceptEdits", "destination": "session"]
            return .allow(input: request.input, permissions: acceptEdits ? [setMode] : [])
        case .keepPlanning(let feedback):
            return .deny(message: feedback.map { "The user did not approve the plan and wants you to keep planning: \($0)" }
                ?? "The user did not approve the plan: keep planning.")
        }
    }
}
