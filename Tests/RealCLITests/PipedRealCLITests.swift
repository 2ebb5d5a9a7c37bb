import Foundation
import ParleyApp
import ParleyTestSupport
import StreamJSON
import Testing

import Glibc

/// The built `parley` binary, driven through pipes as a script would, against the real
/// `claude` talking to the fake Messages API. Issue 5, points 1–3 and 6–10.
extension RealCLI {
    @Suite struct Piped {
        // MARK: 1. Many turns on one process

        @Test func manyTurnsOnOneProcessAndTheAPISeesTheConversationGrow() async throws {
            let harness = try RealHarness()
            defer { harness.finish() }
            let outcome = try await harness.parley("first turn\n/status\nsecond turn\n/status\nthird turn\n/status\n")
            #expect(outcome.status == 0, "stderr: \(outcome.stderr)")
            #expect(outcome.stdout == "Echo: first turn\nEcho: second turn\nEcho: third turn\n")
            // /status after each turn names the same pid, and nothing was restarted.
            let pids = outcome.stderr.matches(of: /pid (\d+) ·/).map { String($0.output.1) }
            #expect(pids.count == 3 && Set(pids).count == 1, "stderr: \(outcome.stderr)")
            #expect(outcome.stderr.contains("turns 3"))
            #expect(outcome.stderr.components(separatedBy: "restarts 0").count == 4)

            let requests = harness.api.mainRequests
            #expect(requests.count == 3)
            // One CLI session: the same session header on every request.
            let sessions = Set(requests.compactMap { $0["headers"]?["x-claude-code-session-id"]?.stringValue })
            #expect(sessions.count == 1)
            // messages[] grows by a user/assistant pair per turn.
            #expect(requests.map { APIRequest.conversation($0).count } == [1, 3, 5])
            #expect(requests.map(APIRequest.latestPrompt) == ["first turn", "second turn", "third turn"])
            let last = APIRequest.allTexts(requests[2])
            for text in ["first turn", "Echo: first turn", "second turn", "Echo: second turn", "third turn"] {
                #expect(last.contains(text), "the third request lacks \(text): \(last)")
            }
        }

        // MARK: 2. Streaming

        @Test func firstWordsReachStdoutWhileTheAPIIsStillStreaming() async throws {
            let delay = 0.1
            let harness = try RealHarness(apiArguments: ["--slow-delay", String(delay)])
            defer { harness.finish() }
            let parley = try await harness.liveParley()
            parley.write("stream this mock-slow\n")
            // mock-slow: the echo in 8-character deltas, then slow00. … slow29., one delta every 100 ms.
            let finished = parley.waitUntil(timeout: 60) { parley.stdout.contains("slow29.") }
            let status = parley.finish()
            #expect(finished && status == 0, "stdout: \(parley.stdout) stderr: \(parley.stderr)")
            let request = try #require(harness.api.mainRequests.first)
            let requested = Date(timeIntervalSince1970: try #require(request["t"]?.doubleValue))
            let firstWords = try #require(parley.timeStdoutContained("Echo"))
            let lastWords = try #require(parley.timeStdoutContained("slow29."))
            // About 34 deltas: the API sends the last one ~3.4 s after the request arrived. The first
            // words were on stdout long before that.
            let lastDeltaSent = requested.addingTimeInterval(34 * delay)
            #expect(firstWords < lastDeltaSent.addingTimeInterval(-1.5),
                    "first words \(firstWords.timeIntervalSince(requested)) s after the request")
            #expect(lastWords.timeIntervalSince(firstWords) > 1.5)
            // And the text arrived in many pieces, not at once at the end.
            let pieces = parley.chunks.filter { !$0.bytes.isEmpty }.count
            #expect(pieces >= 10, "stdout arrived in \(pieces) chunks")
            #expect(parley.stdout.hasPrefix("Echo: stream this mock-slow"))
        }

        // MARK: 3. Tool use

        @Test func aBashCallShowsItsCommandThenADimResultThenTheFinalText() async throws {
            let harness = try RealHarness()
            defer { harness.finish() }
            let plain = try await harness.parley("please use a tool\n")
            #expect(plain.status == 0, "stderr: \(plain.stderr)")
            #expect(plain.stdout == "Let me run a command.\nEcho: \n")
            #expect(plain.stderr.contains("⏺ Bash(echo hello-from-tool)\n"), "stderr: \(plain.stderr)")
            #expect(plain.stderr.contains("  ⎿  hello-from-tool\n"))
            // The tool really ran: its output went back to the model.
            let results = harness.api.mainRequests.flatMap(APIRequest.toolResults)
            #expect(results.contains { APIRequest.texts(of: ["content": [$0]]).contains { $0.contains("hello-from-tool") } })

            // With colour, the result block is dim (SGR 2).
            let coloured = try await harness.parley("please use a tool\n", ["--color", "always"])
            #expect(coloured.status == 0)
            #expect(coloured.stderr.contains("\u{1b}[0;2m  ⎿  hello-from-tool"), "stderr: \(coloured.stderr.debugDescription)")
        }

