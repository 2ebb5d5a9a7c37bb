import AgentSession
import Foundation
import StreamJSON
import Terminal
import Testing
@testable import ParleyApp

/// The agent's questions (issue 14.2): reading an AskUserQuestion input, reading answer lines,
/// the permission response the tool receives, and the prompter's flow for questions and plans.
@Suite struct AgentQuestionTests {
    static let twoQuestions: JSONValue = [
        "questions": [
            ["question": "Which color?", "header": "Color", "multiSelect": false,
             "options": [["label": "Red", "description": "warm"], ["label": "Blue", "description": "cool"]]],
            ["question": "Which sizes?", "header": "Sizes", "multiSelect": true,
             "options": [["label": "Small"], ["label": "Medium"], ["label": "Large, huge"]]],
        ],
    ]

    static var color: AgentQuestion { AgentQuestion.questions(in: twoQuestions)[0] }
    static var sizes: AgentQuestion { AgentQuestion.questions(in: twoQuestions)[1] }

    @Test func questionsAreReadWithTheirOptions() {
        let questions = AgentQuestion.questions(in: Self.twoQuestions)
        #expect(questions.count == 2)
        #expect(questions[0] == AgentQuestion(question: "Which color?", header: "Color",
                                              options: [.init(label: "Red", description: "warm"), .init(label: "Blue", description: "cool")],
                                              multiSelect: false))
        #expect(questions[1].multiSelect && questions[1].options.map(\.label) == ["Small", "Medium", "Large, huge"])
        #expect(questions[1].ownAnswerNumber == 4)
        #expect(AgentQuestion.questions(in: ["questions": [["header": "no text"]]]).isEmpty)
        #expect(AgentQuestion.questions(in: [:]).isEmpty)
    }

    @Test func answerLinesPickByNumberOrAreTheUsersOwnText() {
        #expect(Self.color.reply(to: "2") == .picked(["Blue"]))
        #expect(Self.sizes.reply(to: "1 3") == .picked(["Small", "Large, huge"]))
        #expect(Self.sizes.reply(to: "3,1") == .picked(["Small", "Large, huge"]))
        #expect(Self.sizes.reply(to: " 1, 2 ") == .picked(["Small", "Medium"]))
        #expect(Self.color.reply(to: "green, please") == .typed("green, please"))
        #expect(Self.color.reply(to: "   ") == .declined)
        guard case .invalid(let tooBig) = Self.color.reply(to: "7") else { Issue.record("7 accepted"); return }
        #expect(tooBig == "there is no option 7: pick a number from 1 to 2, or type an answer of your own")
        guard case .invalid(let several) = Self.color.reply(to: "1 2") else { Issue.record("two for one accepted"); return }
        #expect(!several.contains("\n") && several.contains("pick one option"))
        guard case .invalid = Self.sizes.reply(to: "0 2") else { Issue.record("0 accepted"); return }
    }

    @Test func severalLabelsAreJoinedAsTheCLIWritesThem() {
        #expect(AgentQuestion.answerText(["Small", "Medium"]) == "Small, Medium")
        #expect(AgentQuestion.answerText(["Small", "Large, huge"]) == #"Small, "Large, huge""#)
        #expect(AgentQuestion.answerText(["Blue"]) == "Blue")
    }

    @Test func answersReachTheToolThroughUpdatedInput() {
        let request = PermissionRequest(toolName: "AskUserQuestion", input: Self.twoQuestions, requiresUserInteraction: true)
        let decision = PermissionAnswer.answered(["Which color?": "Blue", "Which sizes?": "Small, Medium"]).decision(for: request)
        guard case .allow(let input, let permissions) = decision else { Issue.record("not allowed: \(decision)"); return }
        #expect(permissions.isEmpty)
        #expect(input["questions"] == Self.twoQuestions["questions"])
        #expect(input["answers"] == ["Which color?": "Blue", "Which sizes?": "Small, Medium"])
        #expect(PermissionAnswer.deny(reason: nil).decision(for: request) == .deny(message: "The user declined to answer the questions."))
    }

    @Test func planDecisions() {
        let request = PermissionRequest(toolName: "ExitPlanMode", input: ["plan": "# Plan"])
        #expect(PermissionAnswer.approvePlan(acceptEdits: false).decision(for: request) == .allow(input: ["plan": "# Plan"]))
        #expect(PermissionAnswer.approvePlan(acceptEdits: true).decision(for: request)
            == .allow(input: ["plan": "# Plan"], permissions: [["type": "setMode", "mode": "acceptEdits", "destination": "session"]]))
        guard case .deny(let message, false) = PermissionAnswer.keepPlanning(feedback: "cover the tests").decision(for: request) else {
            Issue.record("not denied"); return
        }
        #expect(message.hasSuffix(": cover the tests"))
        guard case .deny(let plain, false) = PermissionAnswer.deny(reason: nil).decision(for: request) else { Issue.record("not denied"); return }
        #expect(plain.contains("keep planning"))
    }

    @Test func theCallLineNamesTheQuestionOrThePlan() {
        #expect(ToolLineFormatter.essentialArgument(of: ToolUse(id: "", name: "AskUserQuestion", input: Self.twoQuestions))
            == "Which color? · Which sizes?")
        #expect(ToolLineFormatter.essentialArgument(of: ToolUse(id: "", name: "ExitPlanMode", input: ["plan": "# Plan: greet\n\n1. a"]))
            == "Plan: greet")
        #expect(ToolLineFormatter.essentialArgument(of: ToolUse(id: "", name: "ExitPlanMode", input: [:])) == "")
    }

    @Test func untrustedTextInQuestionsAndPlansIsShownInert() {
        let hostile: JSONValue = ["questions": [["question": "Pick\u{1B}[2J one", "header": "H\u{07}",
                                                  "options": [["label": "A\u{1B}]0;PWNED\u{07}", "description": "d\u{9B}2J"]]]]]
        let lines = AgentQuestionView.lines(for: AgentQuestion.questions(in: hostile)[0], index: 0, count: 1)
        let plan = AgentQuestionView.planLines(input: ["plan": "# Title\u{1B}[2J\n\n- step \u{1B}]52;c;eA==\u{07}"], width: 60)
        for line in lines + plan {
            #expect(InertText.isInert(line.plainText), "not inert: \(line.plainText.debugDescription)")
        }
        #expect(lines.map(\.plainText) == ["? H␇: Pick␛[2J one", "  1. A␛]0;… — d␛[2J", "  2. Type an answer of your own"])
        #expect(plan.contains { $0.plainText.contains("Title") } && plan.contains { $0.plainText.hasPrefix("  3. Keep planning") })
    }
}

