import Foundation
import ParleyTestSupport
import Testing

/// Issue 15, points 1 and 4, at the keyboard: `parley --resume` asks which conversation in a
/// terminal, a resumed conversation's hostile text is shown inert, `/resume N` switches, and
/// `/copy` puts the answer on the terminal's clipboard (OSC 52, caught by tmux).
extension RealCLI {
    @Suite struct ConversationsInteractive {
        static let title = "conv-test-title"

        @Test func resumePickerShowsTheLastTurnsInertAndCopyUsesTheClipboard() async throws {
            let harness = try RealHarness()
            defer { harness.finish() }
            // A conversation whose prompt and answer would set the title and the clipboard.
            let hostile = "alpha \u{1B}]0;PWNED\u{07} title \u{1B}]52;c;UFdORUQ=\u{07} end"
            #expect(try await harness.parley(hostile + "\n").status == 0)
            var environment = await harness.environment()
            environment["TERM"] = "xterm-256color"
            environment["LANG"] = "C.UTF-8"
            let ready = harness.directory.file("ready")
            let terminal = try TmuxTerminal(
                command: "while [ ! -e \(ready) ]; do sleep 0.05; done && printf '\\033]0;\(Self.title)\\007' && "
                    + "cd \(harness.work) && \(TestBinaries.parley) --claude \(harness.claude) --resume; echo PARLEY-EXITED",
                width: 120, height: 40, environment: environment)
            defer { terminal.close() }
            terminal.catchClipboardWrites()
            #expect(FileManager.default.createFile(atPath: ready, contents: nil))

            let list = try await terminal.waitFor("resume which conversation? [1-1, Enter for a new one]", timeout: .seconds(20))
            #expect(list.contains(" 1. ") && list.contains("alpha ␛]0;… title ␛]52;… end  1 turn · "), "screen:\n\(list)")
            terminal.type("1", enter: true)
            let screen = try await terminal.waitFor(timeout: .seconds(30)) { $0.contains("parley ›") && $0.contains("Echo: alpha") }
            #expect(screen.contains("› alpha ␛]0;… title ␛]52;… end\nEcho: alpha ␛]0;… title ␛]52;… end"), "screen:\n\(screen)")
            usleep(300_000)
            let seen = TerminalTakeover(terminal)
            #expect(seen.takeovers(expectedTitle: Self.title).isEmpty, "\(seen)")

            // The conversation continues: the next request carries the resumed turn.
            terminal.type("copy me", enter: true)
            try await terminal.waitFor("Echo: copy me", timeout: .seconds(30))
            let last = APIRequest.allTexts(try #require(harness.api.mainRequests.last))
            #expect(last.contains(hostile), "\(last)")

            // /copy: OSC 52 reaches the terminal's clipboard, and Parley says so.
            terminal.type("/copy", enter: true)
            try await terminal.waitFor("● copied the last answer (13 characters) to the clipboard (OSC 52)")
            #expect(terminal.tmuxOutput("show-buffer") == "Echo: copy me", "buffers: \(terminal.tmuxOutput("list-buffers"))")

            // /new, then /resume N switches back and shows where the conversation was.
            terminal.type("/new", enter: true)
            terminal.type("fresh start", enter: true)
            try await terminal.waitFor("Echo: fresh start", timeout: .seconds(30))
            terminal.type("/resume", enter: true)
            let rows = try await terminal.waitFor("/resume N or /resume ID switches to one")
            #expect(rows.contains("fresh start  1 turn · ") && rows.contains("(current)"), "screen:\n\(rows)")
            terminal.type("/resume 2", enter: true)
            try await terminal.waitFor("› copy me\nEcho: copy me")
            terminal.type("third", enter: true)
            try await terminal.waitFor("Echo: third", timeout: .seconds(30))
            let third = APIRequest.allTexts(try #require(harness.api.mainRequests.last))
            #expect(third.contains("copy me") && !third.contains("fresh start"), "\(third)")
            try await quitParley(terminal)
        }
    }
}