        // MARK: 5. Crash recovery, as a script sees it

        @Test func aKilledClaudeIsRestartedAndTheCutMessageIsReported() async throws {
            let harness = try RealHarness(apiArguments: ["--slow-delay", "0.05"])
            defer { harness.finish() }
            let parley = try await harness.liveParley()
            parley.write("first turn\ncut short mock-slow\nafter the crash\n/status\n")
            let streaming = parley.waitUntil { parley.stdout.contains("Echo: cut short") }
            let children = ProcessTable.all().filter { $0.ppid == parley.pid && $0.state != "Z" }
            #expect(streaming && children.count == 1, "stdout: \(parley.stdout) stderr: \(parley.stderr)")
            if let claude = children.first { kill(claude.pid, SIGKILL) }
            let status = parley.finish(timeout: 60)
            // A message went unanswered, so the script fails; the rest still ran.
            #expect(status == 1, "stderr: \(parley.stderr)")
            #expect(parley.stderr.contains("✗ claude killed by signal 9 (SIGKILL) unexpectedly"), "stderr: \(parley.stderr)")
            #expect(parley.stderr.contains("✗ not answered: “cut short mock-slow” — the claude process died during its turn; /retry sends it again"))
            #expect(parley.stderr.contains("↻ restarting claude in"))
            #expect(parley.stdout.hasPrefix("Echo: first turn\n"))
            #expect(parley.stdout.hasSuffix("Echo: after the crash\n"), "stdout: \(parley.stdout)")
            #expect(parley.stderr.contains("restarts 1"))
            // The resumed CLI's request still holds the first turn, in the same session.
            let requests = harness.api.mainRequests
            let resumed = try #require(requests.last)
            #expect(APIRequest.latestPrompt(resumed) == "after the crash")
            #expect(APIRequest.allTexts(resumed).contains("Echo: first turn"))
            let sessions = requests.compactMap { $0["headers"]?["x-claude-code-session-id"]?.stringValue }
            #expect(Set(sessions).count == 1, "sessions: \(sessions)")
        }

        // MARK: 6. Permissions, scripted

        @Test func autoApproveNoneDeniesEveryCallWithALineAndWritesNothing() async throws {
            let harness = try RealHarness()
            defer { harness.finish() }
            let outcome = try await harness.parley("please mock-write\nand mock-write=second.txt\n")
            #expect(outcome.status == 0, "stderr: \(outcome.stderr)")
            let denials = outcome.stderr.split(separator: "\n").filter { $0.hasPrefix("✗ denied Write(") }
            #expect(denials.count == 2, "stderr: \(outcome.stderr)")
            #expect(denials.allSatisfy { $0.contains("--auto-approve none") })
            #expect(!FileManager.default.fileExists(atPath: harness.work + "/mock_written.txt"))
            #expect(!FileManager.default.fileExists(atPath: harness.work + "/second.txt"))
            // The model was told why.
            let results = harness.api.mainRequests.flatMap(APIRequest.toolResults)
            #expect(results.filter { $0["is_error"] == true }.count >= 2)
            #expect(results.contains { APIRequest.texts(of: ["content": [$0]]).contains { $0.contains("--auto-approve none") } })
        }

        @Test func autoApproveEditsAllowsWrite() async throws {
            let harness = try RealHarness()
            defer { harness.finish() }
            let outcome = try await harness.parley("please mock-write\n", ["--auto-approve", "edits"])
            #expect(outcome.status == 0, "stderr: \(outcome.stderr)")
            #expect(!outcome.stderr.contains("denied"))
            #expect(FileManager.default.contents(atPath: harness.work + "/mock_written.txt") == Data("hello\n".utf8))
        }

