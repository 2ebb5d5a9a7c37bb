import Foundation
import ParleyTestSupport
import StreamJSON
import Testing

/// The transcript views of tool calls (issue 14), through the built `parley` against
/// `fake-claude`: diffs in the permission question and after the edit ran, `/diff`, parallel
/// calls with labelled results and summaries; in a 60-column terminal, with NO_COLOR, piped and
/// as JSON.
@Suite(.serialized) struct ToolViewEndToEndTests {
    static let original = "alpha\nbeta\ngamma\n"

    func start(_ fixture: PipedFixture, noColor: Bool) async throws -> TmuxTerminal {
        FileManager.default.createFile(atPath: fixture.directory.file("fake_edit.txt"), contents: Data(Self.original.utf8))
        var environment = fixture.environment(["TERM": "xterm-256color", "LANG": "C.UTF-8"])
        if noColor { environment["NO_COLOR"] = "1" }
        let command = "cd \(fixture.directory.path) && \(TestBinaries.parley); echo PARLEY-EXITED"
        let terminal = try TmuxTerminal(command: command, width: 60, height: 50, environment: environment)
        try await terminal.waitFor("parley ›")
        return terminal
    }

    /// The screen's lines without trailing blanks.
    func lines(_ screen: String) -> [String] {
        screen.split(separator: "\n", omittingEmptySubsequences: false).map { String($0.reversed().drop(while: { $0 == " " }).reversed()) }
    }

    @Test(arguments: [false, true]) func anEditShowsItsDiffInTheQuestionAndAfterItRan(noColor: Bool) async throws {
        let fixture = PipedFixture("parley-views")
        defer { fixture.directory.remove() }
        let terminal = try await start(fixture, noColor: noColor)
        defer { terminal.close() }
        terminal.type("edit it fc:permission=Edit", enter: true)
        let question = try await terminal.waitFor("allow? [y/n/a]")
        let questionLines = lines(question)
        #expect(questionLines.contains { $0.hasPrefix("? Allow Edit(fake_edit.txt)?") }, "screen:\n\(question)")
        for expected in ["     1   alpha", "     2 - beta", "     2 + BETA", "     3 + beta two", "     4   gamma"] {
            #expect(questionLines.contains(expected), "missing \(expected): screen:\n\(question)")
        }
        try await Task.sleep(for: .milliseconds(700))  // a deliberate key, once the question has been visible a moment
        terminal.type("y")
        let screen = try await terminal.waitFor("Echo: allowed")
        let after = lines(screen)
        let summary = try #require(after.firstIndex(of: "  ⎿  Updated fake_edit.txt (+2 -1)"), "screen:\n\(screen)")
        #expect(Array(after[(summary + 1)...].prefix(5)) == ["     1   alpha", "     2 - beta", "     2 + BETA", "     3 + beta two", "     4   gamma"])
        let edited = try String(contentsOfFile: fixture.directory.file("fake_edit.txt"), encoding: .utf8)
        #expect(edited == "alpha\nBETA\nbeta two\ngamma\n")
        #expect(after.filter { $0.hasPrefix("     ") || $0.hasPrefix("  ⎿") }.allSatisfy { $0.count <= 60 })

        // A MultiEdit, allowed, then /diff shows it whole.
        terminal.type("more fc:permission=MultiEdit", enter: true)
        try await terminal.waitFor("allow? [y/n/a]")
        try await Task.sleep(for: .milliseconds(700))  // a deliberate key, once the question has been visible a moment
        terminal.type("y")
        try await terminal.waitFor("Updated fake_edit.txt (+2 -2)")
        try await terminal.waitFor("Echo: allowed")
        terminal.type("/diff", enter: true)
        let diffScreen = try await terminal.waitFor { lines($0).contains("Updated fake_edit.txt (+2 -2)") }
        #expect(lines(diffScreen).contains("     4 + GAMMA"))
        try await quitParley(terminal)
    }

