import Foundation
import ParleyTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension TmuxTerminal {
    /// Types `text` one key at a time, `interval` seconds apart, as a person does.
    func typeLikeAPerson(_ text: String, interval: TimeInterval = 0.07) {
        for character in text {
            type(String(character))
            usleep(useconds_t(interval * 1_000_000))
        }
    }
}

/// Issue 13: what a daily user at a real terminal must be able to trust (type-ahead never
/// answers a question, feedback during a stream, resizes, pastes, continuations).
@Suite(.serialized) struct InteractiveTrustTests {
    typealias Fixture = InteractiveTests.Fixture

    private func permissionAnswers(_ fixture: Fixture) -> [String] {
        fixture.record.stdinLines.filter { $0["type"] == "control_response" }
            .compactMap { $0["response"]?["response"]?["behavior"]?.stringValue }
    }

    @Test func typingAheadNeverAnswersAPermissionQuestion() throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let terminal = try fixture.start()
        defer { terminal.close() }
        // The question arrives while the next message is being typed: its `y`, its `a`, and
        // Enter on it must not answer.
        terminal.type("write it fc:permission=Write fc:delay=300", enter: true)
        terminal.typeLikeAPerson("you should also add a test")
        let (asked, screen) = terminal.waitFor("allow? [y/n/a]")
        #expect(asked, "screen:\n\(screen)")
        #expect(terminal.cursorLine().contains("› you should also add a test"), "line: \(terminal.cursorLine())")
        #expect(permissionAnswers(fixture).isEmpty, "type-ahead answered: \(permissionAnswers(fixture))")
        terminal.send("Enter")
        let (queued, queuedScreen) = terminal.waitFor("queued (1): you should also add a test")
        #expect(queued, "screen:\n\(queuedScreen)")
        usleep(300_000)
        #expect(permissionAnswers(fixture).isEmpty, "Enter on a typed line answered: \(permissionAnswers(fixture))")
        #expect(terminal.screen().contains("Allow Write("))
        // A deliberate key on the empty line, once the question has been visible, answers.
        usleep(700_000)
        terminal.type("y")
        #expect(terminal.waitFor("  allowed").0)
        let (sent, final) = terminal.waitFor("Echo: you should also add a test", timeout: 15)
        #expect(sent, "screen:\n\(final)")
        #expect(permissionAnswers(fixture) == ["allow"])
        #expect(fixture.record.userTexts == ["write it fc:permission=Write fc:delay=300", "you should also add a test"])
    }

    @Test func aHalfTypedLineSurvivesAQuestionIntact() throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let terminal = try fixture.start()
        defer { terminal.close() }
        terminal.type("write it fc:permission=Write fc:delay=300", enter: true)
        terminal.typeLikeAPerson("and also add")
        terminal.waitFor("allow? [y/n/a]")
        usleep(900_000)
        // Pausing on a half-typed line and pressing a answer key types it: the line is text.
        terminal.type("a")
        usleep(300_000)
        #expect(permissionAnswers(fixture).isEmpty, "a key on a typed line answered: \(permissionAnswers(fixture))")
        #expect(terminal.cursorLine().contains("› and also adda"), "line: \(terminal.cursorLine())")
        terminal.send("BSpace")
        terminal.typeLikeAPerson(" docs")
        terminal.send("Enter")
        #expect(terminal.waitFor("queued (1): and also add docs").0)
        usleep(700_000)
        terminal.type("n")
        #expect(terminal.waitFor("reason for no").0)
        terminal.type("not now", enter: true)
        #expect(terminal.waitFor("  denied").0)
        let (sent, final) = terminal.waitFor("Echo: and also add docs", timeout: 15)
        #expect(sent, "screen:\n\(final)")
        #expect(permissionAnswers(fixture) == ["deny"])
        #expect(fixture.record.userTexts.last == "and also add docs")
    }
}
