import Foundation
import ParleyTestSupport
import StreamJSON
import Testing

import Glibc

/// The built `parley` binary driven through pipes, against the `fake-claude` double.
@Suite(.serialized, .timeLimit(.minutes(2))) struct PipedModeTests {
    typealias Fixture = PipedFixture

    @Test func twentyLinesGiveTwentyTurnsInOrderOnOneProcess() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let lines = (1...20).map { "message number \($0)" }
        let outcome = try await fixture.run(lines.joined(separator: "\n") + "\n")
        #expect(outcome.status == 0, "stderr: \(outcome.stderr)")
        #expect(outcome.stdout == lines.map { "Echo: \($0)\n" }.joined())
        #expect(fixture.record.starts.count == 1)
        #expect(fixture.record.userTexts == lines)
        // Plain output: no escape codes anywhere, no prompt.
        #expect(!outcome.stdout.contains("\u{1b}") && !outcome.stderr.contains("\u{1b}"))
    }

    @Test func eachLineWaitsForThePreviousTurn() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let outcome = try await fixture.run("slow one fc:slow=10 fc:words=20\nquick two\n")
        #expect(outcome.status == 0)
        // The double ran them as two turns: its stdin got line 2 only after turn 1's result.
        let entries = fixture.record.entries.filter { $0["event"] == "stdin" }
        let userTimes = entries.filter { ($0["line"]?.stringValue ?? "").contains("\"user\"") }.compactMap { $0["t"]?.doubleValue }
        #expect(userTimes.count == 2)
        #expect(userTimes[1] - userTimes[0] > 0.1)
        #expect(outcome.stdout.hasSuffix("Echo: quick two\n"))
    }

    @Test func toolAndStatusLinesGoToStderrLeavingACleanTranscript() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let outcome = try await fixture.run("use it fc:tool\n/status\n")
        #expect(outcome.status == 0)
        #expect(outcome.stdout == "Let me run a command.\nEcho: use it fc:tool\n")
        #expect(outcome.stderr.contains("⏺ Bash(echo hello-from-tool)"))
        #expect(outcome.stderr.contains("⎿  hello-from-tool"))
        #expect(outcome.stderr.contains("persona default"))
    }

    @Test func continuationLinesMakeOneMessage() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let outcome = try await fixture.run("first part \\\nsecond part\nnext\n")
        #expect(outcome.status == 0)
        #expect(fixture.record.userTexts == ["first part \nsecond part", "next"])
    }

    @Test func doubleSlashSendsALiteralSlash() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let outcome = try await fixture.run("//etc/hosts is a file\n")
        #expect(outcome.status == 0)
        #expect(fixture.record.userTexts == ["/etc/hosts is a file"])
    }

    @Test func unknownCommandSuggestsTheNearestAndSendsNothing() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let outcome = try await fixture.run("/stauts\nhello\n")
        #expect(outcome.stderr.contains("unknown command /stauts (did you mean /status?)"))
        #expect(fixture.record.userTexts == ["hello"])
    }

    @Test func cliCommandsPassThrough() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        _ = try await fixture.run("/compact\n")
        #expect(fixture.record.userTexts == ["/compact"])
    }

    @Test func personasFromTheConfigFileBecomeFlags() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        _ = fixture.writeConfig("""
            [personas.reviewer]
            description = "Careful reviewer"
            system_prompt = "You review code."
            append_system_prompt = "Be terse."
            model = "sonnet"
            max_turns = 4
            permission_mode = "plan"
            allowed_tools = ["Read", "Grep"]
            disallowed_tools = ["Bash"]
            [personas.reviewer.env]
            REVIEW_LEVEL = "strict"
            """)
        let outcome = try await fixture.run("hello\n", ["--persona", "reviewer"])
        #expect(outcome.status == 0, "stderr: \(outcome.stderr)")
        let argv = try #require(fixture.record.argvs.first)
        func value(_ flag: String) -> String? { argv.firstIndex(of: flag).map { argv[$0 + 1] } }
        #expect(value("--system-prompt") == "You review code.")
        #expect(value("--append-system-prompt") == "Be terse.")
        #expect(value("--model") == "sonnet")
        #expect(value("--max-turns") == "4")
        #expect(value("--permission-mode") == "plan")
        #expect(value("--allowedTools") == "Read,Grep")
        #expect(value("--disallowedTools") == "Bash")
        #expect(argv.contains("--input-format") && argv.contains("--include-partial-messages"))
    }

    @Test func personaSwitchMidScriptRestartsWithTheNewFlagsBeforeTheNextLine() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        _ = fixture.writeConfig("""
            [personas.terse]
            system_prompt = "Answer in one word."
            """)
        let outcome = try await fixture.run("before\n/persona terse\nafter\nfc:history\n")
        #expect(outcome.status == 0, "stderr: \(outcome.stderr)")
        let argvs = fixture.record.argvs
        #expect(argvs.count == 2)
        #expect(!argvs[0].contains("--system-prompt"))
        #expect(argvs[1].contains("Answer in one word."))
        #expect(argvs[1].contains("--resume"))  // the conversation continues
        #expect(fixture.record.userTexts == ["before", "after", "fc:history"])
        #expect(outcome.stdout.contains("before"))  // the history reply lists the earlier prompt
        #expect(outcome.stderr.contains("persona terse"))
    }

    @Test func cliFlagsWinOverThePersona() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        _ = fixture.writeConfig("""
            default_persona = "p"
            [personas.p]
            model = "sonnet"
            """)
        _ = try await fixture.run("hi\n", ["--model", "opus"])
        let argv = try #require(fixture.record.argvs.first)
        #expect(argv[argv.firstIndex(of: "--model")! + 1] == "opus")
    }

    @Test func brokenConfigNamesFileAndLineAndStartsWithDefaults() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let path = fixture.writeConfig("""
            color = "never"

            [personas.reviewer]
            modle = "sonnet"
            """)
        let outcome = try await fixture.run("hello\n")
        #expect(outcome.status == 0)
        #expect(outcome.stderr.contains("\(path):4"), "stderr: \(outcome.stderr)")
        #expect(outcome.stderr.contains("modle"))
        #expect(outcome.stdout == "Echo: hello\n")
    }

    @Test func missingExplicitConfigIsAUsageError() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let outcome = try await fixture.run("hello\n", ["--config", fixture.directory.file("nope.toml")])
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("nope.toml"))
        #expect(fixture.record.starts.isEmpty)
    }

    @Test func badFlagsExitWithStatusTwoAndOneLine() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        for arguments in [["--bogus"], ["--color", "purple"], ["--permission-mode", "yolo"], ["--output-format", "xml"],
                          ["--persona", "nobody"]] {
            let outcome = try await fixture.run("", arguments)
            #expect(outcome.status == 2, "\(arguments): \(outcome.stderr)")
            #expect(outcome.stderr.split(separator: "\n").count == 1, "\(arguments): \(outcome.stderr)")
            #expect(outcome.stderr.hasPrefix("parley: "))
        }
    }

    @Test func helpAndVersion() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let help = try await fixture.run("", ["--help"])
        #expect(help.status == 0)
        for flag in ["--persona", "--model", "--system-prompt", "--append-system-prompt", "--permission-mode", "--cwd",
                     "--claude", "--resume", "--continue", "--color", "--output-format", "--config", "--debug-log"] {
            #expect(help.stdout.contains(flag), "help lacks \(flag)")
        }
        let version = try await fixture.run("", ["--version"])
        #expect(version.status == 0)
        // First line: Parley's own three-part version (the second names the detected claude).
        let first = version.stdout.split(separator: "\n").first ?? ""
        #expect(first.hasPrefix("parley ") && first.dropFirst("parley ".count).split(separator: ".").count == 3, "stdout: \(version.stdout)")
    }

    @Test func aFailedTurnMakesTheExitStatusOne() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let outcome = try await fixture.run("ok\nbad fc:error=500\nok again\n", environment: ["CLAUDE_CODE_MAX_RETRIES": "1"])
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("turn failed"))
        #expect(outcome.stdout.contains("Echo: ok again"))  // later lines still ran
    }

    @Test func anUnrecoverableClaudeExitsOneWithTheReason() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let outcome = try await fixture.run("hello\nworld\n", environment: ["FAKE_CLAUDE_CRASH_ON_START": "7", "FAKE_CLAUDE_CRASH_STARTS": "99"])
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("exited with status 7"))
        #expect(outcome.stderr.contains("giving up"))
        // Nothing was silently dropped: both lines are reported as not answered.
        #expect(outcome.stderr.contains("not answered: “hello”"), "stderr: \(outcome.stderr)")
        #expect(outcome.stderr.contains("not sent: “world”"))
    }

    @Test func missingClaudeIsOneClearLine() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let outcome = try await fixture.run("hello\n", ["--claude", "/nonexistent/claude"])
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("claude not found"))
    }

    @Test func crashMidScriptIsReportedAndTheScriptGoesOn() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let outcome = try await fixture.run("one\ntwo fc:kill\nthree\n")
        #expect(outcome.status == 1)  // a message went unanswered
        #expect(outcome.stderr.contains("not answered"))
        #expect(outcome.stderr.contains("restarting claude"))
        #expect(outcome.stdout.contains("Echo: one") && outcome.stdout.contains("Echo: three"))
        #expect(fixture.record.starts.count == 2)
    }

    @Test func jsonOutputIsOneObjectPerLineInTheDocumentedSchema() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let outcome = try await fixture.run("hello fc:tool\nsecond\n", ["--output-format", "json"])
        #expect(outcome.status == 0)
        let objects = try outcome.stdout.split(separator: "\n").map { try JSONValue.parse(Data($0.utf8)) }
        let known: Set<String> = ["process_started", "session", "turn_start", "text", "thinking", "tool_use", "tool_result",
                                  "status", "turn_end", "error", "info"]
        for object in objects {
            let type = try #require(object["type"]?.stringValue)
            #expect(known.contains(type), "undocumented type \(type)")
        }
        let types = objects.compactMap { $0["type"]?.stringValue }
        #expect(types.filter { $0 == "turn_start" }.count == 2)
        #expect(types.filter { $0 == "turn_end" }.count == 2)
        let tool = try #require(objects.first { $0["type"] == "tool_use" })
        #expect(tool["name"] == "Bash" && tool["input"]?["command"] == "echo hello-from-tool")
        let end = try #require(objects.last { $0["type"] == "turn_end" })
        #expect(end["is_error"] == false)
        #expect(end["result"] == "Echo: second")
        #expect(end["total_cost_usd"]?.doubleValue != nil && end["duration_ms"]?.doubleValue != nil)
        #expect(end["input_tokens"]?.intValue != nil && end["output_tokens"]?.intValue != nil)
        let text = objects.filter { $0["type"] == "text" }.compactMap { $0["text"]?.stringValue }.joined()
        #expect(text.contains("Echo: second"))
    }

    @Test func closedStdoutEndsQuietlyWithNoProcessLeft() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let script = (1...50).map { "line \($0) fc:words=2000" }.joined(separator: "\n")
        FileManager.default.createFile(atPath: fixture.directory.file("in.txt"), contents: Data(script.utf8))
        let outcome = try await runProgram("/bin/bash", arguments: ["-c",
            "\"$PARLEY\" < in.txt | head -c 100 >/dev/null; echo \"status=${PIPESTATUS[0]}\""],
            environment: fixture.environment(["PARLEY": TestBinaries.parley]), workingDirectory: fixture.directory.path,
            timeout: 60)
        #expect(outcome.stdout.contains("status=0"), "stdout: \(outcome.stdout) stderr: \(outcome.stderr)")
        #expect(outcome.stderr.isEmpty, "stderr: \(outcome.stderr)")
        let pids = fixture.record.starts.compactMap { $0["pid"]?.intValue }
        #expect(!pids.isEmpty)
        for pid in pids { #expect(!ProcessInspector.isAlive(pid_t(pid)), "claude \(pid) still running") }
        #expect(fixture.record.userTexts.count < 50)
    }

    @Test func sigintStopsTheScriptWithStatus130() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let parley = try SpawnedProgram([TestBinaries.parley], environment: fixture.environment(),
                                        workingDirectory: fixture.directory.path, stdout: .null, stderr: .null)
        parley.write("long fc:slow=50 fc:words=500\n")
        #expect(await ProcessInspector.eventually { fixture.record.userTexts.count == 1 })
        kill(parley.pid, SIGINT)
        let status = parley.wait(timeout: 10)
        #expect(status == 130, "status \(String(describing: status)) (nil: still running 10 s after SIGINT)")
        let pid = try #require(fixture.record.starts.first?["pid"]?.intValue)
        #expect(!ProcessInspector.isAlive(pid_t(pid)))
    }
}

