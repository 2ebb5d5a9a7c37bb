import Foundation
import StreamJSON
import Testing
@testable import AgentSession

/// The output flow without a process: stdout chunks in, events and the machine's answers out.
@Suite struct ChunkProcessorTests {
    static let uuid = "u1"
    static let initLine = #"{"type":"system","subtype":"init","session_id":"s1","model":"m","tools":[],"claude_code_version":"2.1.331"}"#
    static func delta(_ text: String) -> String {
        #"{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"\#(text)"}}}"#
    }
    static let assistant = #"{"type":"assistant","message":{"id":"a","role":"assistant","content":[{"type":"text","text":"Hello"}]}}"#
    static func result(_ uuid: String) -> String {
        #"{"type":"result","subtype":"success","is_error":false,"result":"Hello","total_cost_usd":0.1,"session_id":"s1","user_message_uuids":["\#(uuid)"]}"#
    }

    /// A machine with a running turn for message `u1`.
    static func busyMachine(queued: [String] = []) -> SessionStateMachine {
        var machine = SessionStateMachine()
        _ = machine.handle(.start)
        _ = machine.handle(.spawned)
        _ = machine.handle(.send(QueuedMessage(id: uuid, text: "hi", sequenceNumber: 1)))
        for (n, text) in queued.enumerated() {
            _ = machine.handle(.send(QueuedMessage(id: "q\(n)", text: text, sequenceNumber: n + 2)))
        }
        return machine
    }

    static func process(_ text: String, _ processor: inout ChunkProcessor, _ machine: inout SessionStateMachine)
        -> ChunkProcessor.Output {
        Array(text.utf8).withUnsafeBufferPointer { processor.process($0, machine: &machine) }
    }

    @Test func aChunksTextDeltasLeaveAsOneEventBeforeTheNextEvent() {
        var processor = ChunkProcessor()
        var machine = Self.busyMachine()
        let chunk = [Self.initLine, Self.delta("Hel"), Self.delta("lo"), Self.assistant, ""].joined(separator: "\n")
        let output = Self.process(chunk, &processor, &machine)
        guard output.events.count == 3 else { Issue.record("events: \(output.events)"); return }
        if case .sessionInitialized = output.events[0] {} else { Issue.record("first: \(output.events[0])") }
        #expect(output.events[1] == .textDelta("Hello"))
        #expect(output.events[2] == .assistantText("Hello", alreadyStreamed: true, isError: false))
        #expect(output.lastMessage == "assistant")
        #expect(machine.sessionID == "s1" && machine.claudeCodeVersion == "2.1.331")
    }

    @Test func trailingTextOfAChunkIsFlushedAtItsEnd() {
        var processor = ChunkProcessor()
        var machine = Self.busyMachine()
        let output = Self.process(Self.delta("a") + "\n" + Self.delta("b") + "\n", &processor, &machine)
        #expect(output.events == [.textDelta("ab")])
        #expect(output.lastMessage == "stream content_block_delta")
    }

    @Test func aLineSplitAcrossChunksIsHandledOnce() {
        var processor = ChunkProcessor()
        var machine = Self.busyMachine()
        let line = Self.delta("split") + "\n"
        let cut = line.utf8.count / 2
        let first = Self.process(String(line.prefix(cut)), &processor, &machine)
        #expect(first.events.isEmpty && first.lastMessage == nil)
        let second = Self.process(String(line.dropFirst(cut)), &processor, &machine)
        #expect(second.events == [.textDelta("split")])
    }

    @Test func aResultEndsTheTurnAndSendsTheNextQueuedMessage() {
        var processor = ChunkProcessor()
        var machine = Self.busyMachine(queued: ["next"])
        let output = Self.process(Self.result(Self.uuid) + "\n", &processor, &machine)
        #expect(output.events.contains { if case .turnCompleted = $0 { true } else { false } })
        #expect(output.events.contains { if case .turnStarted(let message) = $0 { message.text == "next" } else { false } })
        #expect(output.startedTurn)
        #expect(output.actions.contains { if case .write(.user("next", _)) = $0 { true } else { false } })
    }

    @Test func junkIsReportedButIsNoSignOfLife() {
        var processor = ChunkProcessor()
        var machine = Self.busyMachine()
        let output = Self.process("not json\n", &processor, &machine)
        #expect(output.lastMessage == nil)
        #expect(output.events.count == 1)
        if case .undecodableLine = output.events.first {} else { Issue.record("events: \(output.events)") }
    }

    @Test func controlAnswersAndUnknownRequestsAreHandedBack() {
        var processor = ChunkProcessor()
        var machine = Self.busyMachine()
        let chunk = #"{"type":"control_response","response":{"subtype":"success","request_id":"parley-x-1","response":{}}}"#
            + "\n" + #"{"type":"control_request","request_id":"r9","request":{"subtype":"hook_callback"}}"# + "\n"
        let output = Self.process(chunk, &processor, &machine)
        #expect(output.controlResponses.map(\.requestID) == ["parley-x-1"])
        #expect(output.replies.count == 1)
        if case .controlErrorResponse(let id, _)? = output.replies.first { #expect(id == "r9") }
        // A control answer does not acknowledge the turn (the CLI gives it before reading on).
        if case .busy(let turn) = machine.phase { #expect(!turn.acknowledged) } else { Issue.record("\(machine.phase)") }
    }

    @Test func theLastLineWithoutANewlineIsHandledAtTheEnd() {
        var processor = ChunkProcessor()
        var machine = Self.busyMachine()
        let output = Self.process(Self.result(Self.uuid), &processor, &machine)
        #expect(output.events.isEmpty)
        let last = processor.finish(machine: &machine)
        #expect(last.events.contains { if case .turnCompleted = $0 { true } else { false } })
    }
}

/// The stall watchdog's decisions, on made-up times: no sleeping.
@Suite struct StallWatchdogTests {
    @Test func silenceIsReportedOncePerStall() {
        var dog = StallWatchdog(timeout: .seconds(10))
        dog.turnStarted(at: .seconds(100))
        #expect(dog.check(at: .seconds(105), turnRunning: true, outputHeld: false) == .keepWatching)
        #expect(dog.check(at: .seconds(110), turnRunning: true, outputHeld: false)
            == .stalled(silentFor: .seconds(10), lastEvent: "turn started"))
        #expect(dog.check(at: .seconds(120), turnRunning: true, outputHeld: false) == .keepWatching)
        // Life again, then a second silence: reported again, with what came last.
        dog.activity(at: .seconds(121), lastEvent: "assistant")
        #expect(dog.check(at: .seconds(122), turnRunning: true, outputHeld: false) == .keepWatching)
        #expect(dog.check(at: .seconds(131), turnRunning: true, outputHeld: false)
            == .stalled(silentFor: .seconds(10), lastEvent: "assistant"))
    }

    @Test func heldOutputIsNotSilence() {
        var dog = StallWatchdog(timeout: .seconds(10))
        dog.turnStarted(at: .zero)
        #expect(dog.check(at: .seconds(50), turnRunning: true, outputHeld: true) == .keepWatching)
        #expect(dog.check(at: .seconds(55), turnRunning: true, outputHeld: false) == .keepWatching)
    }

    @Test func noTurnStopsTheChecks() {
        var dog = StallWatchdog(timeout: .seconds(10))
        #expect(dog.check(at: .seconds(50), turnRunning: false, outputHeld: false) == .stop)
        #expect(StallWatchdog(timeout: .seconds(1)).checkInterval == .milliseconds(250))
        #expect(StallWatchdog(timeout: .milliseconds(40)).checkInterval == .milliseconds(20))
    }
}