/// The prompter's flow for the agent's questions, against the recording surface.
extension PermissionPrompterTests {
    func waitUntilAsking(_ prompter: InteractivePermissionPrompter) async {
        while await !prompter.isAsking { try? await Task.sleep(for: .milliseconds(5)) }
    }

    @Test(.timeLimit(.minutes(1))) func twoQuestionsAreAskedOneAfterTheOther() async {
        let surface = RecordingSurface()
        let prompter = InteractivePermissionPrompter(editor: surface, normalPrompt: { StyledText("parley › ") })
        let pending = PendingPermission(requestID: "q", request: PermissionRequest(
            toolName: "AskUserQuestion", input: AgentQuestionTests.twoQuestions, requiresUserInteraction: true))
        let answer = Task { await prompter.ask(pending) }
        await waitUntilAsking(prompter)
        #expect(surface.statuses.withLock { $0 }.contains("? Color: Which color?  (question 1 of 2)"))
        #expect(surface.keys.withLock { $0 } == ["1", "2", "3"])
        // A line typed meanwhile is a message, never an answer; an empty one repeats how to answer.
        #expect(await !prompter.takeLine("1"))
        #expect(await prompter.takeLine(""))
        await prompter.answer(key: "2")
        #expect(surface.statuses.withLock { $0 }.contains { $0.hasPrefix("? Sizes: Which sizes?") })
        // multiSelect: the number opens an answer line holding it; an invalid line is one error, asked again.
        await prompter.answer(key: "1")
        #expect(surface.replacedLines.withLock { $0 } == ["1"])
        #expect(await prompter.takeLine("1 9"))
        #expect(surface.statuses.withLock { $0 }.last == "there is no option 9: pick 1-3, or type an answer of your own")
        #expect(await prompter.takeLine("1 3"))
        #expect(await answer.value == .answered(["Which color?": "Blue", "Which sizes?": #"Small, "Large, huge""#]))
        #expect(await !prompter.isAsking)
    }

    @Test(.timeLimit(.minutes(1))) func anAnswerOfOnesOwnAndAnEmptyOneDeclines() async {
        let surface = RecordingSurface()
        let prompter = InteractivePermissionPrompter(editor: surface, normalPrompt: { StyledText("parley › ") })
        let request = PermissionRequest(toolName: "AskUserQuestion", input: AgentQuestionTests.twoQuestions)
        let first = Task { await prompter.ask(PendingPermission(requestID: "a", request: request)) }
        await waitUntilAsking(prompter)
        await prompter.answer(key: "3")  // an answer of my own
        #expect(surface.prompts.withLock { $0 }.last?.hasPrefix("your answer") == true)
        #expect(await prompter.takeLine("2"))  // typed text, even a digit
        await prompter.answer(key: "4")
        #expect(await prompter.takeLine("only the big one"))
        #expect(await first.value == .answered(["Which color?": "2", "Which sizes?": "only the big one"]))

        let second = Task { await prompter.ask(PendingPermission(requestID: "b", request: request)) }
        await waitUntilAsking(prompter)
        await prompter.answer(key: "3")
        #expect(await prompter.takeLine(""))
        #expect(await second.value == .deny(reason: nil))
    }

    @Test(.timeLimit(.minutes(1))) func aPlanIsApprovedOrSentBackWithFeedback() async {
        let surface = RecordingSurface()
        let prompter = InteractivePermissionPrompter(editor: surface, normalPrompt: { StyledText("parley › ") })
        let request = PermissionRequest(toolName: "ExitPlanMode", input: ["plan": "# Plan\n\n1. **Fix** it\n"])
        let approved = Task { await prompter.ask(PendingPermission(requestID: "p1", request: request)) }
        await waitUntilAsking(prompter)
        #expect(surface.keys.withLock { $0 } == ["1", "2", "3"])
        #expect(surface.statuses.withLock { $0 }.contains("  │ 1. Fix it"))
        await prompter.answer(key: "2")
        #expect(await approved.value == .approvePlan(acceptEdits: true))

        let sentBack = Task { await prompter.ask(PendingPermission(requestID: "p2", request: request)) }
        await waitUntilAsking(prompter)
        #expect(await !prompter.takeLine("typed ahead"))
        await prompter.answer(key: "3")
        #expect(await prompter.takeLine("also cover the tests"))
        #expect(await sentBack.value == .keepPlanning(feedback: "also cover the tests"))
    }
}