        @Test func permissionsCommandSwitchesTheCLIsMode() async throws {
            let harness = try RealHarness()
            defer { harness.finish() }
            let outcome = try await harness.parley("/permissions acceptEdits\nplease mock-write\n/status\n")
            #expect(outcome.status == 0, "stderr: \(outcome.stderr)")
            #expect(outcome.stderr.contains("permission mode acceptEdits"), "stderr: \(outcome.stderr)")
            #expect(!outcome.stderr.contains("denied"))
            // acceptEdits: the CLI wrote the file without asking Parley.
            #expect(FileManager.default.contents(atPath: harness.work + "/mock_written.txt") == Data("hello\n".utf8))
        }

        // MARK: 7. /model

        @Test func modelCommandSwitchesThroughSetModelAndReportsARefusal() async throws {
            let harness = try RealHarness()
            defer { harness.finish() }
            let outcome = try await harness.parley("hello\n/model sonnet\nagain\n/model x-missing\nthird\n/status\n")
            // Every turn was answered; a refused model is an error line, not a failed turn.
            #expect(outcome.status == 0, "stderr: \(outcome.stderr)")
            #expect(outcome.stdout == "Echo: hello\nEcho: again\nEcho: third\n")
            let resolved = try #require(outcome.stderr.firstMatch(of: /● model (\S+)/).map { String($0.output.1) },
                                        "stderr: \(outcome.stderr)")
            #expect(resolved.contains("sonnet"))
            // The CLI's own refusal is shown.
            #expect(outcome.stderr.contains("model not changed"))
            #expect(outcome.stderr.contains("Model 'x-missing' not found"), "stderr: \(outcome.stderr)")
            // The API saw the new model from the next request on, and the refused one never in a turn.
            let models = harness.api.mainRequests.map(APIRequest.model)
            #expect(models.count == 3)
            #expect(models[0] != resolved)
            #expect(models[1] == resolved && models[2] == resolved)
            #expect(harness.api.records.contains { $0["kind"] == "side" && APIRequest.model($0) == "x-missing" })
            // /status shows the resolved model.
            #expect(outcome.stderr.contains("· model \(resolved) ·"), "stderr: \(outcome.stderr)")
        }

        // MARK: 8. The CLI's own slash commands

        @Test func costCompactAndClearPassThroughToTheCLI() async throws {
            let harness = try RealHarness()
            defer { harness.finish() }
            let outcome = try await harness.parley("hello\n/cost\n/compact\nafter compact\n/status\n/clear\nafter clear\n/status\n")
            #expect(outcome.status == 0, "stderr: \(outcome.stderr)")
            #expect(!outcome.stderr.contains("unknown command"), "stderr: \(outcome.stderr)")
            // /cost answers with text of its own (a synthetic assistant message).
            #expect(outcome.stdout.hasPrefix("Echo: hello\n"))
            #expect(outcome.stdout.lowercased().contains("cost"), "stdout: \(outcome.stdout)")
            #expect(outcome.stdout.contains("$"))
            // /compact ran: the CLI asked the API for a summary, and Parley said so.
            #expect(harness.api.records.contains { ($0["reply"]?.stringValue ?? "").contains("compact") })
            #expect(outcome.stderr.contains("compacted"), "stderr: \(outcome.stderr)")
            #expect(outcome.stdout.hasSuffix("Echo: after compact\nEcho: after clear\n"), "stdout: \(outcome.stdout)")
            // After compaction the conversation restarts from the summary.
            let requests = harness.api.mainRequests
            #expect(requests.count == 3)
            let afterCompact = try #require(requests.dropFirst().first)
            #expect(APIRequest.latestPrompt(afterCompact) == "after compact")
            #expect(!APIRequest.allTexts(afterCompact).contains("Echo: hello"))
            // /clear: a new, empty conversation under a new session id, which /status shows.
            let afterClear = try #require(requests.last)
            #expect(APIRequest.conversation(afterClear).count == 1)
            let ids = outcome.stderr.matches(of: /· session ([0-9a-f-]{36}) ·/).map { String($0.output.1) }
            #expect(ids.count == 2 && ids[0] != ids[1], "stderr: \(outcome.stderr)")
            #expect(afterClear["headers"]?["x-claude-code-session-id"]?.stringValue == ids.last)
            // The reset is announced without conversation_reset's own id, which is not the session
            // id (--resume does not know it); /status shows the real one.
            #expect(outcome.stderr.contains("● new conversation\n"), "stderr: \(outcome.stderr)")
        }

        // MARK: 9. API trouble