extension PipedModeTests {
    @Test func anUntestedClaudeVersionIsAWarningNotARefusal() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let outcome = try await fixture.run("hello\n", environment: ["FAKE_CLAUDE_VERSION": "2.9.0"])
        #expect(outcome.status == 0)
        #expect(outcome.stdout == "Echo: hello\n")
        #expect(outcome.stderr.contains("claude 2.9.0 is newer than the versions Parley was tested with (2.1.331)"))
        #expect(outcome.stderr.components(separatedBy: "2.9.0 is newer").count == 2)  // said once
        let tested = try await fixture.run("hello\n")
        #expect(!tested.stderr.contains("tested with"))
    }
}

extension PipedModeTests {
    /// The parley binary is alone in its process, so its descriptor count is exact. Its
    /// `--debug-log` ends with the open descriptors and live children: after six processes
    /// (restarts, a crash, a persona switch) they are the same as after one, and no child lives.
    @Test func noDescriptorOrChildOutlivesRestartsAndCrashes() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        _ = fixture.writeConfig("[personas.other]\nsystem_prompt = \"Other.\"\n")
        func endOfLog(_ script: String, _ name: String) async throws -> (String, Int) {
            let log = fixture.directory.file(name)
            let outcome = try await fixture.run(script, ["--debug-log", log])
            #expect(outcome.stdout.contains("Echo: last"), "stderr: \(outcome.stderr)")
            let attributes = try FileManager.default.attributesOfItem(atPath: log)
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
            let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
            let end = try #require(lines.last { $0.contains(" end descriptors=") })
            let starts = lines.filter { $0.contains("processStarted") }.count
            return (String(end.split(separator: " ", maxSplits: 1)[1]), starts)
        }
        let (one, oneStarts) = try await endOfLog("first\nlast\n", "one.log")
        let (many, manyStarts) = try await endOfLog(
            "one\n/restart\ntwo fc:tool\n/restart --fresh\nthree fc:kill\nfour\n/persona other\n/restart\nlast\n", "many.log")
        #expect(oneStarts == 1 && manyStarts == 6)
        #expect(one == many, "one process: \(one); six processes: \(many)")
        #expect(many.hasSuffix("children=0"), "\(many)")
    }
}
