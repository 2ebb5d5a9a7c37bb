import Foundation
import ParleyTestSupport
import StreamJSON
import Testing

/// The agent's questions (issue 14.2) with the real `claude` and the fake Messages API, in a
/// 60-column terminal, with and without colour: AskUserQuestion answered by number, with several
/// numbers and with text of one's own; ExitPlanMode sent back with feedback, approved, and approved
/// with auto-accepted edits; and scripted use. Each checks what the tool said to the model (the
/// tool_result the CLI sent to the fake API).
extension RealCLI {
    @Suite(.serialized) struct AgentQuestionRealCLITests {}
}

extension RealCLI.AgentQuestionRealCLITests {
    /// Waits until a request to the fake API carries a tool_result whose text contains `text`; returns it.
    @discardableResult
    func toolResult(containing text: String, in harness: RealHarness, timeout: TimeInterval = 40,
                    sourceLocation: SourceLocation = #_sourceLocation) async throws -> JSONValue {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let results = harness.api.mainRequests.flatMap(APIRequest.toolResults)
            if let found = results.first(where: { APIRequest.texts(of: ["content": .array([$0])]).contains { $0.contains(text) } }) {
                return found
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let seen = harness.api.mainRequests.flatMap(APIRequest.toolResults).map(\.compactText).joined(separator: "\n")
        Issue.record("no tool_result containing “\(text)” reached the API; tool results seen:\n\(seen)", sourceLocation: sourceLocation)
        throw RealCLISetupError(description: "no tool_result containing “\(text)”")
    }

    /// A deliberate key: pressed alone, once the question has been on screen a moment.
    func press(_ key: String, in terminal: TmuxTerminal) async throws {
        try await Task.sleep(for: .milliseconds(700))
        terminal.type(key)
    }

    @Test(arguments: [false, true]) func askUserQuestionIsAnsweredByNumberBySeveralNumbersAndInWords(noColor: Bool) async throws {
        let harness = try RealHarness()
        defer { harness.finish() }
        let terminal = try await harness.terminal(extra: noColor ? ["NO_COLOR": "1"] : [:], width: 60, height: 50)
        defer { terminal.close() }
        try await terminal.waitFor("parley ›", timeout: .seconds(20))

        // One question, picked by number.
        terminal.type("ask mock-ask", enter: true)
        let question = try await terminal.waitFor("pick 1-3 ›", timeout: .seconds(40))
        for expected in ["? Color: Which color do you prefer?", "  1. Red — warm", "  2. Blue — cool", "  3. Type an answer of your own"] {
            #expect(question.contains(expected), "missing \(expected): screen:\n\(question)")
        }
        #expect(!question.contains("Allow AskUserQuestion"), "screen:\n\(question)")
        #expect(question.contains("⏺ AskUserQuestion(Which color do you prefer?)"), "screen:\n\(question)")
        // Typing ahead never answers: a number typed into a half-typed line stays text.
        terminal.type("x")
        try await press("2", in: terminal)
        try await terminal.waitFor(awaiting: "the typed keys on the edit line", timeout: .seconds(10)) { _ in
            terminal.cursorLine().contains("pick 1-3 › x2")
        }
        terminal.send("C-u")
        try await press("2", in: terminal)
        try await toolResult(containing: #"Your questions have been answered: "Which color do you prefer?"="Blue""#, in: harness)
        try await terminal.waitFor("  answered", timeout: .seconds(20))

        // Two questions, one after the other; the second takes several numbers.
        terminal.type("both mock-ask-multi", enter: true)
        try await terminal.waitFor(awaiting: "the first of two questions", timeout: .seconds(40)) {
            $0.contains("(question 1 of 2)") && $0.contains("pick 1-4 ›")
        }
        try await press("3", in: terminal)
        let second = try await terminal.waitFor("pick 1-4 (several) ›", timeout: .seconds(20))
        #expect(second.contains("  → Green"), "screen:\n\(second)")
        #expect(second.contains("Which sizes do you need?"), "screen:\n\(second)")
        try await press("1", in: terminal)
        try await terminal.waitFor("numbers (e.g. 1 3)", timeout: .seconds(20))
        terminal.type(" 3", enter: true)
        try await toolResult(containing: #""Which color do you prefer?"="Green", "Which sizes do you need?"="Small, Large""#, in: harness)

        // An answer of one's own.
        terminal.type("again mock-ask", enter: true)
        try await terminal.waitFor(awaiting: "the question's prompt", timeout: .seconds(40)) { _ in terminal.cursorLine().contains("pick 1-3 ›") }
        try await press("3", in: terminal)
        try await terminal.waitFor("your answer (Enter alone declines)", timeout: .seconds(20))
        terminal.type("purple, obviously", enter: true)
        try await toolResult(containing: #"The user answered: "Which color do you prefer?"="purple, obviously""#, in: harness)

        // Esc declines: the model is told so, and the turn goes on.
        terminal.type("decline mock-ask", enter: true)
        try await terminal.waitFor(awaiting: "the question's prompt", timeout: .seconds(40)) { _ in terminal.cursorLine().contains("pick 1-3 ›") }
        try await Task.sleep(for: .milliseconds(300))
        terminal.send("Escape")
        try await terminal.waitFor("  declined", timeout: .seconds(20))
        let declined = try await toolResult(containing: "The user declined to answer the questions.", in: harness)
        #expect(declined["is_error"] == true)
        let after = try await terminal.waitFor(awaiting: "the turn's end", timeout: .seconds(30)) { $0.components(separatedBy: "─ ").count >= 5 }
        #expect(!after.contains("⏹ interrupted"), "screen:\n\(after)")
        try await quitParley(terminal)
    }

    @Test(arguments: [false, true]) func aPlanIsSentBackWithFeedbackApprovedAndApprovedWithEdits(noColor: Bool) async throws {
        let harness = try RealHarness()
        defer { harness.finish() }
        let terminal = try await harness.terminal("--permission-mode plan", extra: noColor ? ["NO_COLOR": "1"] : [:], width: 60, height: 50)
        defer { terminal.close() }
        try await terminal.waitFor("parley ›", timeout: .seconds(20))

        // Keep planning, with feedback: the model is told.
        terminal.type("plan mock-plan", enter: true)
        let plan = try await terminal.waitFor("plan? [1/2/3] ›", timeout: .seconds(40))
        for expected in ["? claude has a plan and asks to start", "Plan: greet the user", "Add the greeting", "  1. Approve: start",
                         "  2. Approve and auto-accept edits", "  3. Keep planning: say what to change"] {
            #expect(plan.contains(expected), "missing \(expected): screen:\n\(plan)")
        }
        let shownPlan = plan.components(separatedBy: "? claude has a plan").last ?? ""
        #expect(shownPlan.contains("  │ 2. Add the greeting") && !shownPlan.contains("**") && !shownPlan.contains("# Plan"),
                "Markdown not rendered: screen:\n\(plan)")
        try await press("3", in: terminal)
        try await terminal.waitFor("what should change?", timeout: .seconds(20))
        terminal.type("also cover the tests", enter: true)
        let feedback = try await toolResult(containing: "also cover the tests", in: harness)
        #expect(feedback["is_error"] == true)
        try await terminal.waitFor("  keep planning", timeout: .seconds(20))

        // Approved: plan mode ends.
        terminal.type("again mock-plan", enter: true)
        try await terminal.waitFor(awaiting: "the second plan question", timeout: .seconds(40)) { _ in
            terminal.cursorLine().contains("plan? [1/2/3]")
        }
        try await press("1", in: terminal)
        try await toolResult(containing: "User has approved your plan", in: harness)
        try await terminal.waitFor("permission mode: default", timeout: .seconds(20))

        // Approved with auto-accepted edits: the mode becomes acceptEdits.
        terminal.type("/permissions plan", enter: true)
        try await Task.sleep(for: .seconds(1))
        terminal.type("third mock-plan", enter: true)
        try await terminal.waitFor(awaiting: "the third plan question", timeout: .seconds(40)) { _ in
            terminal.cursorLine().contains("plan? [1/2/3]")
        }
        try await press("2", in: terminal)
        try await terminal.waitFor("permission mode: acceptEdits", timeout: .seconds(30))
        try await terminal.waitFor("plan approved; edits will be accepted", timeout: .seconds(10))
        let approvals = harness.api.mainRequests.flatMap(APIRequest.toolResults)
            .filter { APIRequest.texts(of: ["content": .array([$0])]).contains { $0.contains("User has approved your plan") } }
        #expect(approvals.count >= 2)
        try await quitParley(terminal)
    }

    @Test func scriptedUseHasNoPersonToAsk() async throws {
        let harness = try RealHarness()
        defer { harness.finish() }
        // A question: declined, said on stderr, and the model is told why.
        let plain = try await harness.parley("ask mock-ask\n")
        #expect(plain.status == 0, "stderr: \(plain.stderr)")
        #expect(plain.stderr.contains("✗ claude asked, but there is no person to ask (scripted use): Color: Which color do you prefer? (1. Red, 2. Blue)"),
                "stderr: \(plain.stderr)")
        let declined = try await toolResult(containing: "There is no person to ask", in: harness)
        #expect(declined["is_error"] == true)

        // JSON output: the questions, their options and the decision.
        let json = try await harness.parley("both mock-ask-multi\n", ["--output-format", "json", "--auto-approve", "all"])
        #expect(json.status == 0, "stderr: \(json.stderr)")
        let objects = json.stdout.split(separator: "\n").compactMap { try? JSONValue.parse(Data($0.utf8)) }
        let asked = try #require(objects.first { $0["kind"] == "question_not_asked" }, "stdout: \(json.stdout)")
        #expect(asked["type"] == "error" && asked["decision"] == "deny" && asked["tool"] == "AskUserQuestion")
        let questions = asked["questions"]?.arrayValue ?? []
        #expect(questions.map { $0["question"]?.stringValue } == ["Which color do you prefer?", "Which sizes do you need?"])
        #expect(questions.last?["multiSelect"] == true)
        #expect(questions.last?["options"]?.arrayValue?.map { $0["label"]?.stringValue } == ["Small", "Medium", "Large"])
    }

    @Test func scriptedUseApprovesAPlanOnlyWithAutoApproveAll() async throws {
        let harness = try RealHarness()
        defer { harness.finish() }
        let denied = try await harness.parley("plan mock-plan\n", ["--permission-mode", "plan", "--output-format", "json"])
        #expect(denied.status == 0, "stderr: \(denied.stderr)")
        let objects = denied.stdout.split(separator: "\n").compactMap { try? JSONValue.parse(Data($0.utf8)) }
        let decision = try #require(objects.first { $0["kind"] == "plan_not_approved" }, "stdout: \(denied.stdout)")
        #expect(decision["decision"] == "deny" && decision["policy"] == "none")
        #expect(decision["plan"]?.stringValue?.contains("# Plan: greet the user") == true)
        try await toolResult(containing: "There is no person to approve the plan", in: harness)

        let approved = try await harness.parley("plan mock-plan\n", ["--permission-mode", "plan", "--auto-approve", "all"])
        #expect(approved.status == 0, "stderr: \(approved.stderr)")
        #expect(approved.stderr.contains("✓ plan approved by --auto-approve all"), "stderr: \(approved.stderr)")
        try await toolResult(containing: "User has approved your plan", in: harness)

        let approvedJSON = try await harness.parley("plan mock-plan\n", ["--permission-mode", "plan", "--auto-approve", "all", "--output-format", "json"])
        let approval = try #require(approvedJSON.stdout.split(separator: "\n").compactMap { try? JSONValue.parse(Data($0.utf8)) }
            .first { $0["kind"] == "plan_approved" }, "stdout: \(approvedJSON.stdout)")
        #expect(approval["type"] == "info" && approval["decision"] == "allow" && approval["policy"] == "all")
    }
}

extension RealCLI.AgentQuestionRealCLITests {
    /// Both kinds of question ring the bell and send the desktop notification, as a permission
    /// question does: parley runs under `script(1)`, which records what it writes.
    @Test func aQuestionAndAPlanRingTheAttentionSignals() async throws {
        let harness = try RealHarness()
        defer { harness.finish() }
        var environment = await harness.environment()
        environment["TERM"] = "xterm-256color"
        environment["LANG"] = "C.UTF-8"
        let typescript = harness.directory.file("typescript")
        let parley = "\(TestBinaries.parley) --claude \(harness.claude) --permission-mode plan"
        let command = "cd \(harness.work) && /usr/bin/script -qfe -c \(TmuxTerminal.quote(parley)) \(typescript); echo PARLEY-EXITED"
        let terminal = try TmuxTerminal(command: command, width: 60, height: 40, environment: environment)
        defer { terminal.close() }
        func written() -> String { (try? String(contentsOfFile: typescript, encoding: .utf8)) ?? "" }
        try await terminal.waitFor("parley ›", timeout: .seconds(20))

        terminal.type("ask mock-ask", enter: true)
        try await terminal.waitFor("pick 1-3 ›", timeout: .seconds(40))
        try await terminal.waitFor(awaiting: "the question's notification", timeout: .seconds(10)) { _ in
            written().contains("\u{07}\u{1B}]9;Parley · parley: claude asks you a question\u{07}")
        }
        #expect(written().contains("\u{1B}]2;parley - waiting for you\u{07}"))
        try await press("1", in: terminal)
        try await toolResult(containing: #""Which color do you prefer?"="Red""#, in: harness)

        terminal.type("plan mock-plan", enter: true)
        try await terminal.waitFor(awaiting: "the plan question", timeout: .seconds(40)) { _ in terminal.cursorLine().contains("plan? [1/2/3]") }
        try await terminal.waitFor(awaiting: "the plan's notification", timeout: .seconds(10)) { _ in
            written().contains("\u{07}\u{1B}]9;Parley · parley: claude asks you to approve a plan\u{07}")
        }
        try await press("1", in: terminal)
        try await toolResult(containing: "User has approved your plan", in: harness)
        try await quitParley(terminal)
    }
}