        @Test func overloadedRetriesShowAsStatusLinesAndTheTurnSucceeds() async throws {
            let harness = try RealHarness()
            defer { harness.finish() }
            let outcome = try await harness.parley("please mock-err529x2 now\n", environment: ["CLAUDE_CODE_MAX_RETRIES": "3"])
            #expect(outcome.status == 0, "stderr: \(outcome.stderr)")
            #expect(outcome.stdout == "Echo: please mock-err529x2 now\n")
            let retries = outcome.stderr.split(separator: "\n").filter { $0.wholeMatch(of: /API overloaded \(529\), retry \d\/3 in \d+\.\d s/) != nil }
            #expect(retries.count == 2, "stderr: \(outcome.stderr)")
            #expect(retries.first?.contains("retry 1/3") == true && retries.last?.contains("retry 2/3") == true)
            #expect(!outcome.stderr.contains("turn failed"))
        }

        @Test func rateLimitRetriesShowAsStatusLinesAndTheNextMessageWorks() async throws {
            let harness = try RealHarness()
            defer { harness.finish() }
            let outcome = try await harness.parley("please mock-err429x1 now\nafter the limit\n",
                                             environment: ["CLAUDE_CODE_MAX_RETRIES": "3"])
            #expect(outcome.status == 0, "stderr: \(outcome.stderr)")
            #expect(outcome.stderr.contains(/API rate limit \(429\), retry 1\/3 in \d+\.\d s/), "stderr: \(outcome.stderr)")
            #expect(outcome.stdout == "Echo: please mock-err429x1 now\nEcho: after the limit\n", "stdout: \(outcome.stdout)")
        }

        @Test func aConnectionClosedMidStreamIsSurvived() async throws {
            let harness = try RealHarness()
            defer { harness.finish() }
            let outcome = try await harness.parley("please mock-closex1 now\nthe next one\n",
                                             environment: ["CLAUDE_CODE_MAX_RETRIES": "3"])
            #expect(outcome.status == 0, "stderr: \(outcome.stderr)")
            // The CLI retries the broken connection (a status line) and the reply completes.
            #expect(outcome.stderr.contains("retry 1/3"), "stderr: \(outcome.stderr)")
            #expect(outcome.stdout.hasSuffix("Echo: the next one\n"), "stdout: \(outcome.stdout)")
            #expect(outcome.stdout.contains("Echo: please mock-closex1 now"), "stdout: \(outcome.stdout)")
        }

        @Test func anAPIErrorResultIsShownAndMakesTheScriptExitOne() async throws {
            let harness = try RealHarness()
            defer { harness.finish() }
            let outcome = try await harness.parley("please mock-err500\n", environment: ["CLAUDE_CODE_MAX_RETRIES": "1"])
            #expect(outcome.status == 1, "stderr: \(outcome.stderr)")
            #expect(outcome.stdout.isEmpty)
            #expect(outcome.stderr.contains("API server error (500), retry 1/1 in"), "stderr: \(outcome.stderr)")
            #expect(outcome.stderr.contains("✗ turn failed (api_error): API Error: 500"), "stderr: \(outcome.stderr)")
        }

        @Test func aStalledStreamIsReportedAndTheSessionSurvives() async throws {
            let harness = try RealHarness()
            defer { harness.finish() }
            // Parley's watchdog warns after 1 s and, in a script, stops the turn (issue 12,
            // point 3): the real CLI honours the interrupt, so the message is reported as not
            // answered, the process lives on and the next line is answered; exit status 1.
            let outcome = try await harness.parley("please mock-stall\nnext one\n/status\n", ["--stall-timeout", "1"],
                                             environment: ["CLAUDE_BYTE_STREAM_IDLE_TIMEOUT_MS": "2000"])
            #expect(outcome.status == 1, "stderr: \(outcome.stderr)")
            #expect(outcome.stderr.contains("⚠ no output from claude for"), "stderr: \(outcome.stderr)")
            #expect(outcome.stderr.contains("not answered: “please mock-stall”"), "stderr: \(outcome.stderr)")
            // After an interrupt the CLI puts "[Request interrupted by user]" in front of the next
            // prompt (CONTROL.md), which the mock API echoes.
            #expect(outcome.stdout.hasSuffix("Echo: [Request interrupted by user]\n next one\n"), "stdout: \(outcome.stdout)")
            #expect(outcome.stderr.contains("restarts 0"), "stderr: \(outcome.stderr)")
        }

        // MARK: 10. Environment, encoding, version

