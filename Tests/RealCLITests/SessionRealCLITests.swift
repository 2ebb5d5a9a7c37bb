import AgentSession
import Foundation
import ParleyTestSupport
import StreamJSON
import Testing

import Glibc

/// The `AgentSession` engine (what Parley's front ends drive) against the real `claude`, for
/// what a piped script cannot express: interrupts mid-turn, crash injection, permission
/// answers, and watching session ids. Issue 5, points 4, 5, 6 and 8.
extension RealCLI {
    @Suite struct Session {
        // MARK: 8. initialize

        @Test func initializeReportsCommandsAndModelsBeforeAnyTurn() async throws {
            let harness = try RealHarness()
            defer { harness.finish() }
            let session = await AgentSession(configuration: harness.launch(), options: RealHarness.sessionOptions)
            let events = SessionEvents(session)
            await session.start()
            let learned = await events.waitFor { if case .capabilitiesLearned = $0 { true } else { false } }
            guard case .capabilitiesLearned(let capabilities)? = learned else {
                Issue.record("no capabilitiesLearned: \(await events.events)")
                await session.terminate()
                return
            }
            // (2.1.331 lists no `cost` here, though `/cost` works as user text; Parley passes it on anyway.)
            for command in ["compact", "clear", "context"] {
                #expect(capabilities.commands.contains(command), "commands: \(capabilities.commands)")
            }
            #expect(capabilities.models.contains("sonnet"), "models: \(capabilities.models)")
            #expect(capabilities.claudeCodeVersion?.isEmpty == false)
            // Before any turn: no turn started, no system/init yet, no conversation request.
            let before = await events.events
            #expect(!before.contains { if case .turnStarted = $0 { true } else { false } })
            #expect(!before.contains { if case .sessionInitialized = $0 { true } else { false } })
            #expect(harness.api.mainRequests.isEmpty)
            #expect(await session.snapshot.capabilities == capabilities)
            // The same process then answers a turn.
            let turn = try await sendAndWait(session, events, "hello")
            #expect(turn.result.text == "Echo: hello")
            #expect(await events.pids.count == 1)
            await session.terminate()
        }

        // MARK: 4. Interrupt

        @Test func interruptWhileTextStreamsAndWhileAToolRunsKeepsTheProcess() async throws {
            let harness = try RealHarness(apiArguments: ["--slow-delay", "0.05"])
            defer { harness.finish() }
            let session = await AgentSession(configuration: harness.launch(allowedTools: ["Bash"]),
                                       options: RealHarness.sessionOptions)
            let events = SessionEvents(session)

            // While text streams.
            var mark = await events.count
            let streaming = await session.send("long answer mock-slow")
            #expect(await events.waitFor(after: mark) { $0.isTextDelta } != nil)
            #expect(await session.interrupt())
            let first = await events.waitFor(after: mark) { $0.isTurnCompleted }
            guard case .turnCompleted(let interrupted)? = first else { Issue.record("no result after interrupt"); return }
            #expect(interrupted.message.id == streaming.id)
            #expect(interrupted.result.wasInterrupted)
            #expect(interrupted.result.terminalReason == "aborted_streaming")
            let afterText = try await sendAndWait(session, events, "after the text interrupt")
            #expect(afterText.result.text?.hasSuffix("after the text interrupt") == true, "\(afterText.result)")
            #expect(!afterText.result.isError)

            // While a tool runs: wait until its `sleep` is running, then interrupt.
            let pid = try #require(await session.snapshot.pid)
            mark = await events.count
            _ = await session.send("run mock-sleeptool=30")
            #expect(await events.waitFor(after: mark) { $0.isToolUse } != nil)
            let sleeping = await waitFor { ProcessTable.descendants(of: pid).contains { $0.command == "sleep" } }
            #expect(sleeping, "no sleep under claude: \(ProcessTable.descendants(of: pid).map(\.command))")
            #expect(await session.interrupt())
            let second = await events.waitFor(after: mark) { $0.isTurnCompleted }
            guard case .turnCompleted(let toolInterrupted)? = second else { Issue.record("no result after tool interrupt"); return }
            #expect(toolInterrupted.result.wasInterrupted)
            #expect(toolInterrupted.result.terminalReason == "aborted_tools")
            // The CLI stopped the tool itself. (No prompt here may contain the word "tool": it is
            // the fake API's magic word for a Bash call.)
            #expect(await waitFor { !ProcessTable.descendants(of: pid).contains { $0.command == "sleep" } })

            let afterTool = try await sendAndWait(session, events, "after the interrupted run")
            #expect(afterTool.result.text?.hasSuffix("after the interrupted run") == true, "\(afterTool.result)")
            // One process all along.
            #expect(await events.pids == [pid])
            #expect(await session.snapshot.pid == pid)
            #expect(!(await events.events).contains { if case .messageNotAnswered = $0 { true } else { false } })
            await session.terminate()
        }

