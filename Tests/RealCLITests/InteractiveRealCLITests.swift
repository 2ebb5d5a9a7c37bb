import Foundation
import ParleyTestSupport
import Testing

/// `parley` in a real terminal (tmux) against the real `claude`: what a person at the
/// keyboard meets (issue 5, points 4 and 6, interactively).
@Suite(.serialized, .timeLimit(.minutes(3))) struct InteractiveRealCLITests {
    @Test func oneKeyPermissionAnswersAndCtrlCWithTheRealCLI() async throws {
        let harness = try RealHarness(apiArguments: ["--slow-delay", "0.1"])
        defer { harness.finish() }
        let terminal = try await harness.terminal()
        defer { terminal.close() }
        try await terminal.waitFor("parley ›", timeout: .seconds(20))

        // A Write needs permission: the question appears, one key (y) allows it.
        terminal.type("please mock-write now", enter: true)
        let screen = try await terminal.waitFor("allow? [y/n/a]", timeout: .seconds(30))
        #expect(screen.contains("Allow Write("))
        usleep(700_000)  // a deliberate key, once the question has been visible a moment
        terminal.type("y")
        try await terminal.waitFor(awaiting: "“allowed” and the turn footer", timeout: .seconds(30)) {
            $0.contains("  allowed") && $0.contains("─ ")
        }
        #expect(FileManager.default.fileExists(atPath: harness.work + "/mock_written.txt"))

        // Ctrl-C during a slow reply interrupts the turn; the process stays and answers again.
        terminal.type("a slow one mock-slow", enter: true)
        try await terminal.waitFor("slow0", timeout: .seconds(30))
        terminal.send("C-c")
        try await terminal.waitFor("⏹ interrupted", timeout: .seconds(20))
        terminal.type("after the interrupt", enter: true)
        // The CLI puts "[Request interrupted by user]" before the next prompt (STREAM-JSON.md §7).
        try await terminal.waitFor("Echo: [Request interrupted by user]", timeout: .seconds(30))
        try await terminal.waitFor(awaiting: "the echoed message and its footer") { $0.contains("\n after the interrupt\n─ ") }
        #expect(terminal.screen().components(separatedBy: "● claude started").count == 2)  // one process
        try await quitParley(terminal)
    }
}
