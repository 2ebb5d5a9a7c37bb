import Foundation
import ParleyTestSupport
import Testing

import Glibc

/// The real CLI must not outlive `parley` (issue 12, point 2): killed mid-tool, `parley`
/// leaves neither `claude` (which would finish the tool and send its result to the API with
/// nobody watching) nor the tool's `sleep` (which the CLI runs in a session of its own).
extension RealCLI {
    @Suite(.timeLimit(.minutes(3))) struct ParleyDeath {
        @Test func sigkillOfParleyMidToolLeavesNoClaudeAndNoTool() async throws {
            let harness = try RealHarness()
            defer { harness.finish() }
            let parley = try await harness.liveParley(["--auto-approve", "all"])
            defer { parley.finish(timeout: 10) }
            parley.write("run mock-sleeptool=120\n")
            var claude: ProcessTable.Entry?
            var sleepers: [ProcessTable.Entry] = []
            let toolRuns = parley.waitUntil(timeout: 60) {
                claude = ProcessTable.all().first { $0.ppid == parley.pid && $0.state != "Z" }
                sleepers = claude.map { ProcessTable.descendants(of: $0.pid).filter { $0.command == "sleep" } } ?? []
                return !sleepers.isEmpty
            }
            let cli = try #require(claude, "no claude under parley; stderr: \(parley.stderr)")
            defer {
                kill(cli.pid, SIGKILL)
                for sleeper in sleepers { kill(sleeper.pid, SIGKILL) }
            }
            try #require(toolRuns, "the Bash tool's sleep never ran; stderr: \(parley.stderr)")

            kill(parley.pid, SIGKILL)
            func alive(_ pid: pid_t) -> Bool { ProcessTable.entry(pid).map { $0.state != "Z" } ?? false }
            let gone = parley.waitUntil(timeout: 10) { !alive(cli.pid) && !sleepers.contains { alive($0.pid) } }
            #expect(gone, """
                left running 10 s after kill -9 of parley: \
                \((alive(cli.pid) ? ["claude \(cli.pid)"] : []) + sleepers.filter { alive($0.pid) }.map { "sleep \($0.pid)" })
                """)
        }
    }
}