        // MARK: 5. Crash recovery

        @Test func killedMidTurnClaudeIsResumedWithTheConversation() async throws {
            let harness = try RealHarness(apiArguments: ["--slow-delay", "0.05"])
            defer { harness.finish() }
            let session = await AgentSession(configuration: harness.launch(allowedTools: ["Bash"]),
                                       options: RealHarness.sessionOptions)
            let events = SessionEvents(session)
            _ = try await sendAndWait(session, events, "remember the first turn")
            let sessionID = try #require(await session.snapshot.sessionID)
            let firstPid = try #require(await session.snapshot.pid)
            // The child leads its own process group.
            #expect(ProcessTable.entry(firstPid)?.pgrp == firstPid)
            #expect(ProcessTable.entry(firstPid)?.pgrp != getpgrp())

            // SIGKILL while the answer streams. The CLI writes the prompt to its session file about
            // 0.1 s into the turn; a kill before that loses the prompt too (Parley reports the cut
            // message either way), so let a few deltas through first.
            var mark = await events.count
            let cut = await session.send("this turn is cut mock-slow")
            #expect(await events.waitFor(after: mark) { $0.isTextDelta } != nil)
            try await Task.sleep(for: .milliseconds(500))
            kill(firstPid, SIGKILL)
            let restarted = await events.waitFor(after: mark) { event in
                if case .processStarted(_, let resumed) = event { return resumed != nil }
                return false
            }
            guard case .processStarted(let secondPid, let resumed)? = restarted else {
                Issue.record("no restart: \(await events.since(mark))")
                await session.terminate()
                return
            }
            #expect(resumed == sessionID)
            #expect(secondPid != firstPid)
            let crashEvents = await events.since(mark)
            #expect(crashEvents.contains { if case .processExited(.signaled(SIGKILL), false, _) = $0 { true } else { false } })
            // The user is told what happened to the cut turn.
            #expect(crashEvents.contains { event in
                if case .messageNotAnswered(let message, .processCrashed) = event { return message.id == cut.id }
                return false
            }, "\(crashEvents)")
            #expect(crashEvents.contains { if case .restarting = $0 { true } else { false } })
            // The argv of the new process resumes the session.
            let argv = (try? String(contentsOfFile: "/proc/\(secondPid)/cmdline", encoding: .utf8))?
                .split(separator: "\0").map(String.init) ?? []
            #expect(argv.firstIndex(of: "--resume").map { argv[$0 + 1] } == sessionID, "argv: \(argv)")

            // The next request carries the earlier turns and the cut prompt.
            let requestsBefore = harness.api.mainRequests.count
            let after = try await sendAndWait(session, events, "after the crash")
            #expect(after.result.text == "Echo: after the crash")
            #expect(await session.snapshot.sessionID == sessionID)
            let resumedRequest = try #require(harness.api.mainRequests.dropFirst(requestsBefore).first)
            let history = APIRequest.allTexts(resumedRequest)
            for text in ["remember the first turn", "Echo: remember the first turn", "this turn is cut mock-slow"] {
                #expect(history.contains { $0.contains(text) }, "the resumed request lacks \(text): \(history)")
            }
            #expect(resumedRequest["headers"]?["x-claude-code-session-id"]?.stringValue == sessionID)

