import AgentSession
import Foundation
import ParleyTestSupport
import StreamJSON
import Testing
@testable import ParleyApp

/// Slash commands through the controller, against a live `fake-claude`, with output
/// asserted through a recording console.
@Suite(.serialized, .timeLimit(.minutes(3))) struct ControllerCommandTests {
    struct Harness {
        let directory = TemporaryDirectory("parley-controller")
        let console = RecordingConsole()
        let controller: SessionController
        var record: FakeClaudeRecord { FakeClaudeRecord(path: directory.file("record.jsonl")) }

        init(configuration: ParleyConfiguration = .builtIn, persona: String = "default", autoApprove: AutoApprovePolicy = .none) async throws {
            let environment = cleanEnvironment(home: directory.path, extra: [
                "FAKE_CLAUDE_RECORD": directory.file("record.jsonl"), "FAKE_CLAUDE_STATE_DIR": directory.path,
            ])
            let base = LaunchConfiguration(claudePath: TestBinaries.fakeClaude, workingDirectory: directory.path,
                                           baseEnvironment: environment)
            let launch = try configuration.personas[persona]!.launchConfiguration(base: base)
            let session = AgentSession(configuration: launch, options: SessionOptions(
                recovery: .init(delays: [.milliseconds(50)], maxAttempts: 3), stallTimeout: nil))
            controller = SessionController(
                session: session, console: console, presentation: .transcript(TranscriptPresenter(mode: .plain)),
                configuration: configuration, personaName: persona, baseLaunch: base, overrides: LaunchOverrides(),
                autoApprove: autoApprove)
            await controller.start(spawningClaude: false)
        }

        func settle() async {
            await controller.waitUntilSettled()
        }

        func finish() async {
            await controller.shutdown()
            directory.remove()
        }
    }

    @Test func queueListsDropsAndClears() async throws {
        let harness = try await Harness()
        await harness.controller.submit("slow fc:slow=30 fc:words=20000")
        await harness.controller.submit("alpha")
        await harness.controller.submit("beta")
        await harness.controller.submit("gamma")
        await harness.controller.submit("/queue")
        #expect(harness.console.lines(.info) == ["1. alpha", "2. beta", "3. gamma"])
        await harness.controller.submit("/queue drop 2")
        await harness.controller.submit("/queue drop 9")
        #expect(harness.console.lines(.info).last == "dropped 2: beta")
        #expect(harness.console.lines(.error).last?.contains("no queued message 9") == true)
        await harness.controller.submit("/queue clear")
        #expect(harness.console.lines(.info).last == "cleared 2 queued messages")
        // The slow turn outlasts any loaded machine (ten minutes); end it now.
        _ = await harness.controller.interrupt()
        await harness.settle()
        #expect(harness.record.userTexts == ["slow fc:slow=30 fc:words=20000"])
        #expect(harness.console.lines(.status).filter { $0.hasPrefix("queued (") } == [
            "queued (1): alpha", "queued (2): beta", "queued (3): gamma",
        ])
        await harness.finish()
    }

    @Test func statusShowsTheSession() async throws {
        let harness = try await Harness()
        await harness.controller.submit("hello")
        await harness.settle()
        await harness.controller.submit("/status")
        let lines = harness.console.lines(.info)
        #expect(lines.count == 3)
        #expect(lines[0].contains("pid ") && lines[0].contains("model claude-opus-5-5") && lines[0].contains("persona default"))
        #expect(lines[1].hasPrefix("idle · queue 0 · turns 1 · cost $"))
        #expect(lines[1].contains("restarts 0"))
        #expect(lines[2].contains("claude 2.1.331"))
        await harness.finish()
    }

    @Test func unknownCommandsAreOneLineWithASuggestion() async throws {
        let harness = try await Harness()
        await harness.controller.submit("/perosna")
        #expect(harness.console.lines(.error) == [
            "unknown command /perosna (did you mean /persona?); /help lists commands, // sends a message starting with /",
        ])
        #expect(harness.record.userTexts.isEmpty)
        await harness.finish()
    }

    @Test func personaListAndSwitch() async throws {
        let configuration = ParleyConfiguration(personas: [
            "reviewer": Persona(name: "reviewer", description: "Careful reviewer", systemPrompt: "Review.", model: "sonnet"),
        ])
        let harness = try await Harness(configuration: configuration)
        await harness.controller.submit("/persona")
        #expect(harness.console.lines(.info) == ["* default", "  reviewer  Careful reviewer"])
        await harness.controller.submit("first")
        await harness.settle()
        await harness.controller.submit("/persona reviewer")
        await harness.controller.submit("second")
        await harness.settle()
        #expect(await harness.controller.personaName == "reviewer")
        let argvs = harness.record.argvs
        #expect(argvs.count == 2)
        #expect(argvs[1].contains("--system-prompt") && argvs[1].contains("sonnet"))
        #expect(argvs[1].contains("--resume"))
        await harness.controller.submit("/persona default --fresh")
        await harness.controller.submit("third")
        await harness.settle()
        #expect(harness.record.argvs.count == 3)
        #expect(!harness.record.argvs[2].contains("--resume"))
        await harness.controller.submit("/persona nobody")
        #expect(harness.console.lines(.error).last?.contains("no persona named nobody") == true)
        await harness.finish()
    }

    @Test func modelAndPermissionsUseControlRequests() async throws {
        let harness = try await Harness()
        await harness.controller.submit("/model sonnet")
        #expect(harness.console.lines(.status).contains { $0.hasPrefix("● model") && $0.contains("sonnet") })
        await harness.controller.submit("/model bogus")
        #expect(harness.console.lines(.error).last?.contains("Model 'bogus' not found") == true)
        await harness.controller.submit("/permissions acceptEdits")
        #expect(harness.console.lines(.status).contains("● permission mode acceptEdits"))
        await harness.controller.submit("/permissions yolo")
        #expect(harness.console.lines(.error).last?.hasPrefix("permission mode not changed") == true)
        let subtypes = harness.record.stdinLines.compactMap { $0["request"]?["subtype"]?.stringValue }
        #expect(subtypes.contains("set_model") && subtypes.contains("set_permission_mode"))
        await harness.finish()
    }

    @Test func retryResendsTheMessageACrashCut() async throws {
        let harness = try await Harness()
        await harness.controller.submit("cut me fc:kill fc:once")
        await harness.settle()
        #expect(harness.console.lines(.error).contains { $0.contains("not answered") })
        await harness.controller.submit("/retry")
        await harness.settle()
        #expect(harness.record.userTexts == ["cut me fc:kill fc:once", "cut me fc:kill fc:once"])
        #expect(harness.console.streamedText.contains("Echo: cut me"))
        await harness.controller.submit("/retry")
        #expect(harness.console.lines(.info).last == "nothing to retry")
        await harness.finish()
    }

    @Test func interruptCommand() async throws {
        let harness = try await Harness()
        await harness.controller.submit("/interrupt")
        #expect(harness.console.lines(.info).last == "nothing to interrupt")
        await harness.controller.submit("long fc:slow=50 fc:words=300")
        // The turn is under way once its first words have been presented.
        let started = await ProcessInspector.eventually(timeout: .seconds(20)) { !harness.console.streamedText.isEmpty }
        #expect(started, "the reply never began; errors: \(harness.console.lines(.error))")
        await harness.controller.submit("/interrupt")
        await harness.settle()
        let statuses = harness.console.lines(.status)
        #expect(statuses.contains("interrupting…") && statuses.contains("⏹ interrupted"), "status lines: \(statuses)")
        // The CLI was sent an interrupt request, and the 300-word reply (15 s) stopped short.
        #expect(harness.record.stdinLines.contains { $0["request"]?["subtype"] == "interrupt" })
        let words = harness.console.streamedText.split(whereSeparator: \.isWhitespace).count
        #expect(words < 300, "the whole reply arrived (\(words) words): the turn was not interrupted")
        // The same process answers the next message.
        await harness.controller.submit("after")
        await harness.settle()
        #expect(harness.console.streamedText.contains("Echo: after"))
        #expect(harness.record.starts.count == 1)
        await harness.finish()
    }

    @Test func scriptedPermissionPolicyDeniesAndSaysSo() async throws {
        let harness = try await Harness(autoApprove: .none)
        await harness.controller.submit("write fc:permission=Write")
        await harness.settle()
        #expect(harness.console.lines(.error).contains { $0.hasPrefix("✗ denied Write(") && $0.contains("--auto-approve") })
        #expect(harness.record.stdinLines.contains { $0["response"]?["response"]?["behavior"] == "deny" })
        await harness.finish()
        let allowing = try await Harness(autoApprove: .edits)
        await allowing.controller.submit("write fc:permission=Write")
        await allowing.settle()
        #expect(allowing.record.stdinLines.contains { $0["response"]?["response"]?["behavior"] == "allow" })
        await allowing.finish()
    }

    @Test func helpListsEveryCommand() async throws {
        let harness = try await Harness()
        await harness.controller.submit("/help")
        let text = harness.console.lines(.info).joined(separator: "\n")
        for name in ["/help", "/quit", "/restart", "/new", "/queue", "/persona", "/model", "/interrupt", "/status", "/retry"] {
            #expect(text.contains(name))
        }
        await harness.finish()
    }
}
