import StreamJSON
import Terminal

/// How ``TaskBoard`` is drawn: the plan as a compact checklist, background tasks as a list.
enum TaskListView {
    /// The checkboxes: `☑ ◐ ☐` in a UTF-8 locale, `[x] [~] [ ]` otherwise.
    struct Glyphs: Sendable, Equatable {
        var done: String
        var doing: String
        var todo: String
        static let unicode = Glyphs(done: "☑", doing: "◐", todo: "☐")
        static let ascii = Glyphs(done: "[x]", doing: "[~]", todo: "[ ]")

        /// The set the locale can show: the first of `LC_ALL`, `LC_CTYPE`, `LANG` that is set
        /// decides; none set means the POSIX locale, ASCII.
        static func forLocale(_ environment: [String: String]) -> Glyphs {
            let locale = ["LC_ALL", "LC_CTYPE", "LANG"].lazy.compactMap { environment[$0] }.first { !$0.isEmpty } ?? ""
            let lowered = locale.lowercased()
            return lowered.contains("utf-8") || lowered.contains("utf8") ? .unicode : .ascii
        }
    }

    /// `plan · 1 of 3 done`, then one line per step: done dim, the one in progress bold.
    static func checklist(_ plan: [TaskBoard.PlanItem], glyphs: Glyphs) -> [StyledText] {
        guard !plan.isEmpty else { return [StyledText("plan · empty", .dim)] }
        let done = plan.filter { $0.status == "completed" }.count
        var lines = [StyledText("plan · \(done) of \(plan.count) done", .dim)]
        for item in plan {
            let number = item.id.map { "#\($0) " } ?? ""
            switch item.status {
            case "completed": lines.append(StyledText("  \(glyphs.done) \(number)\(item.content)", .dim))
            case "in_progress": lines.append(StyledText("  \(glyphs.doing) \(number)\(item.content)", .bold))
            default: lines.append(StyledText("  \(glyphs.todo) \(number)\(item.content)"))
            }
        }
        return lines
    }

    /// What `/tasks` shows: the plan (or that there is none) and the background tasks.
    static func lines(for board: TaskBoard, glyphs: Glyphs) -> [StyledText] {
        var lines = board.plan.isEmpty ? [StyledText("no plan yet: the model has not written a task list", .dim)]
            : checklist(board.plan, glyphs: glyphs)
        guard !board.background.isEmpty else { return lines }
        lines.append(StyledText("background tasks", .dim))
        for task in board.background {
            let type = task.type.map { " (\($0))" } ?? ""
            lines.append(StyledText("  \(task.id) · \(task.description) · \(task.status)\(type)", task.isRunning ? .plain : .dim))
        }
        if board.background.contains(where: \.isRunning) {
            lines.append(StyledText("/tasks stop ID stops one", .dim))
        }
        return lines
    }

    /// The `plan` array of JSON output.
    static func planFields(_ plan: [TaskBoard.PlanItem]) -> JSONValue {
        .array(plan.map { item in
            .object(["content": .string(item.content), "status": .string(item.status),
                     "id": item.id.map(JSONValue.string) ?? .null])
        })
    }

    /// The `tasks` object of JSON output (`/tasks`).
    static func fields(for board: TaskBoard) -> [String: JSONValue] {
        [
            "plan": planFields(board.plan),
            "background": .array(board.background.map { task in
                .object(["id": .string(task.id), "description": .string(task.description), "status": .string(task.status),
                         "task_type": task.type.map(JSONValue.string) ?? .null])
            }),
        ]
    }
}
