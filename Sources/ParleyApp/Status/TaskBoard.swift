import AgentSession
import StreamJSON
import Terminal

/// The model's plan and the CLI's background tasks, as `/tasks` lists them.
///
/// The plan comes from the model's `TodoWrite` calls (the whole list each time) or from the
/// `TaskCreate`/`TaskUpdate` tools the CLI uses headless (one task at a time, with the number the
/// CLI's result gives it, `Task #3 created successfully: …`). A call changes the plan only once
/// its result arrives without error: a refused or failed call changed nothing. Background tasks come from the CLI's
/// `system/task_started`, `task_updated` and `task_notification` lines. A value: feed it every
/// session event with ``observe(_:)``.
struct TaskBoard: Sendable, Equatable {
    /// One step of the plan.
    struct PlanItem: Sendable, Equatable {
        /// The CLI's task number (`TaskCreate`); `nil` for `TodoWrite` items.
        var id: String?
        var content: String
        /// `pending`, `in_progress` or `completed`.
        var status: String
    }

    /// Work the CLI runs in the background (a long Bash command, a subagent).
    struct BackgroundTask: Sendable, Equatable {
        var id: String
        var description: String
        /// `running` until the CLI says otherwise (`completed`, `failed`, `stopped`, …).
        var status: String
        /// `local_bash`, `local_agent`, …
        var type: String?
        var isRunning: Bool { status == "running" || status == "pending" }
    }

    private(set) var plan: [PlanItem] = []
    private(set) var background: [BackgroundTask] = []
    private var createdTasks = 0
    /// Plan tool calls waiting for their result, by tool use id.
    private var pendingCalls: [String: ToolUse] = [:]
    private static let planTools: Set<String> = ["TodoWrite", "TaskCreate", "TaskUpdate"]

    /// Takes in `event`; returns true when the plan changed (then it is worth showing).
    mutating func observe(_ event: SessionEvent) -> Bool {
        switch event {
        case .toolUse(let use) where Self.planTools.contains(use.name):
            pendingCalls[use.id] = use
            return false
        case .toolResult(let result):
            guard let use = pendingCalls.removeValue(forKey: result.toolUseID), !result.isError else { return false }
            let before = plan
            apply(use, result: result.content)
            return plan != before
        case .turnCompleted, .messageNotAnswered:
            pendingCalls = [:]
            return false
        case .status(.task(let task)):
            learn(task)
            return false
        case .status(.conversationReset):
            self = TaskBoard()
            return false
        default:
            return false
        }
    }

    private mutating func apply(_ use: ToolUse, result: String) {
        switch use.name {
        case "TodoWrite":
            guard let todos = use.input["todos"]?.arrayValue else { return }
            plan = todos.compactMap { todo in
                guard let content = todo["content"]?.stringValue else { return nil }
                return PlanItem(id: nil, content: content, status: todo["status"]?.stringValue ?? "pending")
            }
        case "TaskCreate":
            guard let subject = use.input["subject"]?.stringValue ?? use.input["description"]?.stringValue else { return }
            createdTasks += 1
            let number = result.firstMatch(of: /#(\d+)/).map { String($0.output.1) } ?? String(createdTasks)
            plan.removeAll { $0.id == nil }
            plan.append(PlanItem(id: number, content: subject, status: "pending"))
        case "TaskUpdate":
            guard let id = use.input["taskId"]?.stringValue ?? use.input["taskId"]?.intValue.map(String.init),
                  let index = plan.firstIndex(where: { $0.id == id }) else { return }
            if let status = use.input["status"]?.stringValue {
                if status == "deleted" {
                    plan.remove(at: index)
                    return
                }
                plan[index].status = status
            }
            if let subject = use.input["subject"]?.stringValue { plan[index].content = subject }
        default:
            break
        }
    }

    private mutating func learn(_ task: TaskEvent) {
        guard let id = task.taskID else { return }
        let status = task.status ?? (task.kind == "task_started" ? "running" : nil)
        if let index = background.firstIndex(where: { $0.id == id }) {
            if let status { background[index].status = status }
            if let description = task.description, task.kind == "task_started" { background[index].description = description }
        } else if task.kind == "task_started" {
            background.append(BackgroundTask(id: id, description: task.description ?? task.taskType ?? "task",
                                             status: status ?? "running", type: task.taskType))
        }
    }

    /// Whether a background task with this id is still running.
    func isRunning(taskID: String) -> Bool {
        background.contains { $0.id == taskID && $0.isRunning }
    }
}
