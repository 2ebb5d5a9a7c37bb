import AgentSession
import Foundation
import StreamJSON
import Terminal
import Testing
@testable import ParleyApp

@Suite struct ToolViewTests {
    static let initEvent = SessionEvent.sessionInitialized(SessionInit(sessionID: "s", model: "m", cwd: "/work/project"))

    func present(_ events: [SessionEvent], files: [String: String] = [:], width: Int = 80) -> (RecordingConsole, TranscriptPresenter) {
        let console = RecordingConsole()
        var presenter = TranscriptPresenter(mode: .plain, width: width)
        presenter.readFile = { files[$0] }
        for event in [Self.initEvent] + events { presenter.present(event, on: console) }
        return (console, presenter)
    }

    func use(_ id: String, _ name: String, _ input: JSONValue) -> SessionEvent { .toolUse(ToolUse(id: id, name: name, input: input)) }
    func result(_ id: String, _ content: String, error: Bool = false) -> SessionEvent {
        .toolResult(ToolResult(toolUseID: id, content: content, isError: error))
    }

    @Test func anEditShowsItsDiffAfterItRan() {
        let (console, presenter) = present([
            use("e", "Edit", ["file_path": "/work/project/a.txt", "old_string": "two", "new_string": "TWO"]),
            result("e", "The file /work/project/a.txt has been updated. Here's the result of running `cat -n`…"),
        ], files: ["/work/project/a.txt": "one\ntwo\nthree\n"])
        #expect(console.lines(.tool) == [
            "⏺ Edit(a.txt)", "  ⎿  Updated a.txt (+1 -1)",
            "     1   one", "     2 - two", "     2 + TWO", "     3   three",
        ])
        #expect(presenter.lastDiffLines()?.first?.plainText == "Updated a.txt (+1 -1)")
    }

    @Test func aWriteShowsTheNewFilesFirstLinesOrTheDiffOfWhatItOverwrote() {
        let content = (1...30).map { "l\($0)" }.joined(separator: "\n")
        let (created, _) = present([use("w", "Write", ["file_path": "/work/project/n.txt", "content": .string(content)]),
                                    result("w", "File created successfully at: /work/project/n.txt")])
        let lines = created.lines(.tool)
        #expect(lines[1] == "  ⎿  Created n.txt (30 lines)")
        #expect(lines[2] == "      1 + l1")
        #expect(lines.last == "     … +14 lines (/diff shows all)")
        let (overwritten, _) = present([use("w", "Write", ["file_path": "/work/project/n.txt", "content": "a\nB\n"]),
                                        result("w", "The file has been updated.")], files: ["/work/project/n.txt": "a\nb\n"])
        #expect(overwritten.lines(.tool).suffix(4) == ["  ⎿  Overwrote n.txt (+1 -1)", "     1   a", "     2 - b", "     2 + B"])
    }

    @Test func aFailedEditShowsItsErrorNotADiff() {
        let (console, presenter) = present([
            use("e", "Edit", ["file_path": "/work/project/a.txt", "old_string": "two", "new_string": "TWO"]),
            result("e", "String to replace not found", error: true),
        ], files: ["/work/project/a.txt": "one\ntwo\n"])
        #expect(console.lines(.tool) == ["⏺ Edit(a.txt)", "  ⎿  String to replace not found"])
        #expect(presenter.lastDiffLines() == nil)
    }

    @Test func parallelCallsEachGetTheirOwnLabelledResult() {
        let (console, _) = present([
            use("1", "Bash", ["command": "echo one"]), use("2", "Bash", ["command": "echo two"]),
            result("1", "one"), result("2", "two"),
        ])
        #expect(console.lines(.tool) == [
            "⏺ Bash(echo one)", "⏺ Bash(echo two)",
            "  ↳ Bash(echo one)", "  ⎿  one", "  ↳ Bash(echo two)", "  ⎿  two",
        ])
    }

    @Test func aResultRightAfterItsCallIsNotLabelled() {
        let (console, _) = present([use("1", "Bash", ["command": "echo one"]), result("1", "one")])
        #expect(console.lines(.tool) == ["⏺ Bash(echo one)", "  ⎿  one"])
    }

    @Test func aPermissionQuestionBetweenCallAndResultLabelsItOnlyWhereItIsShown() {
        let question = SessionEvent.permissionRequested(PendingPermission(
            requestID: "r", request: PermissionRequest(toolName: "Bash", input: ["command": "echo one"])))
        let (plain, _) = present([use("1", "Bash", ["command": "echo one"]), question, result("1", "one")])
        #expect(plain.lines(.tool) == ["⏺ Bash(echo one)", "  ⎿  one"])
        let console = RecordingConsole()
        var presenter = TranscriptPresenter(mode: .terminal, width: 80)
        for event in [use("1", "Bash", ["command": "echo one"]), question, result("1", "one")] { presenter.present(event, on: console) }
        #expect(console.lines(.tool) == ["⏺ Bash(echo one)", "  ↳ Bash(echo one)", "  ⎿  one"])
    }

    @Test func aSubagentsWorkIsNestedUnderItsCallWithoutItsInternals() {
        let launched = "Async agent launched successfully. (This tool result is internal metadata.)\n"
            + "agentId: a1b2 (internal ID - do not mention to user. Use SendMessage with to: 'a1b2' to continue this agent.)"
        let (console, _) = present([
            use("t", "Task", ["description": "find bugs", "prompt": "look"]), result("t", launched),
            .toolUse(ToolUse(id: "b", name: "Bash", input: ["command": "echo hi"], parentToolUseID: "t")),
            .toolResult(ToolResult(toolUseID: "b", content: "hi", isError: false, parentToolUseID: "t")),
            .status(.task(TaskEvent(kind: "task_started", taskID: "a1b2", description: "find bugs", status: nil, taskType: "local_agent"))),
            .status(.task(TaskEvent(kind: "task_updated", taskID: "a1b2", description: nil, status: "completed", taskType: nil))),
            .status(.task(TaskEvent(kind: "task_notification", taskID: "a1b2", description: "find bugs", status: "completed", taskType: nil))),
        ], width: 60)
        #expect(console.lines(.tool) == [
            "⏺ Task(find bugs)", "  ⎿  Working in the background",
            "    ⏺ Bash(echo hi)", "      ⎿  hi",
        ])
        #expect(console.lines(.status) == ["◦ task completed: find bugs"])
        let report = "[Subagent hand-back]\nFound two bugs.\nagentId: a1b2\nuse SendMessage to continue\n<usage>\ntotal_tokens: 5\n</usage>"
        let (sync, _) = present([use("t", "Agent", ["description": "find bugs"]), result("t", report)])
        #expect(sync.lines(.tool) == ["⏺ Agent(find bugs)", "  ⎿  Found two bugs."])
    }

    @Test func readGrepGlobAndWebFetchResultsAreSummarised() {
        let numbered = (1...120).map { String(format: "%6d→line", $0) }.joined(separator: "\n")
        let cases: [(String, JSONValue, String, String)] = [
            ("Read", ["file_path": "/work/project/a.swift"], numbered, "  ⎿  Read 120 lines"),
            ("Read", ["file_path": "/work/project/b.swift"], "1\talpha\n2\tbeta\n3\tgamma\n4\t", "  ⎿  Read 3 lines"),
            ("Read", ["file_path": "/work/project/c.swift"], "1\t", "  ⎿  Read 1 line"),
            ("Grep", ["pattern": "x"], "Found 3 files\n/a\n/b\n/c", "  ⎿  Found 3 files"),
            ("Grep", ["pattern": "x", "output_mode": "content"], "/a:1:x\n/b:2:x", "  ⎿  Found 2 lines"),
            ("Grep", ["pattern": "x"], "No files found", "  ⎿  No files found"),
            ("Glob", ["pattern": "*.swift"], "/a.swift\n/b.swift", "  ⎿  Found 2 files"),
            ("Glob", ["pattern": "*.x"], "No files found", "  ⎿  No files found"),
            ("WebFetch", ["url": "https://example.com"], "Example Domain\nThis domain is for examples.", "  ⎿  Fetched 2 lines"),
        ]
        for (name, input, content, expected) in cases {
            let (console, _) = present([use("t", name, input), result("t", content)])
            #expect(console.lines(.tool).last == expected, "\(name)")
        }
    }

    @Test func jsonCarriesTheFileChangeAndTheSummary() throws {
        var encoder = JSONEventEncoder()
        encoder.readFile = { $0 == "/p/a.txt" ? "one\ntwo\n" : nil }
        let useEvent = use("e", "Edit", ["file_path": "/p/a.txt", "old_string": "two", "new_string": "2"])
        let encoded = encoder.line(for: useEvent)
        let useLine = try #require(encoded)
        let object = try JSONValue.parse(Data(useLine.utf8))
        #expect(object["file_change"]?["kind"]?.stringValue == "edit")
        #expect(object["file_change"]?["diff"]?.stringValue == "@@ -1,2 +1,2 @@\n one\n-two\n+2\n")
        #expect(object["file_change"]?["added"]?.intValue == 1)
        #expect(object["input"]?["file_path"]?.stringValue == "/p/a.txt")
        let updated = encoder.line(for: result("e", "The file has been updated."))
        let resultLine = try #require(updated)
        #expect(try JSONValue.parse(Data(resultLine.utf8))["summary"]?.stringValue == "Updated /p/a.txt (+1 -1)")
        _ = encoder.line(for: use("r", "Read", ["file_path": "/p/a.txt"]))
        let readLine = encoder.line(for: result("r", "     1→one\n     2→two"))
        let read = try #require(readLine)
        #expect(try JSONValue.parse(Data(read.utf8))["summary"]?.stringValue == "Read 2 lines")
        #expect(try JSONValue.parse(Data(read.utf8))["content"]?.stringValue == "     1→one\n     2→two")
    }
}