    @Test func parallelCallsGetLabelledResultsAndAReadIsSummarised() async throws {
        let fixture = PipedFixture("parley-views")
        defer { fixture.directory.remove() }
        let terminal = try await start(fixture, noColor: false)
        defer { terminal.close() }
        terminal.type("three tools fc:parallel", enter: true)
        let screen = try await terminal.waitFor("Echo: three tools")
        let shown = lines(screen).filter { $0.hasPrefix("⏺") || $0.hasPrefix("  ↳") || $0.hasPrefix("  ⎿") }
        #expect(shown == [
            "⏺ Bash(echo one)", "⏺ Bash(echo two)", "⏺ Read(fake_notes.txt)",
            "  ⎿  Read 12 lines",  // right under its call: no label
            "  ↳ Bash(echo one)", "  ⎿  one", "  ↳ Bash(echo two)", "  ⎿  two",
        ], "screen:\n\(screen)")
        try await quitParley(terminal)
    }

    @Test func aSubagentsWorkIsNestedUnderItsCallWithoutItsInternals() async throws {
        let fixture = PipedFixture("parley-views")
        defer { fixture.directory.remove() }
        let terminal = try await start(fixture, noColor: true)
        defer { terminal.close() }
        terminal.type("delegate fc:subagent", enter: true)
        let screen = try await terminal.waitFor("Echo: delegate")
        let shown = lines(screen)
        let task = try #require(shown.firstIndex(of: "⏺ Task(run a tool)"), "screen:\n\(screen)")
        #expect(shown[task + 1] == "  ⎿  Working in the background")
        #expect(shown.contains("    ⏺ Bash(echo hello-from-tool)"))
        #expect(shown.contains("      ⎿  hello-from-tool"))
        #expect(shown.contains("◦ task completed: Echo:"))
        for noise in ["agentId", "SendMessage", "Async agent", "◦ task:", "◦ run a tool: started"] {
            #expect(!screen.contains(noise), "\(noise) shown: screen:\n\(screen)")
        }
        try await quitParley(terminal)
    }

    @Test func scriptedModeShowsThePlainDiffOnStderr() async throws {
        let fixture = PipedFixture("parley-views")
        defer { fixture.directory.remove() }
        FileManager.default.createFile(atPath: fixture.directory.file("fake_edit.txt"), contents: Data(Self.original.utf8))
        let outcome = try await fixture.run("edit fc:permission=Edit\nthree fc:parallel\n/diff\n", ["--auto-approve", "edits"])
        #expect(outcome.status == 0, "stderr: \(outcome.stderr)")
        let stderr = outcome.stderr
        #expect(stderr.contains("  ⎿  Updated fake_edit.txt (+2 -1)\n     1   alpha\n     2 - beta\n     2 + BETA\n"), "stderr: \(stderr)")
        #expect(stderr.contains("  ↳ Bash(echo one)\n  ⎿  one\n"))
        #expect(stderr.contains("  ⎿  Read 12 lines\n"))
        #expect(!stderr.contains("\u{1B}["))
        #expect(outcome.stdout.contains("Echo: allowed"))
    }

    @Test func jsonOutputCarriesTheFileChangeAndSummaries() async throws {
        let fixture = PipedFixture("parley-views")
        defer { fixture.directory.remove() }
        FileManager.default.createFile(atPath: fixture.directory.file("fake_edit.txt"), contents: Data(Self.original.utf8))
        let outcome = try await fixture.run("edit fc:permission=Edit\nthree fc:parallel\n", ["--auto-approve", "edits", "--output-format", "json"])
        #expect(outcome.status == 0, "stderr: \(outcome.stderr)")
        let objects = outcome.stdout.split(separator: "\n").compactMap { try? JSONValue.parse(Data($0.utf8)) }
        let edit = try #require(objects.first { $0["type"] == "tool_use" && $0["name"] == "Edit" }, "stdout: \(outcome.stdout)")
        #expect(edit["file_change"]?["diff"]?.stringValue == "@@ -1,3 +1,4 @@\n alpha\n-beta\n+BETA\n+beta two\n gamma\n")
        #expect(edit["file_change"]?["kind"] == "edit")
        #expect(edit["input"]?["old_string"] == "beta")
        let summaries = objects.filter { $0["type"] == "tool_result" }.compactMap { $0["summary"]?.stringValue }
        #expect(summaries.contains { $0.hasPrefix("Updated ") && $0.hasSuffix("fake_edit.txt (+2 -1)") })
        #expect(summaries.contains("Read 12 lines"))

        let subagent = try await fixture.run("delegate fc:subagent\n", ["--output-format", "json"])
        let events = subagent.stdout.split(separator: "\n").compactMap { try? JSONValue.parse(Data($0.utf8)) }
        let task = try #require(events.first { $0["type"] == "tool_use" && $0["name"] == "Task" }, "stdout: \(subagent.stdout)")
        let bash = try #require(events.first { $0["type"] == "tool_use" && $0["name"] == "Bash" })
        #expect(bash["parent_tool_use_id"] == task["id"])
        #expect(task["parent_tool_use_id"] == nil)
        let taskResult = events.first { $0["type"] == "tool_result" && $0["tool_use_id"] == task["id"] }
        #expect(taskResult?["summary"] == "Working in the background")
        #expect(taskResult?["content"]?.stringValue?.contains("agentId") == true)  // content stays whole
    }
}
