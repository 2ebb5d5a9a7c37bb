import AgentSession
import StreamJSON
import Terminal
import Testing

@testable import ParleyApp

@Suite("Task board (/tasks)")
struct TaskBoardTests {
    func todoWrite(_ items: [(String, String)]) -> SessionEvent {
        .toolUse(ToolUse(id: "t", name: "TodoWrite", input: ["todos": .array(items.map { content, status in
            ["content": .string(content), "status": .string(status), "activeForm": .string(content + "…")]
        })]))
    }

    @Test func todoWriteReplacesThePlanAndSaysWhetherItChanged() {
        var board = TaskBoard()
        let changed1 = board.observe(todoWrite([("Read", "completed"), ("Test", "in_progress"), ("Docs", "pending")]))
        #expect(changed1)
        #expect(board.plan.map(\.status) == ["completed", "in_progress", "pending"])
        let changed2 = board.observe(todoWrite([("Read", "completed"), ("Test", "in_progress"), ("Docs", "pending")]))
        #expect(!changed2)
        let changed3 = board.observe(.toolUse(ToolUse(id: "b", name: "Bash", input: ["command": "ls"])))
        #expect(!changed3)
    }

    @Test func taskCreateAndTaskUpdateKeepNumberedTasks() {
        var board = TaskBoard()
        let changed4 = board.observe(.toolUse(ToolUse(id: "1", name: "TaskCreate", input: ["subject": "Read the code", "description": "all of it"])))
        #expect(changed4)
        let changed5 = board.observe(.toolUse(ToolUse(id: "2", name: "TaskCreate", input: ["subject": "Write tests"])))
        #expect(changed5)
        let changed6 = board.observe(.toolUse(ToolUse(id: "3", name: "TaskUpdate", input: ["taskId": "1", "status": "completed"])))
        #expect(changed6)
        #expect(board.plan == [.init(id: "1", content: "Read the code", status: "completed"),
                               .init(id: "2", content: "Write tests", status: "pending")])
        let changed7 = board.observe(.toolUse(ToolUse(id: "4", name: "TaskUpdate", input: ["taskId": "2", "status": "deleted"])))
        #expect(changed7)
        #expect(board.plan.map(\.id) == ["1"])
        let changed8 = board.observe(.toolUse(ToolUse(id: "5", name: "TaskUpdate", input: ["taskId": "9", "status": "completed"])))
        #expect(!changed8)
    }

    @Test func backgroundTasksFollowTheCLIsLines() {
        var board = TaskBoard()
        _ = board.observe(.status(.task(TaskEvent(kind: "task_started", taskID: "b1", description: "npm run watch", status: nil, taskType: "local_bash"))))
        #expect(board.isRunning(taskID: "b1"))
        _ = board.observe(.status(.task(TaskEvent(kind: "task_notification", taskID: "b1", description: "npm run watch", status: "stopped", taskType: nil))))
        #expect(!board.isRunning(taskID: "b1"))
        #expect(board.background == [.init(id: "b1", description: "npm run watch", status: "stopped", type: "local_bash")])
        _ = board.observe(.status(.conversationReset))
        #expect(board.background.isEmpty)
    }

    @Test func theChecklistInUTF8AndInASCII() {
        var board = TaskBoard()
        _ = board.observe(todoWrite([("Read", "completed"), ("Test", "in_progress"), ("Docs", "pending")]))
        #expect(TaskListView.checklist(board.plan, glyphs: .unicode).map(\.plainText)
                == ["plan · 1 of 3 done", "  ☑ Read", "  ◐ Test", "  ☐ Docs"])
        #expect(TaskListView.checklist(board.plan, glyphs: .ascii).map(\.plainText)
                == ["plan · 1 of 3 done", "  [x] Read", "  [~] Test", "  [ ] Docs"])
        let styles = TaskListView.checklist(board.plan, glyphs: .ascii).map { $0.fragments.first?.style }
        #expect(styles == [.dim, .dim, .bold, .plain])
    }

    @Test func tasksListsThePlanAndTheBackgroundWithHowToStopOne() {
        var board = TaskBoard()
        #expect(TaskListView.lines(for: board, glyphs: .ascii).map(\.plainText) == ["no plan yet: the model has not written a task list"])
        _ = board.observe(.status(.task(TaskEvent(kind: "task_started", taskID: "b1", description: "npm run watch", status: nil, taskType: "local_bash"))))
        #expect(TaskListView.lines(for: board, glyphs: .ascii).map(\.plainText) == [
            "no plan yet: the model has not written a task list", "background tasks",
            "  b1 · npm run watch · running (local_bash)", "/tasks stop ID stops one",
        ])
        let fields = TaskListView.fields(for: board)
        #expect(fields["background"]?.arrayValue?.first?["status"] == "running")
        #expect(fields["plan"] == .array([]))
    }

    @Test(arguments: [
        (["LANG": "C.UTF-8"], TaskListView.Glyphs.unicode), (["LANG": "en_US.utf8"], .unicode), ([:], .ascii),
        (["LANG": "C"], .ascii), (["LC_ALL": "C", "LANG": "C.UTF-8"], .ascii), (["LC_CTYPE": "de_DE.UTF-8"], .unicode),
    ])
    func glyphsFollowTheLocale(environment: [String: String], glyphs: TaskListView.Glyphs) {
        #expect(TaskListView.Glyphs.forLocale(environment) == glyphs)
    }
}
