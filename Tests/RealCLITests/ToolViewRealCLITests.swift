import Foundation
import ParleyTestSupport
import StreamJSON
import Testing

/// The transcript views of tool calls (issue 14) with the real `claude` and the fake Messages
/// API: a Read summarised, an Edit's and an overwriting Write's diffs in the permission question
/// and after they ran, `/diff`, parallel calls with labelled results, in a 60-column terminal.
@Suite(.serialized) struct ToolViewRealCLITests {
    static let original = "alpha\nbeta\ngamma\n"

    /// The screen's lines without trailing blanks.
    func lines(_ screen: String) -> [String] {
        screen.split(separator: "\n", omittingEmptySubsequences: false).map { String($0.reversed().drop(while: { $0 == " " }).reversed()) }
    }

    @Test(arguments: [false, true]) func diffsSummariesAndParallelCallsWithTheRealCLI(noColor: Bool) async throws {
        let harness = try RealHarness()
        defer { harness.finish() }
        let path = harness.work + "/notes.txt"
        #expect(FileManager.default.createFile(atPath: path, contents: Data(Self.original.utf8)))
        let terminal = try await harness.terminal(extra: noColor ? ["NO_COLOR": "1"] : [:], width: 60, height: 60)
        defer { terminal.close() }
        try await terminal.waitFor("parley ›", timeout: .seconds(20))

        // The CLI edits only files it has read: a Read first, shown as a summary.
        terminal.type("read mock-tool=Read:{\"file_path\": \"\(path)\"}", enter: true)
        try await terminal.waitFor("  ⎿  Read 3 lines", timeout: .seconds(40))
        try await terminal.waitFor(timeout: .seconds(30)) { $0.contains("─ ") }

        // An Edit: the diff in the question, then after it ran.
        terminal.type("edit mock-edit=notes.txt", enter: true)
        let question = try await terminal.waitFor("allow? [y/n/a]", timeout: .seconds(40))
        for expected in ["     2 - beta", "     2 + BETA", "     3 + beta two"] {
            #expect(lines(question).contains(expected), "missing \(expected): screen:\n\(question)")
        }
        try await Task.sleep(for: .milliseconds(700))  // a deliberate key, once the question has been visible a moment
        terminal.type("y")
        try await terminal.waitFor("  ⎿  Updated notes.txt (+2 -1)", timeout: .seconds(40))
        try await terminal.waitFor(timeout: .seconds(30)) { $0.components(separatedBy: "─ ").count >= 3 }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "alpha\nBETA\nbeta two\ngamma\n")

        // A Write over the file: a diff of what it overwrote.
        terminal.type("write mock-overwrite=notes.txt", enter: true)
        try await terminal.waitFor("allow? [y/n/a]", timeout: .seconds(40))
        try await Task.sleep(for: .milliseconds(700))  // a deliberate key, once the question has been visible a moment
        terminal.type("y")
        try await terminal.waitFor("  ⎿  Overwrote notes.txt (+0 -1)", timeout: .seconds(40))
        try await terminal.waitFor(timeout: .seconds(30)) { $0.components(separatedBy: "─ ").count >= 4 }
        terminal.type("/diff", enter: true)
        let diffScreen = try await terminal.waitFor(timeout: .seconds(20)) { lines($0).contains("Overwrote notes.txt (+0 -1)") }
        #expect(lines(diffScreen).contains("     3 - beta two"))

        // Hostile text in a new file's content is shown inert in the question's diff.
        terminal.type(#"hostile mock-tool=Write:{"file_path": "\#(harness.work)/hostile.txt", "content": "a \u001b]0;PWNED\u0007 b\n"}"#,
                      enter: true)
        let hostileScreen = try await terminal.waitFor("allow? [y/n/a]", timeout: .seconds(40))
        #expect(lines(hostileScreen).contains("     1 + a ␛]0;… b"), "screen:\n\(hostileScreen)")
        try await Task.sleep(for: .milliseconds(700))  // a deliberate key, once the question has been visible a moment
        terminal.type("n")
        try await terminal.waitFor("reason for no")
        terminal.type("", enter: true)
        try await terminal.waitFor(timeout: .seconds(30)) { $0.components(separatedBy: "─ ").count >= 5 }

