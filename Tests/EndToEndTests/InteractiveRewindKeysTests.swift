import Foundation
import ParleyTestSupport
import Testing

/// Esc Esc at the prompt (issue 15, point 2) next to Esc as the Meta prefix, in a real
/// terminal against `fake-claude`.
@Suite(.serialized, .timeLimit(.minutes(3))) struct InteractiveRewindKeysTests {
    @Test func escEscOnAnEmptyLineOnlyAndEscStillPrefixesMeta() async throws {
        let fixture = InteractiveTests.Fixture()
        defer { fixture.directory.remove() }
        let terminal = try await fixture.start()
        defer { terminal.close() }

        // Nothing sent yet: Esc Esc says so.
        terminal.send("Escape")
        terminal.send("Escape")
        try await terminal.waitFor("no prompt to rewind yet")

        // Esc b is still Alt-B (a word back), so X lands before "def".
        terminal.type("abc def")
        terminal.send("Escape")
        terminal.send("b")
        terminal.type("X")
        try await terminal.waitFor(awaiting: "X inserted a word back") { _ in terminal.cursorLine().contains("› abc Xdef") }

        // Esc Esc on a line with text leaves it alone.
        terminal.send("Escape")
        terminal.send("Escape")
        terminal.type("!")
        try await terminal.waitFor(awaiting: "the line kept") { _ in terminal.cursorLine().contains("› abc X!def") }
        terminal.send("C-u")

        // After a prompt, Esc Esc runs /rewind for it: fake-claude refuses, so the line says
        // so and the edit line stays empty (the real CLI's path is in InteractiveRewindRealCLITests).
        terminal.type("hello", enter: true)
        try await terminal.waitFor("Echo: hello")
        terminal.send("Escape")
        terminal.send("Escape")
        try await terminal.waitFor(awaiting: "a refusal line from fake-claude") { $0.contains("not rewound: ") }
        #expect(terminal.cursorLine().trimmingCharacters(in: .whitespaces).hasSuffix("parley ›"), "the edit line: \(terminal.cursorLine())")
    }
}
