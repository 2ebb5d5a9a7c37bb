import Foundation
import ParleyTestSupport
import StreamJSON
import Testing

/// The model's plan and background tasks through the built `parley`, against `fake-claude`
/// (issue 14, point 5): the checklist when the plan changes, `/tasks`, `/tasks stop`, Ctrl-T.
@Suite(.serialized, .timeLimit(.minutes(3))) struct TaskListTests {
    private func objects(_ stdout: String) -> [JSONValue] {
        stdout.split(separator: "\n").compactMap { try? JSONValue.parse(Data($0.utf8)) }
    }

    @Test func aScriptSeesThePlanOnStderrInASCIIWithoutAUTF8Locale() async throws {
        let fixture = PipedFixture()
        defer { fixture.directory.remove() }
        let outcome = try await fixture.run("plan fc:todo=done,doing,todo\n/tasks\n", environment: ["LANG": "C", "LC_ALL": "", "LC_CTYPE": ""])
        #expect(outcome.status == 0, "stderr: \(outcome.stderr)")
        let checklist = "plan · 1 of 3 done\n  [x] Step 1\n  [~] Step 2\n  [ ] Step 3\n"
        #expect(outcome.stderr.components(separatedBy: checklist).count == 3, "shown when it changed, and by /tasks:\n\(outcome.stderr)")
        #expect(!outcome.stdout.contains("Step 1"))

        let utf8 = try await fixture.run("plan fc:todo=done,todo\n", environment: ["LANG": "C.UTF-8", "LC_ALL": "", "LC_CTYPE": ""])
        #expect(utf8.stderr.contains("  ☑ Step 1\n  ☐ Step 2\n"), "stderr: \(utf8.stderr)")
    }

    @Test func jsonOutputHasPlanAndTasksObjects() async throws {
        let fixture = PipedFixture()
        defer { fixture.directory.remove() }
        let outcome = try await fixture.run("plan fc:todo=doing,todo\n/tasks\n", ["--output-format", "json"])
        let plan = objects(outcome.stdout).first { $0["type"] == "plan" }
        #expect(plan?["plan"]?.arrayValue?.map { $0["status"] } == ["in_progress", "pending"], "stdout: \(outcome.stdout)")
        let tasks = objects(outcome.stdout).first { $0["type"] == "tasks" }
        #expect(tasks?["plan"]?.arrayValue?.first?["content"] == "Step 1")
        #expect(tasks?["background"] == .array([]))
    }

    @Test func aBackgroundTaskIsListedAndStopped() async throws {
        let fixture = PipedFixture()
        defer { fixture.directory.remove() }
        let first = try await fixture.run("watch fc:bgtask\n/tasks\n/tasks stop nosuch\n", ["--output-format", "json"])
        let listed = objects(first.stdout).first { $0["type"] == "tasks" }?["background"]?.arrayValue?.first
        #expect(listed?["status"] == "running" && listed?["description"] == "npm run watch", "stdout: \(first.stdout)")
        #expect(objects(first.stdout).contains {
            $0["type"] == "error" && $0["message"] == "task not stopped: no background task nosuch; /tasks lists them"
        })
        let id = try #require(listed?["id"]?.stringValue)

        let fixture2 = PipedFixture()
        defer { fixture2.directory.remove() }
        // The ids count up per process: the same script gives the same id.
        let outcome = try await fixture2.run("watch fc:bgtask\n/tasks stop \(id)\nnext\n/tasks\n")
        #expect(outcome.stderr.contains("stopping task \(id)…"), "stderr: \(outcome.stderr)")
        #expect(outcome.stderr.contains("  \(id) · npm run watch · stopped (local_bash)"), "stderr: \(outcome.stderr)")
        #expect(fixture2.record.stdinLines.contains {
            $0["type"] == "control_request" && $0["request"]?["subtype"] == "stop_task" && $0["request"]?["task_id"] == .string(id)
        })
    }

    @Test func ctrlTShowsTheTasksInATerminalWithoutTouchingTheLine() async throws {
        let fixture = InteractiveTests.Fixture()
        defer { fixture.directory.remove() }
        let terminal = try await fixture.start(extra: ["NO_COLOR": "1"])
        defer { terminal.close() }
        terminal.type("plan fc:todo=done,doing", enter: true)
        try await terminal.waitFor("  ◐ Step 2")
        try await terminal.waitFor("─ ")
        terminal.type("half typed")
        terminal.send("C-t")
        let screen = try await terminal.waitFor(awaiting: "the plan a second time") {
            $0.components(separatedBy: "  ◐ Step 2").count == 3
        }
        #expect(terminal.cursorLine().contains("parley › half typed"), "screen:\n\(screen)")
        #expect(fixture.record.userTexts == ["plan fc:todo=done,doing"])
        terminal.send("C-u")
        terminal.send("C-d")
        try await terminal.waitFor("PARLEY-EXITED")
    }
}