        // Two calls in one message: each result under its own label.
        terminal.type("both mock-parallel", enter: true)
        // The CLI may show both calls and then both results (each result is then labelled
        // `↳ Bash(…)`), or, when it runs the first call while the second still streams, each
        // result right under its call (no label needed). Either way the line naming the call
        // closest above a result is that result's call.
        let parallelScreen = try await terminal.waitFor(timeout: .seconds(60)) { screen in
            let shown = lines(screen)
            return shown.contains("  ⎿  one") && shown.contains("  ⎿  two")
        }
        let shown = lines(parallelScreen)
        for word in ["one", "two"] {
            let result = try #require(shown.lastIndex(of: "  ⎿  \(word)"))
            let owner = shown[..<result].last { $0.hasPrefix("⏺ ") || $0.hasPrefix("  ↳ ") }
            #expect(owner?.hasSuffix("Bash(echo \(word))") == true, "the result \(word) is under \(owner ?? "nothing"):\n\(parallelScreen)")
        }
        #expect(shown.contains("  ↳ Bash(echo one)") || shown.firstIndex(of: "⏺ Bash(echo one)").map { shown[$0 + 1] } == "  ⎿  one",
                "screen:\n\(parallelScreen)")
        #expect(shown.filter { $0.hasPrefix("     ") }.allSatisfy { $0.count <= 60 })
        try await quitParley(terminal)
    }

    @Test(arguments: [true, false]) func aSubagentsWorkIsNestedUnderItsCallWithTheRealCLI(noColor: Bool) async throws {
        let harness = try RealHarness()
        defer { harness.finish() }
        let terminal = try await harness.terminal(extra: noColor ? ["NO_COLOR": "1"] : [:], width: 60, height: 60)
        defer { terminal.close() }
        try await terminal.waitFor("parley ›", timeout: .seconds(20))
        // The subagent's prompt ("please use a tool") makes the fake API answer it with a Bash call.
        terminal.type("delegate mock-task", enter: true)
        let screen = try await terminal.waitFor(timeout: .seconds(60)) { screen in
            screen.contains("      ⎿  hello-from-tool") && screen.contains("◦ task completed")
        }
        let shown = lines(screen)
        let task = try #require(shown.firstIndex { $0.hasPrefix("⏺ Task(run a tool)") || $0.hasPrefix("⏺ Agent(run a tool)") },
                                "screen:\n\(screen)")
        #expect(shown[(task + 1)...].contains("  ⎿  Working in the background"), "screen:\n\(screen)")
        #expect(shown.contains("    ⏺ Bash(echo hello-from-tool)"), "screen:\n\(screen)")
        // The subagent's own text, nested like its calls, just above the call it announced.
        let said = try #require(shown.firstIndex(of: "    Let me run a command."), "screen:\n\(screen)")
        #expect(said > task && shown[said + 1] == "    ⏺ Bash(echo hello-from-tool)", "screen:\n\(screen)")
        #expect(!shown.contains("Let me run a command."), "screen:\n\(screen)")
        for noise in ["agentId", "SendMessage", "Async agent", "◦ task: ", "run a tool: started"] {
            #expect(!screen.contains(noise), "\(noise) shown: screen:\n\(screen)")
        }
        try await quitParley(terminal)
    }

    @Test func aTableInARealReplyIsDrawnToFitTheTerminal() async throws {
        let harness = try RealHarness()
        defer { harness.finish() }
        let terminal = try await harness.terminal(extra: ["NO_COLOR": "1"], width: 60, height: 40)
        defer { terminal.close() }
        try await terminal.waitFor("parley ›", timeout: .seconds(20))
        terminal.type("options mock-table", enter: true)
        let screen = try await terminal.waitFor("That is all.", timeout: .seconds(40))
        let shown = lines(screen)
        let top = try #require(shown.firstIndex { $0.hasPrefix("┌") }, "screen:\n\(screen)")
        let bottom = try #require(shown.firstIndex { $0.hasPrefix("└") }, "screen:\n\(screen)")
        let table = Array(shown[top...bottom])
        #expect(table.allSatisfy { $0.count <= 60 && $0.count == table[0].count }, "screen:\n\(screen)")
        #expect(table.contains { $0.hasPrefix("│ --color │  auto   │") }, "screen:\n\(screen)")
        #expect(!screen.contains("|:-------|"))
        try await quitParley(terminal)
    }

    @Test func scriptedAndJSONOutputOfAnEditWithTheRealCLI() async throws {
        let harness = try RealHarness()
        defer { harness.finish() }
        let path = harness.work + "/notes.txt"
        #expect(FileManager.default.createFile(atPath: path, contents: Data(Self.original.utf8)))
        let input = "read mock-tool=Read:{\"file_path\": \"\(path)\"}\nedit mock-edit=notes.txt\n"
        let plain = try await harness.parley(input, ["--auto-approve", "edits"])
        #expect(plain.status == 0, "stderr: \(plain.stderr)")
        #expect(plain.stderr.contains("  ⎿  Read 3 lines\n"), "stderr: \(plain.stderr)")
        #expect(plain.stderr.contains("  ⎿  Updated notes.txt (+2 -1)\n     1   alpha\n     2 - beta\n     2 + BETA\n     3 + beta two\n"),
                "stderr: \(plain.stderr)")

        #expect(FileManager.default.createFile(atPath: path, contents: Data(Self.original.utf8)))
        let json = try await harness.parley(input, ["--auto-approve", "edits", "--output-format", "json"])
        #expect(json.status == 0, "stderr: \(json.stderr)")
        let objects = json.stdout.split(separator: "\n").compactMap { try? JSONValue.parse(Data($0.utf8)) }
        let edit = try #require(objects.first { $0["type"] == "tool_use" && $0["name"] == "Edit" }, "stdout: \(json.stdout)")
        #expect(edit["file_change"]?["diff"]?.stringValue == "@@ -1,3 +1,4 @@\n alpha\n-beta\n+BETA\n+beta two\n gamma\n")
        let summaries = objects.filter { $0["type"] == "tool_result" }.compactMap { $0["summary"]?.stringValue }
        #expect(summaries.contains("Read 3 lines"), "stdout: \(json.stdout)")
        #expect(summaries.contains { $0.hasSuffix("notes.txt (+2 -1)") }, "stdout: \(json.stdout)")
    }
}