        @Test func nestingMarkersInParleysEnvironmentNeverReachClaude() async throws {
            let harness = try RealHarness(apiArguments: ["--slow-delay", "0.05"])
            defer { harness.finish() }
            let markers = ["CLAUDECODE": "1", "CLAUDE_CODE_ENTRYPOINT": "cli", "CLAUDE_CODE_SSE_PORT": "12345"]
            let parley = try await harness.liveParley(environment: markers)
            parley.write("hello mock-slow\n")
            // While the turn streams, look at the claude child's environment.
            let streaming = parley.waitUntil { parley.stdout.contains("Echo") }
            let children = ProcessTable.all().filter { $0.ppid == parley.pid && $0.state != "Z" }
            let claudeEnvironment = children.first.map { ProcessTable.environment(of: $0.pid) } ?? [:]
            let status = parley.finish()
            #expect(streaming && status == 0, "stderr: \(parley.stderr)")
            #expect(children.count == 1)
            #expect(!claudeEnvironment.isEmpty)
            for marker in markers.keys { #expect(claudeEnvironment[marker] == nil, "\(marker) reached claude") }
            #expect(claudeEnvironment["ANTHROPIC_BASE_URL"] == harness.api.baseURL)
            // Parley itself did have them.
            #expect(parley.stdout.contains("slow29."))
        }

        @Test func anyUserTextReachesTheAPIExactlyAndNeverKillsTheCLI() async throws {
            let harness = try RealHarness()
            defer { harness.finish() }
            // Continuation lines, quotes, control characters, an escape sequence, emoji (with a
            // ZWJ), backslashes and JSON-looking text; then bytes that are not UTF-8.
            let first = "first line \\\nsecond \"quoted\" 'single' \\\ntab\there bell\u{07} ctl\u{01} esc\u{1b}[31m del\u{7f} "
                + "emoji 🦜👩‍💻 back\\slash \\\\n \\u0041 \\\" end"
            let jsonish = "after {\"type\":\"user\"} }{ ] \u{2028}\u{2029} trailing  "
            var input = Data((first + "\n").utf8)
            input.append(Data("bad utf8 ".utf8) + Data([0xff, 0xfe, 0xed, 0xa0, 0x80]) + Data(" here\n".utf8))
            input.append(Data((jsonish + "\n/status\n").utf8))
            let parley = try await harness.liveParley()
            parley.write(input)
            let status = parley.finish(timeout: 90)
            #expect(status == 0, "stderr: \(parley.stderr)")
            let sentFirst = first.replacingOccurrences(of: " \\\n", with: " \n")
            // Invalid UTF-8 (including an encoded lone surrogate, ED A0 80) becomes U+FFFD, one per
            // maximal invalid subsequence; it can never make a line the CLI cannot parse.
            let sentBad = "bad utf8 \u{fffd}\u{fffd}\u{fffd}\u{fffd}\u{fffd} here"
            let prompts = harness.api.mainRequests.map(APIRequest.latestPrompt)
            #expect(prompts.count == 3)
            #expect(prompts.first == sentFirst, "got \(String(describing: prompts.first).debugDescription)")
            #expect(prompts.dropFirst().first == sentBad, "got \(String(describing: prompts.dropFirst().first).debugDescription)")
            #expect(prompts.last == jsonish)
            #expect(parley.stdout.hasPrefix("Echo: " + sentFirst + "\n"))
            #expect(parley.stdout.hasSuffix("Echo: " + jsonish + "\n"))
            // The CLI never died of a line: one process, no restart, no parse error.
            #expect(parley.stderr.contains("restarts 0"), "stderr: \(parley.stderr)")
            #expect(!parley.stderr.contains("unexpectedly"))
            #expect(!parley.stderr.contains("Error parsing"))
        }

        @Test func warnsOnlyWhenTheCLIVersionIsOutsideTheTestedRange() async throws {
            let harness = try RealHarness()
            defer { harness.finish() }
            let version = try await RealClaude.version(harness.claude, environment: harness.environment())
            #expect(!version.isEmpty)
            let outcome = try await harness.parley("hello\n")
            #expect(outcome.status == 0, "stderr: \(outcome.stderr)")
            let warned = outcome.stderr.contains("the versions Parley was tested with")
            if ParleyVersion.testedClaudeVersions.contains(version) {
                #expect(!warned, "claude \(version) is tested, yet: \(outcome.stderr)")
            } else {
                // Another claude (PARLEY_REAL_CLAUDE): warn, do not refuse.
                #expect(warned, "claude \(version) is untested but Parley did not warn")
                #expect(outcome.stdout == "Echo: hello\n")
            }
        }
    }
}