            // SIGKILL while a tool runs: nothing of the group may be left.
            mark = await events.count
            _ = await session.send("run mock-sleeptool=30")
            #expect(await events.waitFor(after: mark) { $0.isToolUse } != nil)
            var sleepers: [ProcessTable.Entry] = []
            _ = await waitFor {
                sleepers = ProcessTable.descendants(of: secondPid).filter { $0.command == "sleep" }
                return !sleepers.isEmpty
            }
            #expect(!sleepers.isEmpty)
            kill(secondPid, SIGKILL)
            let third = await events.waitFor(after: mark) { event in
                if case .processStarted(let pid, _) = event { return pid != secondPid }
                return false
            }
            #expect(third != nil)
            #expect(ProcessTable.members(ofGroup: secondPid).isEmpty, "left in the group: \(ProcessTable.members(ofGroup: secondPid).map(\.command))")
            // The CLI starts each Bash tool with setsid, so the tool's shell and its `sleep` sit in a
            // session and group of their own that the group kill cannot reach; Parley's sweep (by
            // the token in their inherited environment) must still end them.
            func survivors() -> [ProcessTable.Entry] {
                sleepers.filter { ProcessTable.entry($0.pid).map { $0.state != "Z" } ?? false }
            }
            _ = await waitFor { survivors().isEmpty }
            #expect(survivors().isEmpty, "orphaned after the crash: \(survivors().map { "\($0.pid) \($0.command) pgrp \($0.pgrp)" })")
            for survivor in survivors() { kill(survivor.pid, SIGKILL); kill(-survivor.pgrp, SIGKILL) }

