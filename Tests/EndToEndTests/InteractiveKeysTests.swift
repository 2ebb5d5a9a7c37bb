import Foundation
import ParleyTestSupport
import Testing

/// The keys Claude Code users know, pressed in a real terminal (tmux) against the built
/// `parley` and `fake-claude`: Esc, Shift-Tab, Up with messages queued, `/queue edit N`.
@Suite(.serialized, .timeLimit(.minutes(3))) struct InteractiveKeysTests {
    typealias Fixture = InteractiveTests.Fixture

    @Test func escInterruptsARunningTurnKeepingTheLineWhileAltKeysStillEdit() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let terminal = try await fixture.startDuringALongReply()
        defer { terminal.close() }
        // Alt-b (ESC b in one write) during the turn moves back a word: it does not interrupt.
        terminal.type("one two")
        terminal.send("M-b")
        terminal.type("X")
        try await terminal.waitFor(awaiting: "Alt-b to have moved back a word") { _ in
            terminal.cursorLine().contains("parley › one Xtwo")
        }
        #expect(!terminal.screen().contains("interrupted"))
        // Esc alone interrupts the turn; the half-typed line stays.
        terminal.send("Escape")
        try await terminal.waitFor("⏹ interrupted")
        #expect(terminal.cursorLine().contains("parley › one Xtwo"), "cursor line: \(terminal.cursorLine())")
        terminal.send("C-e")
        terminal.type(" sent", enter: true)
        try await terminal.waitFor("Echo: one Xtwo sent")
        #expect(fixture.record.starts.count == 1)
    }

    @Test func shiftTabCyclesThePermissionMode() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let terminal = try await fixture.start()
        defer { terminal.close() }
        terminal.type("hello", enter: true)
        try await terminal.waitFor("Echo: hello")
        for mode in ["acceptEdits", "plan", "default"] {
            terminal.send("BTab")
            try await terminal.waitFor("● permission mode \(mode)")
        }
        let modes = fixture.record.stdinLines.filter { $0["request"]?["subtype"] == "set_permission_mode" }
            .compactMap { $0["request"]?["mode"]?.stringValue }
        #expect(modes == ["acceptEdits", "plan", "default"])
        // Nothing was typed onto the line.
        #expect(terminal.cursorLine().trimmingCharacters(in: .whitespaces) == "parley ›", "cursor line: \(terminal.cursorLine())")
    }

    @Test func upOnAnEmptyPromptAndQueueEditTakeQueuedMessagesBack() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let terminal = try await fixture.start()
        defer { terminal.close() }
        terminal.type("slow fc:slow=60 fc:words=300", enter: true)
        try await terminal.waitFor("lorem")
        for text in ["alpha", "beta"] { terminal.type(text, enter: true) }
        try await terminal.waitFor("queued (2): beta")
        terminal.send("Up")
        try await terminal.waitFor(awaiting: "beta back on the edit line") { _ in
            terminal.cursorLine().contains("parley › beta")
        }
        terminal.type(" changed", enter: true)
        try await terminal.waitFor("queued (2): beta changed")
        terminal.type("/queue edit 1", enter: true)
        try await terminal.waitFor("editing 1")
        try await terminal.waitFor(awaiting: "alpha back on the edit line") { _ in
            terminal.cursorLine().contains("parley › alpha")
        }
        terminal.type(" too", enter: true)
        terminal.type("/queue", enter: true)
        try await terminal.waitFor("2. alpha too")
        #expect(terminal.screen().contains("1. beta changed"))
        terminal.send("C-c")
        try await terminal.waitFor("Echo: alpha too", timeout: .seconds(40))
        #expect(!fixture.record.userTexts.contains("beta") && !fixture.record.userTexts.contains("alpha"))
        #expect(fixture.record.userTexts.contains("beta changed"))
    }
}

