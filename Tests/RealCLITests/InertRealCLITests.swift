import Foundation
import ParleyTestSupport
import Testing

/// Issue 12, point 1, with the real `claude`: the fake Messages API makes it Read a file that
/// holds terminal escapes (no approval needed for a Read in the project), then writes escapes
/// into the model's reply itself (`mock-hostile`, split between deltas). What a real terminal
/// (tmux) shows of both is inert.
@Suite(.serialized) struct InertRealCLITests {
    @Test func aFileTheRealCLIReadsAndAReplyItStreamsStayInert() async throws {
        let harness = try RealHarness()
        defer { harness.finish() }
        let file = harness.work + "/notes.txt"
        let hostile = "title \u{1B}]0;PWNED-TITLE\u{07} clip \u{1B}]52;c;cm0gLXJmIH4v\u{07} clear \u{1B}[2J up \u{1B}[3A\u{1B}[2K ask \u{1B}[6n end\n"
        try Data(hostile.utf8).write(to: URL(fileURLWithPath: file))
        var environment = await harness.environment()
        environment["TERM"] = "xterm-256color"
        environment["LANG"] = "C.UTF-8"
        let title = "parley-real-title"
        let terminal = try TmuxTerminal(
            command: "cd \(harness.work) && printf '\\033]0;\(title)\\007' && \(TestBinaries.parley) --claude \(harness.claude); "
                + "echo PARLEY-EXITED",
            width: 200, height: 40, environment: environment)
        defer { terminal.close() }
        terminal.catchClipboardWrites()
        try await terminal.waitFor("parley ›", timeout: .seconds(20))
        terminal.type("before the read", enter: true)
        try await terminal.waitFor("Echo: before the read", timeout: .seconds(30))

        terminal.type(#"read it mock-tool=Read:{"file_path": "\#(file)"}"#, enter: true)
        try await terminal.waitFor(timeout: .seconds(45)) { $0.contains("⎿") && $0.components(separatedBy: "─ ").count >= 3 }
        terminal.type("now say it mock-hostile", enter: true)
        try await terminal.waitFor(timeout: .seconds(45)) { $0.contains("end of reply") && $0.components(separatedBy: "─ ").count >= 4 }
        usleep(500_000)  // time for a cursor position report to be typed, if one was asked for
        let seen = TerminalTakeover(terminal)
        #expect(seen.takeovers(expectedTitle: title).isEmpty, "\(seen)")
        // The path is shown relative to the working directory, and a Read as its summary (issue 14),
        // so the file's text is not shown at all (a diff of hostile text: ToolViewRealCLITests).
        #expect(seen.visibleScreen.contains("⏺ Read(notes.txt)"), "\(seen)")
        #expect(seen.visibleScreen.contains("⎿  Read 1 line"), "\(seen)")
        #expect(seen.visibleScreen.contains("mock-hostile ␛]0;…␛]52;…␛[2J␛[3A␛[2K␛[6n␛[2J end of reply"), "\(seen)")
        // Nothing was cleared or overwritten, and nothing was typed into the prompt.
        #expect(seen.visibleScreen.contains("Echo: before the read"), "\(seen)")
        #expect(terminal.cursorLine().trimmingCharacters(in: .whitespaces) == "parley ›", "\(seen)")
        try await quitParley(terminal)
    }
}
