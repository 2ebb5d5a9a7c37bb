import StreamJSON

/// One stdout chunk of the CLI in, what it means out: the pure middle of the output flow
/// (framer → decoder → translator → batching, with the state machine's answers).
///
/// No I/O and no clock: ``AgentSession`` feeds it chunks and performs the result (puts the
/// events on its stream, writes what the machine asks for, hands control answers to its
/// ``ControlRequestClient``). Tested without processes, like ``SessionStateMachine``.
///
/// Kept fast, since every byte of every reply passes here: a line inside a chunk is lent as
/// a slice of it (never copied); the text deltas decoded from one chunk leave as one event,
/// flushed before any other event so order and latency are kept; and the content deltas of a
/// turn the machine has seen begin skip the machine (they change nothing there).
struct ChunkProcessor {
    /// What one chunk produced, in order within each kind.
    struct Output {
        /// Events for the stream, in order; a chunk's text deltas merged.
        var events: [SessionEvent] = []
        /// The machine's other actions (e.g. writing the next queued message), in order.
        var actions: [SessionStateMachine.Action] = []
        /// Answers to Parley's control requests.
        var controlResponses: [ControlResponse] = []
        /// Lines to write back: refusals of control requests Parley cannot serve.
        var replies: [OutgoingMessage] = []
        /// The last well-formed message, described for a stall report; `nil` when the chunk
        /// held none (junk is no sign of life).
        var lastMessage: String?
        /// A turn started (a queued message went out).
        var startedTurn = false

        var isEmpty: Bool { events.isEmpty && actions.isEmpty && controlResponses.isEmpty && replies.isEmpty }
    }

    private var framer = NDJSONFramer()
    private let decoder = MessageDecoder()
    private var translator = EventTranslator()
    private var output = Output()
    /// Text deltas of the chunk, not yet an event.
    private var pendingText = ""

    /// Frames and handles one stdout chunk.
    mutating func process(_ chunk: UnsafeBufferPointer<UInt8>, machine: inout SessionStateMachine) -> Output {
        var framer = self.framer
        self.framer = NDJSONFramer()
        framer.append(borrowing: chunk) { line in handle(line, machine: &machine) }
        self.framer = framer
        return takeOutput()
    }

    /// The process ended: handles its last line if it had no newline.
    mutating func finish(machine: inout SessionStateMachine) -> Output {
        if let last = framer.finish() {
            switch last {
            case .oversized(let byteCount):
                handle(.oversized(byteCount: byteCount), machine: &machine)
            case .complete(let bytes):
                bytes.withUnsafeBufferPointer { handle(.complete($0), machine: &machine) }
            }
        }
        return takeOutput()
    }

    private mutating func takeOutput() -> Output {
        flushPendingText()
        defer { output = Output() }
        return output
    }

    private mutating func handle(_ line: NDJSONFramer.BorrowedLine, machine: inout SessionStateMachine) {
        switch line {
        case .oversized(let byteCount):
            emit(.undecodableLine(UndecodableLine(
                text: "", byteCount: byteCount, reason: "a line of \(byteCount) bytes, over the framer's limit")))
        case .complete(let bytes):
            switch decoder.decode(bytes) {
            case .failure(let undecodable):
                emit(.undecodableLine(undecodable))
            case .success(let message):
                handle(message, machine: &machine)
            }
        }
    }

    private mutating func handle(_ message: IncomingMessage, machine: inout SessionStateMachine) {
        output.lastMessage = Self.describe(message)
        if case .streamEvent(.contentBlockDelta(_, .text(let text))) = message {
            // The bulk of a reply: no event array, and the machine only when it cares.
            if case .textDelta(let text)? = translator.translateTextDelta(text) { pendingText += text }
            if !machine.ignores(message) { perform(machine.handle(.childMessage(message))) }
            return
        }
        switch message {
        case .controlResponse(let response):
            output.controlResponses.append(response)
            return
        case .controlRequest(let request):
            if case .other(let subtype, _) = request.body {
                output.replies.append(.controlErrorResponse(
                    requestID: request.requestID,
                    message: "Parley does not support control request \(subtype ?? "(none)")"))
            }
        default:
            break
        }
        for event in translator.translate(message) { emit(event) }
        perform(machine.handle(.childMessage(message)))
    }

    private mutating func perform(_ actions: [SessionStateMachine.Action]) {
        for action in actions {
            if case .emit(let event) = action {
                if case .turnStarted = event { output.startedTurn = true }
                emit(event)
            } else {
                output.actions.append(action)
            }
        }
    }

    private mutating func emit(_ event: SessionEvent) {
        flushPendingText()
        output.events.append(event)
    }

    private mutating func flushPendingText() {
        guard !pendingText.isEmpty else { return }
        output.events.append(.textDelta(pendingText))
        pendingText = ""
    }

    static func describe(_ message: IncomingMessage) -> String {
        switch message {
        case .system(let system):
            switch system {
            case .initialized: "system/init"
            case .status: "system/status"
            case .apiRetry(let retry): "system/api_retry \(retry.attempt)/\(retry.maxRetries)"
            default: "system"
            }
        case .streamEvent(let event):
            switch event {
            case .messageStart: "stream message_start"
            case .contentBlockStart: "stream content_block_start"
            case .contentBlockDelta: "stream content_block_delta"
            case .contentBlockStop: "stream content_block_stop"
            case .messageDelta: "stream message_delta"
            case .messageStop: "stream message_stop"
            case .other(let type, _): "stream \(type ?? "?")"
            }
        case .assistant: "assistant"
        case .user: "user"
        case .result: "result"
        case .controlRequest: "control_request"
        case .controlResponse: "control_response"
        case .controlCancelRequest: "control_cancel_request"
        case .commandLifecycle: "command_lifecycle"
        case .conversationReset: "conversation_reset"
        case .toolProgress: "tool_progress"
        case .unknown(let type, _): type ?? "unknown"
        }
    }
}