/// Large pastes at a real terminal: a label on the edit line, the whole text sent.
@Suite(.serialized, .timeLimit(.minutes(3))) struct InteractivePasteTests {
    typealias Fixture = InteractiveTests.Fixture

    @Test func aLongPasteShowsAsALabelAndIsSentInFull() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let terminal = try await fixture.start()
        defer { terminal.close() }
        let block = (1...120).map { "pasted line \($0)" }.joined(separator: "\n")
        terminal.type("before ")
        terminal.paste(block + "\n")
        try await terminal.waitFor(awaiting: "the paste's label on the edit line") { _ in
            terminal.cursorLine().contains("parley › before [Pasted text #1 +120 lines]")
        }
        // Nothing was sent, the lines were not run one by one, and the prompt is still usable.
        #expect(fixture.record.userTexts.isEmpty)
        #expect(!terminal.screen().contains("pasted line 2"))
        terminal.type(" after")
        terminal.send("C-a")
        terminal.type("start ", enter: true)
        try await terminal.waitFor("Echo: start before pasted line 1")
        #expect(fixture.record.userTexts == ["start before \(block) after"])
    }

    @Test func backspaceRemovesAPastesLabelWhole() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let terminal = try await fixture.start()
        defer { terminal.close() }
        terminal.type("keep ")
        terminal.paste("a\nb\nc\nd\ne")
        try await terminal.waitFor(awaiting: "the paste's label") { _ in
            terminal.cursorLine().contains("parley › keep [Pasted text #1 +5 lines]")
        }
        terminal.send("BSpace")
        try await terminal.waitFor(awaiting: "the label gone whole") { _ in
            terminal.cursorLine().trimmingCharacters(in: .whitespaces) == "parley › keep"
        }
        terminal.type("this", enter: true)
        try await terminal.waitFor("Echo: keep this")
        #expect(fixture.record.userTexts == ["keep this"])
    }
}

/// Ctrl-X Ctrl-E and `/edit` at a real terminal, with `$EDITOR` a script that records what
/// it was given and writes the edited message.
@Suite(.serialized, .timeLimit(.minutes(3))) struct InteractiveExternalEditorTests {
    typealias Fixture = InteractiveTests.Fixture

    /// `EDITOR` as a user would set it (quotes split like a shell): records the file, its mode
    /// and the terminal's mode, then writes two lines.
    static let editor = #"sh -c 'cp "$1" given.txt; stat -c %a "$1" > mode.txt; stty -a > during.txt; printf "edited one\nedited two\n" > "$1"' editor"#

    @Test func ctrlXCtrlEEditsTheLineInTheEditorAndEnterSendsIt() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let terminal = try await fixture.start(extra: ["EDITOR": Self.editor, "VISUAL": ""])
        defer { terminal.close() }
        terminal.type("original text")
        terminal.send("C-x")
        terminal.send("C-e")
        try await terminal.waitFor(awaiting: "the edited text on the edit line") { screen in
            screen.contains("parley › edited one") && terminal.cursorLine().contains("edited two")
        }
        #expect(fixture.file("given.txt") == "original text\n")
        #expect(fixture.file("mode.txt") == "600\n")
        // The editor had a cooked terminal (libedit's raw mode was handed back).
        let during = fixture.file("during.txt")
        #expect(during.contains(" icanon") && during.contains(" echo "), "stty during the editor: \(during)")
        #expect(fixture.record.userTexts.isEmpty)  // not sent until Enter
        terminal.send("Enter")
        try await terminal.waitFor("Echo: edited one")
        #expect(fixture.record.userTexts == ["edited one\nedited two"])
        terminal.send("C-d")
        try await terminal.waitFor("PARLEY-EXITED")
        #expect(fixture.file("stty.before") == fixture.file("stty.after"))
    }

    @Test func slashEditOpensAnEmptyFile() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let terminal = try await fixture.start(extra: ["VISUAL": Self.editor, "EDITOR": "false"])
        defer { terminal.close() }
        terminal.type("/edit", enter: true)
        try await terminal.waitFor(awaiting: "the edited text on the edit line") { _ in
            terminal.cursorLine().contains("edited two")
        }
        #expect(fixture.file("given.txt") == "")
        terminal.send("Enter")
        try await terminal.waitFor("Echo: edited one")
        #expect(fixture.record.userTexts == ["edited one\nedited two"])
    }

    @Test func aFailingEditorLeavesTheLineAlone() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let terminal = try await fixture.start(extra: ["EDITOR": "false", "VISUAL": ""])
        defer { terminal.close() }
        terminal.type("keep me")
        terminal.send("C-x")
        terminal.send("C-e")
        try await terminal.waitFor("the editor “false” exited with status 1: the line is unchanged")
        #expect(terminal.cursorLine().contains("parley › keep me"))
    }
}

