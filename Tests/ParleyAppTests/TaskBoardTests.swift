import AgentSession
import StreamJSON
import Terminal
import Testing

@testable import ParleyApp

@Suite("Task board (/tasks)")
struct TaskBoardTests {
    func todoWrite(_ items: [(String, String)]) -> ToolUse {
        ToolUse(id: "t", name: "TodoWrite", input: ["todos": .array(items.map { content, status in
            ["content": .string(content), "status": .string(status), "activeForm": .string(content + "…")]
        })])
    }

    /// The call and its result, as the CLI reports them: true when the plan changed.
    func run(_ use: ToolUse, on board: inout TaskBoard, result: String = "ok", isError: Bool = false) -> Bool {
        let asked = board.observe(.toolUse(use))
        let answered = board.observe(.toolResult(ToolResult(toolUseID: use.id, content: result, isError: isError)))
        return asked || answered
    }

    @Test func todoWriteReplacesThePlanAndSaysWhetherItChanged() {
        var board = TaskBoard()
        let changed1 = run(todoWrite([("Read", "completed"), ("Test", "in_progress"), ("Docs", "pending")]), on: &board)
        #expect(changed1)
        #expect(board.plan.map(\.status) == ["completed", "in_progress", "pending"])
        let changed2 = run(todoWrite([("Read", "completed"), ("Test", "in_progress"), ("Docs", "pending")]), on: &board)
        #expect(!changed2)
        let changed3 = run(ToolUse(id: "b", name: "Bash", input: ["command": "ls"]), on: &board)
        #expect(!changed3)
    }

    @Test func taskCreateAndTaskUpdateKeepNumberedTasks() {
        var board = TaskBoard()
        let changed4 = run(ToolUse(id: "1", name: "TaskCreate", input: ["subject": "Read the code", "description": "all of it"]), on: &board)
        #expect(changed4)
        let changed5 = run(ToolUse(id: "2", name: "TaskCreate", input: ["subject": "Write tests"]), on: &board)
        #expect(changed5)
        let changed6 = run(ToolUse(id: "3", name: "TaskUpdate", input: ["taskId": "1", "status": "completed"]), on: &board)
        #expect(changed6)
        #expect(board.plan == [.init(id: "1", content: "Read the code", status: "completed"),
                               .init(id: "2", content: "Write tests", status: "pending")])
        let changed7 = run(ToolUse(id: "4", name: "TaskUpdate", input: ["taskId": "2", "status": "deleted"]), on: &board)
        #expect(changed7)
        #expect(board.plan.map(\.id) == ["1"])
        let changed8 = run(ToolUse(id: "5", name: "TaskUpdate", input: ["taskId": "9", "status": "completed"]), on: &board)
        #expect(!changed8)
    }

    @Test func aRefusedCallChangesNothingAndTheCLIsNumberIsKept() {
        var board = TaskBoard()
        let refused = run(ToolUse(id: "1", name: "TaskCreate", input: ["subject": "Read"]), on: &board,
                          result: "Error: No such tool available: TaskCreate", isError: true)
        #expect(!refused && board.plan.isEmpty)
        let created = run(ToolUse(id: "2", name: "TaskCreate", input: ["subject": "Test"]), on: &board,
                          result: "Task #7 created successfully: Test")
        #expect(created && board.plan == [.init(id: "7", content: "Test", status: "pending")])
        // Shown only when the result arrives.
        let asked = board.observe(.toolUse(todoWrite([("A", "pending")])))
        #expect(!asked)
        #expect(board.plan.count == 1)
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
        _ = run(todoWrite([("Read", "completed"), ("Test", "in_progress"), ("Docs", "pending")]), on: &board)
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
