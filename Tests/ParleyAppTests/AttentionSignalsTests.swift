import Locking
import Terminal
import Testing

@testable import ParleyApp

@Suite("Being told (attention signals)")
struct AttentionSignalsTests {
    final class Recorder: Sendable {
        let sent = Locked<[TerminalControl]>([])
        let clock = Locked(ContinuousClock.now)
        func advance(_ seconds: Int) { clock.withLock { $0 += .seconds(seconds) } }
    }

    func signals(notifyAfter: Int, persona: String = "default", _ recorder: Recorder) -> AttentionSignals {
        AttentionSignals(notifyAfterSeconds: notifyAfter, persona: { persona }, now: { recorder.clock.withLock { $0 } },
                         send: { control in recorder.sent.withLock { $0.append(control) } })
    }

    @Test func theTitleFollowsTheTurnAndALongTurnAlertsWhenItEnds() {
        let recorder = Recorder()
        let attention = signals(notifyAfter: 10, persona: "reviewer", recorder)
        attention.showTitle()
        attention.turnStarted()
        recorder.advance(12)
        attention.turnEnded()
        #expect(recorder.sent.withLock { $0 } == [
            .title("reviewer - idle"), .title("reviewer - running"), .commandFinished, .title("reviewer - idle"),
            .alert(title: "Parley · reviewer", body: "turn finished after 12s"),
        ])
    }

    @Test func aShortTurnOrZeroDoesNotAlert() {
        for (threshold, seconds) in [(10, 9), (0, 500)] {
            let recorder = Recorder()
            let attention = signals(notifyAfter: threshold, recorder)
            attention.turnStarted()
            recorder.advance(seconds)
            attention.turnEnded()
            #expect(!recorder.sent.withLock { $0 }.contains { if case .alert = $0 { true } else { false } })
        }
    }

    @Test func aQuestionAlertsAtOnceAndTheTitleWaitsUntilItIsAnswered() {
        let recorder = Recorder()
        let attention = signals(notifyAfter: 0, recorder)
        attention.turnStarted()
        attention.questionAsked(tool: "Bash")
        attention.questionAnswered()
        attention.questionAsked(tool: "AskUserQuestion")
        #expect(recorder.sent.withLock { $0 } == [
            .title("parley - running"), .title("parley - waiting for you"),
            .alert(title: "Parley · parley", body: "claude asks to use Bash"), .title("parley - running"),
            .title("parley - waiting for you"), .alert(title: "Parley · parley", body: "claude asks you a question"),
        ])
    }

    @Test func aPlanToApproveAlertsLikeAQuestion() {
        let recorder = Recorder()
        let attention = signals(notifyAfter: 0, recorder)
        attention.turnStarted()
        attention.questionAsked(tool: "ExitPlanMode")
        #expect(recorder.sent.withLock { $0 } == [
            .title("parley - running"), .title("parley - waiting for you"),
            .alert(title: "Parley · parley", body: "claude asks you to approve a plan"),
        ])
    }

    @Test func anEndWithoutAStartSaysNothing() {
        let recorder = Recorder()
        signals(notifyAfter: 1, recorder).turnEnded()
        #expect(recorder.sent.withLock { $0 }.isEmpty)
    }

    @Test func notifyAfterSecondsIsReadAndChecked() throws {
        let fixture = try ConfigurationFixture()
        #expect(try fixture.load("notify_after_seconds = 30\n").configuration.notifyAfterSeconds == 30)
        #expect(try fixture.load("notify_after_seconds = 0\n").configuration.notifyAfterSeconds == 0)
        #expect(ParleyConfiguration.builtIn.notifyAfterSeconds == 10)
        let negative = try fixture.load("notify_after_seconds = -1\n")
        #expect(negative.configuration.notifyAfterSeconds == 10)
        #expect(negative.diagnostics.map(\.description).joined().contains("\"notify_after_seconds\" must be from 0 (off) to 86400, not -1"))
        #expect(try fixture.load("notify_after_seconds = \"soon\"\n").diagnostics.count == 1)
    }
}

@Suite("Terminal controls")
struct TerminalControlTests {
    @Test func sequences() {
        #expect(TerminalControl.alert(title: "Parley", body: "done").sequence
                == "\u{07}\u{1B}]9;Parley: done\u{07}\u{1B}]777;notify;Parley;done\u{07}")
        #expect(TerminalControl.title("parley - idle").sequence == "\u{1B}]2;parley - idle\u{07}")
        #expect(TerminalControl.commandFinished.sequence == "\u{1B}]133;D\u{07}")
    }

    @Test func textInThemCannotEndOrSplitTheSequence() {
        let hostile = TerminalControl.alert(title: "a;b", body: "x\u{07}\u{1B}]0;PWNED\u{1B}\\\ny").sequence
        #expect(hostile.hasPrefix("\u{07}\u{1B}]9;a,b: x"))
        // Only Parley's own controls remain: BEL and ESC appear exactly where the sequences need them.
        #expect(hostile.filter { $0 == "\u{1B}" }.count == 2 && hostile.filter { $0 == "\u{07}" }.count == 3)
        #expect(!hostile.contains("\n"))
        #expect(hostile.components(separatedBy: ";").count == 5, "notify;title;body and the 9 and 777 introducers")
        let long = TerminalControl.title(String(repeating: "x", count: 500)).sequence
        #expect(long.count == 4 + 1 + TerminalControl.maximumTextLength)
    }
}