/// Tab at a real terminal: commands with their descriptions, custom commands, paths.
@Suite(.serialized, .timeLimit(.minutes(3))) struct InteractiveCompletionTests {
    typealias Fixture = InteractiveTests.Fixture

    func makeProject(in fixture: Fixture) throws {
        let manager = FileManager.default
        let root = fixture.directory.path
        try manager.createDirectory(atPath: root + "/.claude/commands", withIntermediateDirectories: true)
        try "---\ndescription: Ship the \u{1B}[31mbuild\n---\nDeploy $ARGUMENTS\n".write(toFile: root + "/.claude/commands/deploy.md", atomically: true, encoding: .utf8)
        try "Publish the docs\n".write(toFile: root + "/.claude/commands/deploy-docs.md", atomically: true, encoding: .utf8)
        try manager.createDirectory(atPath: root + "/sources/parley", withIntermediateDirectories: true)
        for file in ["sources/parley/main.swift", "sources/parley/model.swift", "notes.txt", "build.log", "buildscript.sh"] {
            try "x\n".write(toFile: root + "/" + file, atomically: true, encoding: .utf8)
        }
        try "*.log\n".write(toFile: root + "/.gitignore", atomically: true, encoding: .utf8)
    }

    @Test func tabListsCommandsWithTheirDescriptionsAndCompletesCustomCommands() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        try makeProject(in: fixture)
        let terminal = try await fixture.start()
        defer { terminal.close() }
        try await terminal.waitFor("● claude started")
        try await Task.sleep(for: .milliseconds(500))  // initialize has answered
        terminal.type("/co")
        terminal.send("Tab")
        // Parley's own /context with its summary, claude's /cost with the description its initialize gave.
        let screen = try await terminal.waitFor("Show the total cost and duration")
        #expect(screen.contains("/context") && screen.contains("how full the conversation's context is"), "\(screen)")
        terminal.send("C-u")
        terminal.type("/re")
        terminal.send("Tab")
        try await terminal.waitFor("restart claude; the conversation continues unless --fresh")
        terminal.send("C-u")
        terminal.type("/dep")
        terminal.send("Tab")
        try await terminal.waitFor(awaiting: "the custom commands' common prefix") { _ in
            terminal.cursorLine().contains("parley › /deploy")
        }
        terminal.send("Tab")
        let listed = try await terminal.waitFor("Publish the docs")
        #expect(listed.contains("Ship the ␛[31mbuild"), "the description is shown inert: \(listed)")
    }

    /// The `list_models` requests `claude` was sent.
    static func modelCatalogRequests(_ fixture: Fixture) -> Int {
        fixture.record.stdinLines.filter { $0["type"] == "control_request" && $0["request"]?["subtype"] == "list_models" }.count
    }

    /// `/model` completes from the CLI's catalog with descriptions, asked for once per run of
    /// Parley: not again when `claude` restarts.
    @Test func modelNamesComeFromTheCatalogAskedOncePerRun() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let terminal = try await fixture.start()
        defer { terminal.close() }
        try await terminal.waitFor("● claude started")
        try await terminal.waitFor(awaiting: "sonnet listed with its description") { _ in
            terminal.send("C-u")
            terminal.type("/model ")
            terminal.send("Tab")
            usleep(200_000)
            return terminal.screen().split(separator: "\n").contains { $0.hasPrefix("sonnet ") && $0.hasSuffix("Sonnet 5.5 · Efficient for routine tasks") }
        }
        terminal.send("C-u")
        terminal.type("/restart", enter: true)
        try await terminal.waitFor(awaiting: "claude started again") { $0.components(separatedBy: "● claude started").count == 3 }
        terminal.type("/model h")
        terminal.send("Tab")
        try await terminal.waitFor(awaiting: "the model completed") { _ in terminal.cursorLine() == "parley › /model haiku" }
        // The second claude writes its record of starting a moment after Parley says it started.
        try await terminal.waitFor(awaiting: "two starts of claude recorded") { _ in fixture.record.starts.count == 2 }
        #expect(Self.modelCatalogRequests(fixture) == 1)
    }

    /// A CLI that does not answer `list_models`: the names of its `initialize` answer.
    @Test func withoutTheCatalogTheInitializeNamesAreOffered() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let terminal = try await fixture.start(extra: ["FAKE_CLAUDE_NO_LIST_MODELS": "1"])
        defer { terminal.close() }
        try await terminal.waitFor("● claude started")
        try await terminal.waitFor(awaiting: "the catalog asked for and refused") { _ in Self.modelCatalogRequests(fixture) == 1 }
        terminal.type("/model ")
        terminal.send("Tab")
        let screen = try await terminal.waitFor("haiku")
        let row = screen.split(separator: "\n").first { $0.hasPrefix("default ") }.map(String.init) ?? ""
        #expect(row.contains("sonnet") && row.contains("opus") && row.contains("haiku") && !row.contains("Efficient"), "screen:\n\(screen)")
        terminal.type("s")
        terminal.send("Tab")
        try await terminal.waitFor(awaiting: "the model completed") { _ in terminal.cursorLine() == "parley › /model sonnet" }
    }

    @Test func tabCompletesPathsAfterAtAndInShellCommands() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        try makeProject(in: fixture)
        let terminal = try await fixture.start()
        defer { terminal.close() }
        terminal.type("look at @sou")
        terminal.send("Tab")
        try await terminal.waitFor(awaiting: "the directory completed with a slash") { _ in
            terminal.cursorLine().hasSuffix("look at @sources/")
        }
        terminal.type("parley/mai")
        terminal.send("Tab")
        try await terminal.waitFor(awaiting: "the file completed") { _ in
            terminal.cursorLine().contains("look at @sources/parley/main.swift")
        }
        terminal.send("C-u")
        terminal.type("@bld")  // fuzzy: b…l…d
        terminal.send("Tab")
        let screen = try await terminal.waitFor("buildscript.sh")
        // The ignored file comes after the others in the list.
        let row = screen.split(separator: "\n").last { $0.contains("buildscript.sh") }.map(String.init) ?? ""
        let script = try #require(row.range(of: "@buildscript.sh"))
        let log = try #require(row.range(of: "@build.log"), "row: \(row)")
        #expect(script.lowerBound < log.lowerBound, "row: \(row)")
        terminal.send("C-u")
        terminal.type("!cat no")
        terminal.send("Tab")
        try await terminal.waitFor(awaiting: "a path in a ! command") { _ in
            terminal.cursorLine().contains("!cat notes.txt")
        }
    }
}

