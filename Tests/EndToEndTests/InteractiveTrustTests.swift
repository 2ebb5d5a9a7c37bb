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

    @Test func typingAheadNeverAnswersAPermissionQuestion() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let terminal = try await fixture.start()
        defer { terminal.close() }
        // The question arrives while the next message is being typed: its `y`, its `a`, and
        // Enter on it must not answer.
        terminal.type("write it fc:permission=Write fc:delay=300", enter: true)
        terminal.typeLikeAPerson("you should also add a test")
        try await terminal.waitFor("allow? [y/n/a]")
        #expect(terminal.cursorLine().contains("› you should also add a test"), "line: \(terminal.cursorLine())")
        #expect(permissionAnswers(fixture).isEmpty, "type-ahead answered: \(permissionAnswers(fixture))")
        terminal.send("Enter")
        try await terminal.waitFor("queued (1): you should also add a test")
        usleep(300_000)
        #expect(permissionAnswers(fixture).isEmpty, "Enter on a typed line answered: \(permissionAnswers(fixture))")
        #expect(terminal.screen().contains("Allow Write("))
        // A deliberate key on the empty line, once the question has been visible, answers.
        usleep(700_000)
        terminal.type("y")
        try await terminal.waitFor("  allowed")
        try await terminal.waitFor("Echo: you should also add a test", timeout: .seconds(15))
        #expect(permissionAnswers(fixture) == ["allow"])
        #expect(fixture.record.userTexts == ["write it fc:permission=Write fc:delay=300", "you should also add a test"])
    }

    @Test func aHalfTypedLineSurvivesAQuestionIntact() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let terminal = try await fixture.start()
        defer { terminal.close() }
        terminal.type("write it fc:permission=Write fc:delay=300", enter: true)
        terminal.typeLikeAPerson("and also add")
        try await terminal.waitFor("allow? [y/n/a]")
        usleep(900_000)
        // Pausing on a half-typed line and pressing a answer key types it: the line is text.
        terminal.type("a")
        usleep(300_000)
        #expect(permissionAnswers(fixture).isEmpty, "a key on a typed line answered: \(permissionAnswers(fixture))")
        #expect(terminal.cursorLine().contains("› and also adda"), "line: \(terminal.cursorLine())")
        terminal.send("BSpace")
        terminal.typeLikeAPerson(" docs")
        terminal.send("Enter")
        try await terminal.waitFor("queued (1): and also add docs")
        usleep(700_000)
        terminal.type("n")
        try await terminal.waitFor("reason for no")
        terminal.type("not now", enter: true)
        try await terminal.waitFor("  denied")
        try await terminal.waitFor("Echo: and also add docs", timeout: .seconds(15))
        #expect(permissionAnswers(fixture) == ["deny"])
        #expect(fixture.record.userTexts.last == "and also add docs")
    }

    /// The reply's words as the scrollback holds them: every token of the rows that show
    /// numbered words (`w001`), between the model line and the turn footer.
    static func numberedWords(in screen: String) -> [String] {
        let lines = screen.split(separator: "\n").map(String.init)
        guard let start = lines.firstIndex(where: { $0.hasPrefix("● model") }) else { return [] }
        let end = lines[start...].firstIndex { $0.hasPrefix("─ ") } ?? lines.endIndex
        return lines[(start + 1)..<end]
            .filter { $0.contains(/\bw\d{3}\b/) }
            .flatMap { $0.split(whereSeparator: \.isWhitespace).map(String.init) }
    }

    static func expectedWords(_ count: Int) -> [String] {
        (1...count).map { String(format: "w%03d", $0) }
    }

    @Test func feedbackDuringAStreamAppearsAtOnceAndTheReplyStaysWhole() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let terminal = try await fixture.start()
        defer { terminal.close() }
        // One long paragraph: its line never ends until the turn does.
        terminal.type("stream fc:numbered=300 fc:slow=40", enter: true)
        try await terminal.waitFor("w020")
        let checks: [(keys: String, shows: String)] = [
            ("next one", "queued (1): next one"),
            ("/queue", "1. next one"),
            ("/status", "queue 1"),
            ("/queue drop 1", "dropped 1: next one"),
        ]
        for check in checks {
            terminal.type(check.keys, enter: true)
            let screen = try await terminal.waitFor(check.shows, timeout: .seconds(2))
            #expect(!screen.contains("─ "), "the turn had already ended: the check proves nothing")
        }
        terminal.send("C-d")
        let warnedScreen = try await terminal.waitFor("press Ctrl-D again to quit", timeout: .seconds(2))
        #expect(!warnedScreen.contains("─ "))
        try await terminal.waitFor(timeout: .seconds(40)) { $0.contains("─ ") }
        #expect(Self.numberedWords(in: terminal.screen(history: 500)) == Self.expectedWords(300),
                "screen:\n\(terminal.screen(history: 500))")
        #expect(fixture.record.userTexts == ["stream fc:numbered=300 fc:slow=40"])
        #expect(!terminal.hasExited)
    }

    @Test func resizesDuringAStreamKeepEveryWordOnceInOrder() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let terminal = try await fixture.start()
        defer { terminal.close() }
        terminal.type("stream fc:numbered=240 fc:slow=30", enter: true)
        try await terminal.waitFor("w010")
        for (width, pause) in [(60, 0.5), (100, 0.4), (45, 0.3), (120, 0.5), (70, 0.2), (100, 0.6)] {
            terminal.resize(width: width, height: 30)
            usleep(useconds_t(pause * 1_000_000))
        }
        try await terminal.waitFor(timeout: .seconds(40)) { $0.contains("─ ") }
        let scrollback = terminal.screen(history: 500)
        #expect(Self.numberedWords(in: scrollback) == Self.expectedWords(240), "scrollback:\n\(scrollback)")
        // At the idle prompt a narrow-then-wide resize leaves exactly one prompt row.
        terminal.resize(width: 50, height: 30)
        usleep(400_000)
        terminal.resize(width: 100, height: 30)
        usleep(600_000)
        let idle = terminal.screen(history: 500)
        let afterFooter = idle.split(separator: "\n").map(String.init).drop { !$0.hasPrefix("─ ") }
        #expect(afterFooter.filter { $0.contains("parley ›") }.count == 1, "screen:\n\(idle)")
        terminal.type("still fine", enter: true)
        try await terminal.waitFor("Echo: still fine")
    }

    /// A line that wraps at the narrow width puts the edit area at the screen's top-left corner,
    /// where an erase (`ED`) is a whole-screen clear to tmux, which scrolled the prompt into its
    /// history (`scroll-on-clear`): a stale prompt row came back into view on widening and stayed in
    /// the scrollback (two more were left there at start-up).
    @Test func resizesAtTheIdlePromptLeaveOnePromptRowInTheScrollback() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let terminal = try await fixture.start()
        defer { terminal.close() }
        try await terminal.waitFor("● claude started")
        let line = "xxxxxxxxxx yyyyyyyyyy zzzzzzzzzz wwwwwwwwww vvvvvvvvvv"
        terminal.type(line)
        try await terminal.waitFor { _ in terminal.cursorLine().contains("vvvvvvvvvv") }
        for width in [40, 60, 40, 120, 45, 100] {
            terminal.resize(width: width, height: 30)
            usleep(150_000)
        }
        usleep(500_000)
        let scrollback = terminal.screen(history: 10_000)
        #expect(scrollback.split(separator: "\n").filter { $0.contains("parley ›") }.count == 1, "scrollback:\n\(scrollback)")
        terminal.send("Enter")
        try await terminal.waitFor("Echo: \(line)")
        #expect(fixture.record.userTexts == [line])
    }

    /// Ctrl-D asks twice only while work runs: a `claude` still starting (here one that never
    /// answers `initialize`) is no reason to keep the user from quitting.
    @Test func ctrlDQuitsAtOnceWhileClaudeIsStillStarting() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let terminal = try await fixture.start(extra: ["FAKE_CLAUDE_HOSTILE": "silent"])
        defer { terminal.close() }
        try await terminal.waitFor("● claude started")
        terminal.send("C-d")
        let screen = try await terminal.waitFor("PARLEY-EXITED", timeout: .seconds(15))
        #expect(!screen.contains("press Ctrl-D again"), "screen:\n\(screen)")
    }

    @Test func aPastedBlockThatStartsWithASlashIsOneMessage() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let terminal = try await fixture.start()
        defer { terminal.close() }
        terminal.paste("/status\nwhy does this path fail?\n/usr/lib/x")
        usleep(300_000)
        terminal.send("Enter")
        let screen = try await terminal.waitFor("Echo: /status", timeout: .seconds(15))
        #expect(fixture.record.userTexts == ["/status\nwhy does this path fail?\n/usr/lib/x"])
        #expect(!screen.contains("restarts 0"), "the paste ran /status")
    }

    @Test func aContinuationKeepsItsLinesThroughHistoryRecall() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let terminal = try await fixture.start()
        defer { terminal.close() }
        terminal.type("earlier message", enter: true)
        try await terminal.waitFor("Echo: earlier message")
        terminal.typeLikeAPerson("first line\\", interval: 0.03)
        terminal.send("Enter")
        // The next line has a continuation prompt under the first one.
        let screen = try await terminal.waitFor { _ in terminal.cursorLine().hasPrefix("       …") }
        #expect(screen.contains("parley › first line\\"))
        terminal.typeLikeAPerson("draft", interval: 0.03)
        terminal.send("Up")  // recalls into this line only
        try await terminal.waitFor { _ in terminal.cursorLine().contains("… earlier message") }
        terminal.send("C-u")
        terminal.typeLikeAPerson("second line", interval: 0.03)
        terminal.send("Enter")
        try await terminal.waitFor("Echo: first line")
        #expect(fixture.record.userTexts.last == "first line\nsecond line")
    }

    /// Shift-Tab as a terminal sends it, the raw bytes `ESC [ Z` (not tmux's key name), in the
    /// middle of a line: it switches the permission mode and puts nothing on the line.
    @Test func shiftTabTypesNothing() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let terminal = try await fixture.start()
        defer { terminal.close() }
        terminal.type("abc")
        try await terminal.waitFor { _ in terminal.cursorLine().contains("› abc") }
        terminal.sendBytes([0x1B, 0x5B, 0x5A])
        try await terminal.waitFor("● permission mode acceptEdits")
        #expect(terminal.cursorLine().hasSuffix("› abc"), "cursor line: \(terminal.cursorLine())")
        terminal.type("def", enter: true)
        try await terminal.waitFor("Echo: abcdef")
        #expect(fixture.record.userTexts == ["abcdef"])
    }

    @Test func ctrlRSearchesTheHistoryWithAPromptThatSaysSo() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let terminal = try await fixture.start()
        defer { terminal.close() }
        for text in ["alpha one", "beta two"] {
            terminal.type(text, enter: true)
            try await terminal.waitFor("Echo: \(text)")
        }
        terminal.send("C-r")
        terminal.typeLikeAPerson("alp", interval: 0.05)
        try await terminal.waitFor { _ in terminal.cursorLine().contains("search history: alp › alpha one") }
        terminal.send("Enter")
        try await terminal.waitFor { _ in fixture.record.userTexts.count == 3 }
        #expect(fixture.record.userTexts.last == "alpha one")
        try await terminal.waitFor { _ in terminal.cursorLine().hasPrefix("parley ›") }
    }

    @Test func editingNeverSplitsAnEmojiSequence() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let terminal = try await fixture.start()
        defer { terminal.close() }
        terminal.type("a👩‍💻b👩‍💻c")
        usleep(200_000)
        for key in ["Left", "Left", "BSpace", "Home", "Right", "Right", "Right", "BSpace"] {
            terminal.send(key)
            usleep(80_000)
        }
        terminal.send("Enter")
        try await terminal.waitFor { _ in fixture.record.userTexts.count == 1 }
        // Each Left/Right/Backspace took a whole 👩‍💻 (three scalars), never a piece of it.
        #expect(fixture.record.userTexts == ["a👩‍💻c"])
    }

    /// libedit cannot draw 👩‍💻 whole (its display keeps one character per cell), so the edit line
    /// shows its two pictures, 👩 and 💻, always in the columns libedit counts: before, typing wrote
    /// the joiner through and the terminal drew the emoji in 2 columns where libedit counted 4, so
    /// the next edits drew pieces of it twice (`a👩‍💻💻👩💻c`). The text sent keeps the joiner.
    @Test func anEmojiSequenceIsDrawnOnceWhileTheLineIsEdited() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let terminal = try await fixture.start()
        defer { terminal.close() }
        func expectLine(_ expected: String, after keys: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
            try await terminal.waitFor(awaiting: "“\(expected)” after \(keys)", timeout: .seconds(3),
                                       sourceLocation: sourceLocation) { _ in
                terminal.cursorLine().trimmingCharacters(in: .whitespaces) == expected
            }
        }
        terminal.type("a👩‍💻b👩‍💻c")
        try await expectLine("parley › a👩💻b👩💻c", after: "typing")
        for key in ["Left", "Left", "BSpace"] {
            terminal.send(key)
            usleep(80_000)
        }
        try await expectLine("parley › a👩💻👩💻c", after: "Left Left Backspace")
        terminal.type("X")
        try await expectLine("parley › a👩💻X👩💻c", after: "X")
        for key in ["Home", "Right", "Right"] {
            terminal.send(key)
            usleep(80_000)
        }
        terminal.type("Y")
        try await expectLine("parley › a👩💻YX👩💻c", after: "Home Right Right Y")
        terminal.paste("👩‍💻")
        try await expectLine("parley › a👩💻Y👩💻X👩💻c", after: "a paste")
        terminal.send("Enter")
        try await terminal.waitFor { _ in fixture.record.userTexts.count == 1 }
        #expect(fixture.record.userTexts == ["a👩‍💻Y👩‍💻X👩‍💻c"])
    }

    @Test func helpIsAlignedAndWrapsAtWords() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        // After a first turn, so that claude's own commands (from its initialize answer) are known.
        let piped = try await runProgram(TestBinaries.parley, stdin: "hello\n/help\n", environment: fixture.environment(),
                                   workingDirectory: fixture.directory.path)
        let pipedHelp = piped.stderr.components(separatedBy: "\n").drop { !$0.hasPrefix("/help, /?") }
        let expectedTokens = pipedHelp.joined(separator: "\n").split(whereSeparator: \.isWhitespace).map(String.init)
        let terminal = try await fixture.start()
        defer { terminal.close() }
        terminal.resize(width: 64, height: 40)
        terminal.type("hello", enter: true)
        try await terminal.waitFor("Echo: hello")
        terminal.type("/help", enter: true)
        // The keys line ends the help.
        let screen = try await terminal.waitFor(awaiting: "the help's last words") {
            $0.split(whereSeparator: \.isWhitespace).joined(separator: " ").contains("Ctrl-R searches history")
        }
        let lines = screen.split(separator: "\n").map(String.init)
        let start = try #require(lines.firstIndex { $0.hasPrefix("/help, /?") })
        let end = try #require(lines.lastIndex { $0.hasSuffix("searches history") })
        let help = Array(lines[start...end])
        // Every word whole: the same words as the help written to a pipe. claude's own commands
        // are left out: in the terminal claude has started and described them, in the pipe not yet.
        func withoutClaudesCommands(_ tokens: [String]) -> [String] {
            guard let from = tokens.firstIndex(of: "/):"), let to = tokens.firstIndex(of: "Keys:"), from < to else { return tokens }
            return Array(tokens[...from] + tokens[to...])
        }
        #expect(withoutClaudesCommands(help.flatMap { $0.split(whereSeparator: \.isWhitespace).map(String.init) })
                    == withoutClaudesCommands(expectedTokens),
                "help:\n\(help.joined(separator: "\n"))")
        // The summaries of Parley's commands start in one column.
        let ownRows = help.prefix { !$0.hasPrefix("claude's own commands") }
        let columns = Set(ownRows.filter { $0.hasPrefix("/") }.compactMap { row in
            row.firstRange(of: /\ \ +\S/).map { row.distance(from: row.startIndex, to: $0.upperBound) - 1 }
        })
        #expect(columns.count == 1, "help:\n\(help.joined(separator: "\n"))")
    }
}
