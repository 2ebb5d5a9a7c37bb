import AgentSession
import StreamJSON
import Terminal
import Testing

@testable import ParleyApp

@Suite("Turn activity (the living status row)")
struct TurnActivityTests {
    let start = ContinuousClock.now
    let message = QueuedMessage(id: "u1", text: "hi", sequenceNumber: 1)

    @Test func idleHasNoRow() {
        var activity = TurnActivity()
        activity.observe(.sessionInitialized(SessionInit(sessionID: "s", model: "sonnet", permissionMode: "default")), at: start)
        #expect(activity.row(at: start) == nil)
    }

    @Test func aRunningTurnSaysForHowLongInWhichToolWithModelAndMode() {
        var activity = TurnActivity()
        activity.observe(.sessionInitialized(SessionInit(sessionID: "s", model: "sonnet", permissionMode: "default")), at: start)
        activity.observe(.turnStarted(message), at: start)
        #expect(activity.row(at: start + .seconds(3))?.plainText == "● running 3s · sonnet · default")
        activity.observe(.toolUse(ToolUse(id: "t1", name: "Bash", input: [:])), at: start)
        #expect(activity.row(at: start + .seconds(75))?.plainText == "● running 1m 15s · Bash · sonnet · default")
        activity.observe(.toolResult(ToolResult(toolUseID: "t1", content: "ok", isError: false)), at: start)
        activity.observe(.status(.permissionModeChanged("acceptEdits")), at: start)
        #expect(activity.row(at: start + .seconds(4))?.plainText == "● running 4s · sonnet · acceptEdits")
        activity.modelChanged(to: "opus")
        #expect(activity.row(at: start + .seconds(4))?.plainText == "● running 4s · opus · acceptEdits")
    }

    @Test(arguments: [
        SessionEvent.turnCompleted(TurnSummary(message: QueuedMessage(id: "u1", text: "hi", sequenceNumber: 1),
                                               result: TurnResult(subtype: "success", isError: false), elapsed: .seconds(1))),
        .messageNotAnswered(QueuedMessage(id: "u1", text: "hi", sequenceNumber: 1), reason: .processCrashed),
        .closed,
    ])
    func theRowGoesWhenTheTurnEnds(end: SessionEvent) {
        var activity = TurnActivity()
        activity.observe(.turnStarted(message), at: start)
        activity.observe(.toolUse(ToolUse(id: "t1", name: "Bash", input: [:])), at: start)
        activity.observe(end, at: start)
        #expect(activity.row(at: start + .seconds(2)) == nil)
        #expect(!activity.isRunning)
    }

    @Test func namesFromTheCLIAreMadeInert() {
        var activity = TurnActivity()
        activity.observe(.turnStarted(message), at: start)
        activity.observe(.toolUse(ToolUse(id: "t1", name: "Bash\u{1B}]0;PWNED\u{07}", input: [:])), at: start)
        let row = activity.row(at: start)
        #expect(row?.plainText.contains("\u{1B}") == false)
        #expect(row?.plainText.contains("\u{07}") == false)
    }

    @Test func theRowCountsTheTurnsOutputTokens() {
        var activity = TurnActivity()
        activity.observe(.turnStarted(message), at: start)
        #expect(activity.row(at: start)?.plainText == "● running 0s", "no tokens yet, no count")
        // While a message streams: an estimate, a token per four bytes of its text and thinking.
        activity.observe(.thinkingDelta(String(repeating: "t", count: 16)), at: start)
        activity.observe(.textDelta(String(repeating: "x", count: 22)), at: start)
        #expect(activity.row(at: start + .seconds(1))?.plainText == "● running 1s · ↓ 10 tokens")
        // A finished message counts what the API says, and the next one adds its estimate.
        activity.observe(.messageUsage(outputTokens: 5000), at: start)
        activity.observe(.toolUse(ToolUse(id: "t1", name: "Bash", input: [:])), at: start)
        #expect(activity.row(at: start + .seconds(2))?.plainText == "● running 2s · Bash · ↓ 5.0k tokens")
        activity.observe(.textDelta("abcdefgh"), at: start)
        #expect(activity.outputTokens == 5002)
        // A new turn starts from nothing.
        activity.observe(.turnStarted(message), at: start)
        #expect(activity.outputTokens == 0)
    }

    @Test(arguments: [(1, "1"), (999, "999"), (1000, "1.0k"), (1299, "1.2k"), (9999, "9.9k"), (12_345, "12k"),
                      (999_999, "999k"), (1_500_000, "1.5M")])
    func tokenCountsAreShort(count: Int, shown: String) {
        #expect(TurnActivity.tokens(count) == shown)
    }

    @Test(arguments: [(0, "0s"), (59, "59s"), (60, "1m 00s"), (3599, "59m 59s"), (3720, "1h 02m")])
    func elapsedTimeIsShort(seconds: Int, shown: String) {
        #expect(TurnActivity.elapsed(.seconds(seconds)) == shown)
    }
}
