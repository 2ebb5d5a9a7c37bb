import AgentSession
import StreamJSON
import Terminal

/// The task list: the plan shown when it changes, `/tasks`, and stopping a background task.
extension SessionController {
    public var taskBoardLines: [StyledText] { TaskListView.lines(for: tasks, glyphs: taskGlyphs) }

    public var taskBoardFields: [String: JSONValue] { TaskListView.fields(for: tasks) }

    public func stopTask(id: String) async throws(TaskStopError) {
        guard tasks.background.contains(where: { $0.id == id }) else { throw .unknown(id) }
        guard tasks.isRunning(taskID: id) else { throw .notRunning(id) }
        do {
            try await session.request(StopTaskRequest(taskID: id))
        } catch {
            throw .refused(StandardCommands.reason(error))
        }
    }

    /// Shows the plan after the model changed it: the checklist in a transcript, a `plan`
    /// object in JSON output.
    func showPlan() {
        guard !silenced else { return }
        switch presentation {
        case .transcript:
            for line in TaskListView.checklist(tasks.plan, glyphs: taskGlyphs) { console.line(line, kind: .tool) }
        case .json:
            report(type: "plan", fields: ["plan": TaskListView.planFields(tasks.plan)])
        }
    }
}

/// Why `/tasks stop` did not stop a task.
public enum TaskStopError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknown(String)
    case notRunning(String)
    /// The CLI's own reason.
    case refused(String)

    public var description: String {
        switch self {
        case .unknown(let id): "no background task \(id); /tasks lists them"
        case .notRunning(let id): "task \(id) is not running"
        case .refused(let reason): reason
        }
    }
}
