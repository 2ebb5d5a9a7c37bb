import Foundation
import ParleyTestSupport
import Testing

/// Options, numbers and files through the built `parley` and pipes: a bad number is one line
/// and status 2, never a crash; one colour policy; `--version`; commands refuse nonsense.
@Suite(.serialized, .timeLimit(.minutes(3))) struct OptionsAndLimitsTests {
    typealias Fixture = PipedFixture

    /// A crash (SIGILL, a backtrace) shows as a status above 128 or a "Fatal error" on stderr.
    private func expectUsageError(_ outcome: ProcessOutcome, mentioning text: String, _ label: String) {
        #expect(outcome.status == 2, "\(label): status \(outcome.status), stderr: \(outcome.stderr)")
        let lines = outcome.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(label): stderr must be one line: \(outcome.stderr)")
        #expect(outcome.stderr.hasPrefix("parley: ") && outcome.stderr.contains(text), "\(label): \(outcome.stderr)")
    }

    @Test func stallTimeoutsThatAreNotUsableNumbersAreOneLineErrors() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        for value in ["inf", "nan", "1e300", "99999999999999999999", "-1", "soon"] {
            let outcome = try await fixture.run("hello\n", ["--stall-timeout=\(value)"], timeout: 20)
            expectUsageError(outcome, mentioning: "--stall-timeout must be a number of seconds from 0 to 86400", "--stall-timeout \(value)")
        }
        let environment = try await fixture.run("hello\n", environment: ["PARLEY_STALL_TIMEOUT": "inf"], timeout: 20)
        expectUsageError(environment, mentioning: "PARLEY_STALL_TIMEOUT must be a number of seconds", "PARLEY_STALL_TIMEOUT=inf")
        #expect(fixture.record.userTexts.isEmpty)
        let fine = try await fixture.run("hello\n", ["--stall-timeout", "2.5"], timeout: 20)
        #expect(fine.status == 0 && fine.stdout == "Echo: hello\n", "stderr: \(fine.stderr)")
    }

    @Test func restartDelaysThatAreNotUsableNumbersAreOneLineErrors() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        for value in ["inf", "nan", "1e300", "-1", "0.1,inf"] {
            let outcome = try await fixture.run("hello fc:kill fc:once\n", environment: ["PARLEY_RESTART_DELAYS": value], timeout: 20)
            expectUsageError(outcome, mentioning: "PARLEY_RESTART_DELAYS must be a number of seconds", "PARLEY_RESTART_DELAYS=\(value)")
        }
    }

    @Test func anOverlongHistorySizeIsADiagnosticNotACrash() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        fixture.writeConfig("history_size = 9223372036854775807\n")
        let outcome = try await fixture.run("hello\n", timeout: 20)
        #expect(outcome.status == 0, "stderr: \(outcome.stderr)")
        #expect(outcome.stderr.contains("\"history_size\" must be from 0 to 1000000, not 9223372036854775807"), "stderr: \(outcome.stderr)")
    }

    @Test func aConfigFileOverOneMebibyteIsRefusedAtOnce() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let comment = "# " + String(repeating: "x", count: 1021) + "\n"
        let path = fixture.writeConfig("color = \"never\"\n" + String(repeating: comment, count: 1100), name: "big.toml")
        let started = Date()
        let outcome = try await fixture.run("hello\n", ["--config", path], timeout: 20)
        #expect(outcome.status == 2, "stderr: \(outcome.stderr)")
        #expect(outcome.stderr.contains("a configuration file may be at most 1 MiB"), "stderr: \(outcome.stderr)")
        #expect(Date().timeIntervalSince(started) < 10)
        #expect(fixture.record.userTexts.isEmpty)
    }

    @Test func colourFollowsOnePolicyInScriptedUse() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        func stderr(_ arguments: [String] = [], _ environment: [String: String]) async throws -> String {
            let outcome = try await fixture.run("/status\n", arguments, environment: environment, timeout: 20)
            #expect(outcome.status == 0, "stderr: \(outcome.stderr)")
            return outcome.stderr
        }
        let escape = "\u{1b}["
        #expect(try await !stderr([], [:]).contains(escape), "a pipe gets no colour by default")
        #expect(try await stderr([], ["CLICOLOR_FORCE": "1"]).contains(escape), "CLICOLOR_FORCE turns colour on in a pipe")
        #expect(try await !stderr([], ["CLICOLOR_FORCE": "1", "NO_COLOR": "1"]).contains(escape), "NO_COLOR wins")
        #expect(try await !stderr(["--color", "never"], ["CLICOLOR_FORCE": "1"]).contains(escape), "--color never wins")
        #expect(try await stderr(["--color", "always"], ["NO_COLOR": "1"]).contains(escape), "--color always wins")
        #expect(try await stderr(["--color", "auto"], ["CLICOLOR_FORCE": "1"]).contains(escape))
    }

    @Test func versionNamesParleyAndTheDetectedClaude() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let outcome = try await fixture.run("", ["--version"], timeout: 20)
        #expect(outcome.status == 0, "stderr: \(outcome.stderr)")
        let lines = outcome.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "parley 0.1.0", "stdout: \(outcome.stdout)")
        #expect(lines.count == 2 && lines[1].hasPrefix("claude 2.1.331 (Claude Code) at \(TestBinaries.fakeClaude)"), "stdout: \(outcome.stdout)")
        #expect(fixture.record.userTexts.isEmpty)
        let missing = try await fixture.run("", ["--version", "--claude", "/nonexistent/claude"], timeout: 20)
        #expect(missing.status == 0)
        #expect(missing.stdout.hasPrefix("parley 0.1.0\nclaude: ") && missing.stdout.contains("/nonexistent/claude"), "stdout: \(missing.stdout)")
    }

    @Test func commandsRefuseArgumentsTheyDoNotTake() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let outcome = try await fixture.run("first\n/thinking maybe\n/restart --frsh\n/status now\n/thinking\nsecond\n", timeout: 30)
        #expect(outcome.stderr.contains("/thinking: unexpected “maybe”; usage: /thinking [on|off]"), "stderr: \(outcome.stderr)")
        #expect(outcome.stderr.contains("/restart: unexpected “--frsh” (did you mean --fresh?); usage: /restart [--fresh]"), "stderr: \(outcome.stderr)")
        #expect(outcome.stderr.contains("/status takes no arguments"), "stderr: \(outcome.stderr)")
        #expect(outcome.stderr.contains("thinking is shown in full"), "no argument toggles: \(outcome.stderr)")
        #expect(!outcome.stderr.contains("restarting"), "the misspelt /restart ran: \(outcome.stderr)")
        #expect(fixture.record.starts.count == 1)
        #expect(outcome.stdout == "Echo: first\nEcho: second\n")
    }
}
