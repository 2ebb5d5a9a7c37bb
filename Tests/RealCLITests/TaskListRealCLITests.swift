import Foundation
import ParleyTestSupport
import StreamJSON
import Testing

/// The model's plan with the real `claude`, which keeps it with `TaskCreate`/`TaskUpdate` in
/// headless use (enabled by `CLAUDE_CODE_ENABLE_TODO_TOOLS=1`), scripted through the fake
/// Messages API (issue 14, point 5).
@Suite(.serialized, .timeLimit(.minutes(3))) struct TaskListRealCLITests {
    static let script = """
        {"tool": {"name": "TaskCreate", "input": {"subject": "Read the code", "description": "all of it", "activeForm": "Reading"}}, "text": "planning"}
        {"tool": {"name": "TaskCreate", "input": {"subject": "Write tests", "description": "tests", "activeForm": "Writing tests"}}}
        {"tool": {"name": "TaskUpdate", "input": {"taskId": "1", "status": "completed"}}}
        {"text": "plan written"}
        """

    /// A harness whose API follows ``script``; the script's directory goes with `finish`.
    func harness() throws -> (harness: RealHarness, finish: () -> Void) {
        let directory = TemporaryDirectory("parley-real-script")
        let path = directory.file("script.jsonl")
        #expect(FileManager.default.createFile(atPath: path, contents: Data(Self.script.utf8)))
        do {
            let harness = try RealHarness(apiArguments: ["--script", path])
            return (harness, { harness.finish(); directory.remove() })
        } catch {
            directory.remove()
            throw error
        }
    }

    @Test func theCLIsTasksBecomeAChecklistAndTasksListsThem() async throws {
        let (harness, finish) = try harness()
        defer { finish() }
        let outcome = try await harness.parley("make a plan\n/tasks\n", ["--auto-approve", "all"],
                                         environment: ["CLAUDE_CODE_ENABLE_TODO_TOOLS": "1", "LANG": "C", "LC_ALL": "", "LC_CTYPE": ""])
        #expect(outcome.status == 0, "stderr: \(outcome.stderr)")
        let final = "plan · 1 of 2 done\n  [x] #1 Read the code\n  [ ] #2 Write tests\n"
        #expect(outcome.stderr.contains("plan · 0 of 1 done\n  [ ] #1 Read the code\n"), "stderr: \(outcome.stderr)")
        // Shown after the update, and again by /tasks.
        #expect(outcome.stderr.components(separatedBy: final).count == 3, "stderr: \(outcome.stderr)")
        #expect(outcome.stdout.contains("plan written"))
    }

    @Test func jsonOutputCarriesThePlan() async throws {
        let (harness, finish) = try harness()
        defer { finish() }
        let outcome = try await harness.parley("make a plan\n", ["--auto-approve", "all", "--output-format", "json"],
                                         environment: ["CLAUDE_CODE_ENABLE_TODO_TOOLS": "1"])
        let plans = outcome.stdout.split(separator: "\n").compactMap { try? JSONValue.parse(Data($0.utf8)) }
            .filter { $0["type"] == "plan" }
        #expect(plans.count == 3, "stdout: \(outcome.stdout)")
        #expect(plans.last?["plan"]?.arrayValue?.map { $0["status"] } == ["completed", "pending"])
        #expect(plans.last?["plan"]?.arrayValue?.first?["id"] == "1")
    }
}
