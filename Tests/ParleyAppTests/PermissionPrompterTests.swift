import AgentSession
import Foundation
import StreamJSON
import Synchronization
import Terminal
import Testing
@testable import ParleyApp

/// The interactive permission prompter against a recording question surface.
@Suite struct PermissionPrompterTests {
    final class RecordingSurface: QuestionSurface {
        let statuses = Mutex<[String]>([])
        let keyRequests = Mutex(0)
        let prompts = Mutex<[String]>([])
        let keys = Mutex<Set<Character>>([])
        let replacedLines = Mutex<[String]>([])
        func writeStatus(_ text: StyledText) { statuses.withLock { $0.append(text.plainText) } }
        func setPrompt(_ prompt: StyledText) { prompts.withLock { $0.append(prompt.plainText) } }
        func readNextKey(answers: Set<Character>) {
            keyRequests.withLock { $0 += 1 }
            keys.withLock { $0 = answers }
        }
        func cancelReadNextKey() {}
        func replaceLine(with text: String) { replacedLines.withLock { $0.append(text) } }
    }

    static func pending(_ id: String) -> PendingPermission {
        PendingPermission(requestID: id, request: PermissionRequest(toolName: "Write", input: .object(["file_path": "x"])))
    }

    @Test(.timeLimit(.minutes(1))) func aWithdrawalThatOvertakesItsQuestionIsNeverAsked() async {
        let surface = RecordingSurface()
        let prompter = InteractivePermissionPrompter(editor: surface, normalPrompt: { StyledText("parley › ") })
        // The cancel's task ran first: the question must not appear, and its ask returns at once.
        await prompter.cancel(requestID: "r1")
        let answer = await prompter.ask(Self.pending("r1"))
        #expect(answer == nil)
        #expect(await !prompter.isAsking)
        #expect(surface.statuses.withLock { $0 }.allSatisfy { !$0.contains("Allow Write") })
        #expect(surface.keyRequests.withLock { $0 } == 0)
        // The next question is asked normally.
        let next = Task { await prompter.ask(Self.pending("r2")) }
        while await !prompter.isAsking { try? await Task.sleep(for: .milliseconds(5)) }
        #expect(surface.statuses.withLock { $0 }.contains { $0.contains("Allow Write") })
        await prompter.answer(key: "y")
        #expect(await next.value == .allowOnce)
    }
}
