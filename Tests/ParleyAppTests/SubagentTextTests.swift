import AgentSession
import Foundation
import StreamJSON
import Terminal
import Testing
@testable import ParleyApp

/// A subagent's own text (issue 14, point 3) is nested under its Task/Agent call like its tool
/// calls, in a terminal (Markdown, wrapped with the indentation) and in scripts (stderr, not the
/// reply on stdout); JSON marks it with its call.
@Suite struct SubagentTextTests {
    let task = SessionEvent.toolUse(ToolUse(id: "t", name: "Task", input: ["description": "find bugs", "prompt": "look"]))
    let launched = SessionEvent.toolResult(ToolResult(toolUseID: "t", content: "Async agent launched successfully.", isError: false))
    func subagentCall(_ id: String) -> SessionEvent {
        .toolUse(ToolUse(id: id, name: "Bash", input: ["command": "echo hi"], parentToolUseID: "t"))
    }

    func present(_ events: [SessionEvent], mode: TranscriptPresenter.Mode, width: Int = 60) -> RecordingConsole {
        let console = RecordingConsole()
        var presenter = TranscriptPresenter(mode: mode, width: width)
        for event in events { presenter.present(event, on: console) }
        return console
    }

    @Test func itsTextIsNestedUnderItsCallAndWrappedToTheWidth() {
        let long = "The **first** bug is in the parser, which drops the last line of every file it reads."
        let console = present([
            .textDelta("Asking a subagent."), .assistantText("Asking a subagent.", alreadyStreamed: true, isError: false),
            task, launched,
            .subagentText("Let me look.\n\n" + long + "\n\n- one item\n", parentToolUseID: "t"),
            subagentCall("b"),
        ], mode: .terminal)
        #expect(console.streamedText == "Asking a subagent.\n", "the reply holds only the main agent's text")
        #expect(console.lines(.tool) == [
            "⏺ Task(find bugs)", "  ⎿  Working in the background",
            "    Let me look.", "",
            "    The first bug is in the parser, which drops the last",
            "    line of every file it reads.", "",
            "    • one item",
            "    ⏺ Bash(echo hi)",
        ])
        #expect(console.lines(.tool).allSatisfy { $0.count <= 60 })
    }

    @Test func aWrappedNestedListItemKeepsItsIndentation() {
        let console = present([.subagentText("- top\n  - a nested item that is long enough to wrap past the width", parentToolUseID: "t")],
                              mode: .terminal, width: 40)
        #expect(console.lines(.tool) == ["    • top", "      ◦ a nested item that is long", "      enough to wrap past the width"])
    }

    @Test func aScriptShowsItOnStderrAsWrittenAndBlankTextNotAtAll() {
        let console = present([
            task, launched, .subagentText("Let me **look**.\nSecond line.", parentToolUseID: "t"),
            .subagentText("  \n", parentToolUseID: "t"), subagentCall("b"),
        ], mode: .plain)
        #expect(console.streamedText == "")
        #expect(console.lines(.tool) == [
            "⏺ Task(find bugs)", "  ⎿  Working in the background",
            "    Let me **look**.", "    Second line.", "    ⏺ Bash(echo hi)",
        ])
    }

    @Test func itIsMadeInert() {
        let console = present([.subagentText("a \u{1B}]0;PWNED\u{07} b", parentToolUseID: "t")], mode: .terminal)
        #expect(console.lines(.tool) == ["    a ␛]0;… b"])
    }

    @Test func jsonMarksItWithItsCall() throws {
        var encoder = JSONEventEncoder()
        let encoded = encoder.line(for: .subagentText("Let me look.", parentToolUseID: "toolu_1"))
        let line = try #require(encoded)
        let object = try JSONValue.parse(Data(line.utf8))
        #expect(object["type"] == "text")
        #expect(object["text"] == "Let me look.")
        #expect(object["parent_tool_use_id"] == "toolu_1")
    }
}