            // The conversation goes on once more.
            let last = try await sendAndWait(session, events, "still here")
            #expect(last.result.text?.hasSuffix("still here") == true, "\(last.result)")
            await session.terminate()
        }

        // MARK: 6. Permission prompts

        @Test func permissionPromptsAllowDenyWithAReasonAndAlways() async throws {
            let harness = try RealHarness()
            defer { harness.finish() }
            let launch = await harness.launch()
            #expect(launch.arguments(for: .initial).contains("--permission-prompt-tool"))
            let session = AgentSession(configuration: launch, options: RealHarness.sessionOptions)
            let events = SessionEvents(session)
            let fileManager = FileManager.default

            // Allow once.
            var mark = await events.count
            _ = await session.send("please mock-write")
            var pending = try #require(await permission(events, after: mark))
            #expect(pending.request.toolName == "Write")
            #expect(pending.request.input["file_path"]?.stringValue == harness.work + "/mock_written.txt")
            await session.answerPermission(requestID: pending.requestID, decision: .allow(input: pending.request.input))
            #expect(await events.waitFor(after: mark) { $0.isTurnCompleted } != nil)
            #expect(fileManager.contents(atPath: harness.work + "/mock_written.txt") == Data("hello\n".utf8))

            // Deny with a reason: the model sees exactly that text.
            mark = await events.count
            _ = await session.send("please mock-write=denied.txt")
            pending = try #require(await permission(events, after: mark))
            let reason = "The user denied this: not that file, \"denied.txt\" is reserved ✋"
            await session.answerPermission(requestID: pending.requestID, decision: .deny(message: reason))
            let denied = await events.waitFor(after: mark) { $0.isTurnCompleted }
            guard case .turnCompleted(let deniedTurn)? = denied else { Issue.record("no result after deny"); return }
            #expect(!deniedTurn.result.isError)
            #expect(!fileManager.fileExists(atPath: harness.work + "/denied.txt"))
            let deniedResults = (harness.api.mainRequests.last).map(APIRequest.toolResults) ?? []
            #expect(deniedResults.contains { $0["is_error"] == true && APIRequest.texts(of: ["content": [$0]]) == [reason] },
                    "tool results: \(deniedResults)")

            // An interrupt while the question is open: the CLI withdraws it (control_cancel_request).
            mark = await events.count
            _ = await session.send("please mock-write=withdrawn.txt")
            pending = try #require(await permission(events, after: mark))
            #expect(await session.interrupt())
            let withdrawn = pending.requestID
            #expect(await events.waitFor(after: mark) { event in
                if case .permissionCancelled(let id) = event { return id == withdrawn }
                return false
            } != nil)
            let cancelled = await events.waitFor(after: mark) { $0.isTurnCompleted }
            guard case .turnCompleted(let cancelledTurn)? = cancelled else { Issue.record("no result after the withdrawal"); return }
            #expect(cancelledTurn.result.wasInterrupted)
            #expect(!fileManager.fileExists(atPath: harness.work + "/withdrawn.txt"))
            // A late answer to the withdrawn question is ignored, and harmless.
            await session.answerPermission(requestID: withdrawn, decision: .allow(input: pending.request.input))

            // Always: the CLI's own suggestion goes back with the allow, and the next Write runs unasked.
            mark = await events.count
            _ = await session.send("please mock-write=always-one.txt")
            pending = try #require(await permission(events, after: mark))
            #expect(!pending.request.suggestions.isEmpty, "the CLI made no suggestion")
            await session.answerPermission(requestID: pending.requestID,
                                           decision: .allow(input: pending.request.input, permissions: pending.request.suggestions))
            #expect(await events.waitFor(after: mark) { $0.isTurnCompleted } != nil)
            #expect(fileManager.fileExists(atPath: harness.work + "/always-one.txt"))

            mark = await events.count
            let unasked = try await sendAndWait(session, events, "please mock-write=always-two.txt")
            #expect(!unasked.result.isError)
            #expect(!(await events.since(mark)).contains { $0.isPermissionRequest })
            #expect(fileManager.contents(atPath: harness.work + "/always-two.txt") == Data("hello\n".utf8))
            #expect(await events.pids.count == 1)
            await session.terminate()
        }

        // MARK: 8. /clear

        @Test func clearGivesANewSessionIDAndACrashResumesTheNewOne() async throws {
            let harness = try RealHarness(apiArguments: ["--slow-delay", "0.05"])
            defer { harness.finish() }
            let session = await AgentSession(configuration: harness.launch(), options: RealHarness.sessionOptions)
            let events = SessionEvents(session)
            _ = try await sendAndWait(session, events, "before the clear")
            let oldID = try #require(await session.snapshot.sessionID)

            var mark = await events.count
            let clear = try await sendAndWait(session, events, "/clear")
            #expect(!clear.result.isError)
            let reset = await events.since(mark).filter { $0 == .status(.conversationReset) }
            #expect(reset.count == 1)
            let newID = try #require(await session.snapshot.sessionID)
            #expect(newID != oldID)
            #expect(clear.result.sessionID == newID)

            _ = try await sendAndWait(session, events, "after the clear")
            #expect(await session.snapshot.sessionID == newID)
            let inits = await events.events.compactMap { event -> String? in
                if case .sessionInitialized(let info) = event { return info.sessionID }
                return nil
            }
            #expect(inits.last == newID)
            // `conversation_reset.new_conversation_id` is not the new session id on 2.1.331; Parley
            // takes the id from the system/init that follows (checked just above), never the reset's.

            // A crash now resumes the NEW session.
            let pid = try #require(await session.snapshot.pid)
            mark = await events.count
            _ = await session.send("cut after the clear mock-slow")
            #expect(await events.waitFor(after: mark) { $0.isTextDelta } != nil)
            try await Task.sleep(for: .milliseconds(300))
            kill(pid, SIGKILL)
            let restarted = await events.waitFor(after: mark) { event in
                if case .processStarted(_, let resumed) = event { return resumed != nil }
                return false
            }
            guard case .processStarted(_, let resumed)? = restarted else {
                Issue.record("no restart: \(await events.since(mark))")
                await session.terminate()
                return
            }
            #expect(resumed == newID)
            let requestsBefore = harness.api.mainRequests.count
            let after = try await sendAndWait(session, events, "after the crash")
            #expect(after.result.text == "Echo: after the crash")
            let history = APIRequest.allTexts(try #require(harness.api.mainRequests.dropFirst(requestsBefore).first))
            #expect(history.contains("after the clear"), "history: \(history)")
            #expect(!history.contains { $0.contains("before the clear") }, "the cleared turn came back: \(history)")
            await session.terminate()
        }
    }
}

/// Waits for the next permission request after event index `mark`.
private func permission(_ events: SessionEvents, after mark: Int) async -> PendingPermission? {
    let event = await events.waitFor(after: mark) { $0.isPermissionRequest }
    if case .permissionRequested(let pending)? = event { return pending }
    return nil
}

/// Polls `condition` for up to `timeout`.
private func waitFor(timeout: Duration = .seconds(15), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(25))
    }
    return condition()
}
