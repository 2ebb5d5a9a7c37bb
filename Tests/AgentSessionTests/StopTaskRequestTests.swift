import StreamJSON
import Testing
@testable import AgentSession

/// `stop_task` (issue 14, point 5): the line Parley writes, and that the answer carries nothing.
@Suite struct StopTaskRequestTests {
    @Test func stopTaskNamesTheTaskAndItsAnswerIsEmpty() throws {
        #expect(try ControlRequestTests.written(StopTaskRequest(taskID: "b7k2"))
            == ["subtype": "stop_task", "task_id": "b7k2"])
        try StopTaskRequest(taskID: "b7k2").decode(.null)
    }
}
