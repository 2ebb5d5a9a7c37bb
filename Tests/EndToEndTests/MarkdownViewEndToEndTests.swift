import Foundation
import ParleyTestSupport
import Testing

/// Markdown tables (issue 14, point 4) through the built `parley` against `fake-claude`: drawn
/// with aligned columns fitted to a 60-column terminal, with and without colour; scripted stdout
/// keeps the reply's Markdown as written.
@Suite(.serialized) struct MarkdownViewEndToEndTests {
    func lines(_ screen: String) -> [String] {
        screen.split(separator: "\n", omittingEmptySubsequences: false).map { String($0.reversed().drop(while: { $0 == " " }).reversed()) }
    }

    @Test(arguments: [false, true]) func aTableIsDrawnToFitTheTerminal(noColor: Bool) async throws {
        let fixture = PipedFixture("parley-markdown")
        defer { fixture.directory.remove() }
        var environment = fixture.environment(["TERM": "xterm-256color", "LANG": "C.UTF-8"])
        if noColor { environment["NO_COLOR"] = "1" }
        let terminal = try TmuxTerminal(command: "cd \(fixture.directory.path) && \(TestBinaries.parley); echo PARLEY-EXITED",
                                        width: 60, height: 40, environment: environment)
        defer { terminal.close() }
        try await terminal.waitFor("parley ›")
        terminal.type("options fc:table", enter: true)
        let screen = try await terminal.waitFor("That is all.")
        let shown = lines(screen)
        let top = try #require(shown.firstIndex { $0.hasPrefix("┌") }, "screen:\n\(screen)")
        let bottom = try #require(shown.firstIndex { $0.hasPrefix("└") }, "screen:\n\(screen)")
        let table = Array(shown[top...bottom])
        #expect(shown[top - 1] == "Here are the options:")
        #expect(shown[bottom + 1] == "That is all.")
        #expect(table.allSatisfy { $0.count <= 60 && $0.count == table[0].count }, "screen:\n\(screen)")
        #expect(table[1].hasPrefix("│ Option  │ Default │"), "screen:\n\(screen)")
        #expect(table.contains { $0.hasPrefix("│ --color │  auto   │") }, "screen:\n\(screen)")
        #expect(table.contains { $0.contains("claude runs in | also") || $0.contains("| also for tools") }, "screen:\n\(screen)")
        #expect(table.count > 7, "the long cells wrap: screen:\n\(screen)")
        try await quitParley(terminal)
    }

    @Test func scriptedStdoutKeepsTheTablesMarkdown() async throws {
        let fixture = PipedFixture("parley-markdown")
        defer { fixture.directory.remove() }
        let outcome = try await fixture.run("options fc:table\n")
        #expect(outcome.status == 0, "stderr: \(outcome.stderr)")
        #expect(outcome.stdout.contains("| `--color` | auto | when to colour the output"), "stdout: \(outcome.stdout)")
        #expect(!outcome.stdout.contains("┌"))
    }
}
