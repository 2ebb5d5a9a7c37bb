import Foundation
import ParleyTestSupport
import Testing

/// Markdown links as OSC 8 hyperlinks (issue 14, point 4) with the real `claude` and the fake
/// Messages API's `mock-links` reply: parley runs under `script(1)` inside tmux, so the exact bytes
/// it writes can be checked (tmux's screen does not show OSC 8) as well as the screen.
@Suite(.serialized, .timeLimit(.minutes(3))) struct HyperlinkRealCLITests {
    static let open = "\u{1B}]8;;"
    static let end = "\u{1B}\\"
    static let close = "\u{1B}]8;;\u{1B}\\"

    /// The built `parley` with the real CLI under `script`, which copies what parley writes to
    /// `typescript` in the harness's directory; a terminal of 60 columns.
    func start(_ harness: RealHarness, _ arguments: String = "", extra: [String: String]) async throws -> TmuxTerminal {
        var environment = await harness.environment()
        environment["TERM"] = "xterm-256color"
        environment["LANG"] = "C.UTF-8"
        for (key, value) in extra { environment[key] = value }
        let parley = "\(TestBinaries.parley) --claude \(harness.claude)" + (arguments.isEmpty ? "" : " " + arguments)
        let command = "cd \(harness.work) && /usr/bin/script -qfe -c \(TmuxTerminal.quote(parley)) "
            + "\(harness.directory.file("typescript")); echo PARLEY-EXITED"
        let terminal = try TmuxTerminal(command: command, width: 60, height: 30, environment: environment)
        try await terminal.waitFor("parley ›", timeout: .seconds(20))
        return terminal
    }

    func written(_ harness: RealHarness) -> String {
        (try? String(contentsOfFile: harness.directory.file("typescript"), encoding: .utf8)) ?? ""
    }

    func lines(_ screen: String) -> [String] {
        screen.split(separator: "\n", omittingEmptySubsequences: false).map { String($0.reversed().drop(while: { $0 == " " }).reversed()) }
    }

    @Test func aLinkIsAHyperlinkInATerminalThatSupportsThem() async throws {
        let harness = try RealHarness()
        defer { harness.finish() }
        let terminal = try await start(harness, extra: ["TERM_PROGRAM": "WezTerm"])
        defer { terminal.close() }
        terminal.type("links mock-links", enter: true)
        let screen = try await terminal.waitFor("Done.", timeout: .seconds(40))
        let bytes = written(harness)
        // The allowed links: their text carrying the URL, the URL not printed.
        #expect(bytes.contains(Self.open + "https://example.com/docs" + Self.end + "\u{1B}[0;4mthe docs" + Self.close),
                "written: \(bytes.debugDescription)")
        #expect(bytes.contains(Self.open + "mailto:ada@example.com" + Self.end + "\u{1B}[0;4mwrite" + Self.close))
        #expect(bytes.contains(Self.open + "https://example.com/same" + Self.end + "\u{1B}[0;4mhttps://example.com/same" + Self.close))
        // The refused ones: no hyperlink, `text (url)`, the hidden escape inert.
        #expect(!bytes.contains(Self.open + "ftp"))
        #expect(!bytes.contains("\u{1B}]0;"), "the title escape never leaves")
        // Rows are broken by the visible text: the links take no columns.
        let shown = lines(screen)
        #expect(shown.contains("See the docs, write, old (ftp://example.com/f), evil"), "screen:\n\(screen)")
        #expect(shown.contains("(https://example.com/␛]0;…x) and https://example.com/same."), "screen:\n\(screen)")
        #expect(!screen.contains("(https://example.com/docs)") && !screen.contains("(mailto:"), "screen:\n\(screen)")
        #expect(TerminalTakeover(terminal).title != "PWNED-TITLE")
        try await quitParley(terminal)
    }

    @Test func withoutColourOrInAnotherTerminalALinkIsTextThenURL() async throws {
        for (arguments, extra) in [("--hyperlinks on", ["TERM_PROGRAM": "WezTerm", "NO_COLOR": "1"]),
                                   ("", ["TERM_PROGRAM": "unknown-terminal"]),
                                   ("--hyperlinks off", ["TERM_PROGRAM": "WezTerm"])] {
            let harness = try RealHarness()
            defer { harness.finish() }
            let terminal = try await start(harness, arguments, extra: extra)
            defer { terminal.close() }
            terminal.type("links mock-links", enter: true)
            let screen = try await terminal.waitFor("Done.", timeout: .seconds(40))
            #expect(lines(screen).contains("See the docs (https://example.com/docs), write"), "\(arguments) \(extra): screen:\n\(screen)")
            #expect(screen.contains("(mailto:ada@example.com)"), "\(arguments) \(extra): screen:\n\(screen)")
            #expect(!written(harness).contains("\u{1B}]8;"), "\(arguments) \(extra): no OSC 8")
            try await quitParley(terminal)
        }
    }

    @Test func aScriptNeverGetsHyperlinksEvenOnATerminal() async throws {
        let harness = try RealHarness()
        defer { harness.finish() }
        let input = harness.directory.file("input.txt")
        #expect(FileManager.default.createFile(atPath: input, contents: Data("links mock-links\n".utf8)))
        let typescript = harness.directory.file("typescript")
        // stdin a file, stdout and stderr the terminal `script` gives: scripted mode, colour on.
        let parley = "cd \(harness.work) && \(TestBinaries.parley) --claude \(harness.claude) --hyperlinks on < \(input)"
        var environment = await harness.environment(["TERM_PROGRAM": "WezTerm", "LANG": "C.UTF-8"])
        environment["TERM"] = "xterm-256color"
        let outcome = try await runProgram("/usr/bin/script", arguments: ["-qfe", "-c", parley, typescript],
                                           environment: environment, timeout: 90)
        let bytes = written(harness)
        #expect(outcome.status == 0, "typescript: \(bytes)")
        // The reply as written (made inert on a terminal), no hyperlink, no OSC of any kind.
        #expect(bytes.contains("See [the docs](https://example.com/docs), [write](mailto:ada@example.com)"), "typescript: \(bytes.debugDescription)")
        #expect(!bytes.contains("\u{1B}]"), "typescript: \(bytes.debugDescription)")

        // Into a pipe: the reply exactly as written, no hyperlink.
        let piped = try await harness.parley("links mock-links\n", ["--hyperlinks", "on"], environment: ["TERM_PROGRAM": "WezTerm"])
        #expect(piped.status == 0, "stderr: \(piped.stderr)")
        #expect(piped.stdout.contains("See [the docs](https://example.com/docs), [write](mailto:ada@example.com)"), "stdout: \(piped.stdout)")
        #expect(!piped.stdout.contains("\u{1B}]8;") && !piped.stderr.contains("\u{1B}"))
    }
}