/// `/btw` at a real terminal against `fake-claude`: answered during a turn, kept aside.
@Suite(.serialized, .timeLimit(.minutes(3))) struct InteractiveSideQuestionTests {
    typealias Fixture = InteractiveTests.Fixture

    @Test func btwIsAnsweredDuringATurnAndIsNoMessage() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let terminal = try await fixture.start()
        defer { terminal.close() }
        terminal.type("slow fc:slow=60 fc:words=200", enter: true)
        try await terminal.waitFor("lorem")
        terminal.type("/btw what is two plus two?", enter: true)
        let screen = try await terminal.waitFor("│ Aside answer to: what is two plus two?")
        #expect(screen.contains("✻ aside (not part of the conversation)"))
        #expect(!screen.contains("─ "), "answered while the turn still runs: \(screen)")
        #expect(!screen.contains("queued ("))
        let asked = fixture.record.stdinLines.filter { $0["request"]?["subtype"] == "side_question" }
        #expect(asked.map { $0["request"]?["question"]?.stringValue } == ["what is two plus two?"])
        #expect(fixture.record.userTexts == ["slow fc:slow=60 fc:words=200"])
    }
}

/// vi keys at a real terminal: from `editing_mode = "vi"` or the user's `~/.editrc`, with the
/// mode in the prompt.
@Suite(.serialized, .timeLimit(.minutes(3))) struct InteractiveViModeTests {
    typealias Fixture = InteractiveTests.Fixture

    @Test func editingModeViShowsTheModeInThePromptAndEditsTheVIWay() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        try FileManager.default.createDirectory(atPath: fixture.directory.file("config/parley"), withIntermediateDirectories: true)
        try "editing_mode = \"vi\"\n".write(toFile: fixture.directory.file("config/parley/config.toml"), atomically: true, encoding: .utf8)
        let terminal = try await fixture.start()
        defer { terminal.close() }
        try await terminal.waitFor(awaiting: "the insert-mode marker") { _ in terminal.cursorLine().contains("[I] parley ›") }
        terminal.type("hello world")
        terminal.send("Escape")
        try await terminal.waitFor(awaiting: "the normal-mode marker") { _ in terminal.cursorLine().contains("[N] parley › hello world") }
        terminal.type("b")
        terminal.type("i")
        try await terminal.waitFor(awaiting: "insert mode again") { _ in terminal.cursorLine().contains("[I] parley › hello world") }
        terminal.type("big ", enter: true)
        try await terminal.waitFor("Echo: hello big world")
        #expect(fixture.record.userTexts == ["hello big world"])
        try await terminal.waitFor(awaiting: "a new line in insert mode") { _ in
            terminal.cursorLine().trimmingCharacters(in: .whitespaces) == "[I] parley ›"
        }
    }

    @Test func theUsersEditrcIsHonoured() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        try "bind -v\n".write(toFile: fixture.directory.file(".editrc"), atomically: true, encoding: .utf8)
        let terminal = try await fixture.start()
        defer { terminal.close() }
        try await terminal.waitFor(awaiting: "vi mode from ~/.editrc") { _ in terminal.cursorLine().contains("[I] parley ›") }
        // Parley's own keys survive the keymap reset: Enter still sends.
        terminal.type("from editrc", enter: true)
        try await terminal.waitFor("Echo: from editrc")
    }
}

/// `/btw` in a script: answered before the next line, never a message.
@Suite(.timeLimit(.minutes(2))) struct PipedSideQuestionTests {
    @Test func aScriptedBtwIsAnsweredBeforeTheNextLine() async throws {
        let fixture = PipedFixture()
        defer { fixture.directory.remove() }
        let outcome = try await fixture.run("/btw how far is the moon?\nhello\n")
        let all = outcome.stdout + outcome.stderr
        #expect(all.contains("│ Aside answer to: how far is the moon?"), "output: \(all)")
        let lines = fixture.record.stdinLines
        let asked = try #require(lines.firstIndex { $0["request"]?["subtype"] == "side_question" })
        let sent = try #require(lines.firstIndex { $0["type"] == "user" })
        #expect(asked < sent)
        #expect(fixture.record.userTexts == ["hello"])
    }
}
