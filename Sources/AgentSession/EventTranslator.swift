import Foundation
import StreamJSON

/// Maps the CLI's decoded lines to ``SessionEvent``s a front end can render directly.
///
/// Pure, with a little state: it remembers what text was streamed for the current block,
/// so that the authoritative `assistant` line that follows is reported as already streamed
/// (or, when the stream was withdrawn or never streamed, as new text to show).
struct EventTranslator: Sendable {
    private var didStreamText = false
    private var streamWithdrawn = false
    private var streamingThinking = false
    /// Set by a withdrawn stream; reported only if the CLI then asks again (an interrupt
    /// also withdraws the unfinished blocks, and then the turn just ends).
    private var restartPending = false

    mutating func translate(_ message: IncomingMessage) -> [SessionEvent] {
        switch message {
        case .system(let system):
            return translate(system)
        case .streamEvent(let event):
            return translate(event)
        case .assistant(let assistant):
            let notice: [SessionEvent] = takeRestartNotice()
            return notice + assistant.content.compactMap { block in
                switch block {
                case .text(let text):
                    if let parent = assistant.parentToolUseID { return .subagentText(text, parentToolUseID: parent) }
                    let streamed = didStreamText && !streamWithdrawn
                    didStreamText = false
                    streamWithdrawn = false
                    return .assistantText(text, alreadyStreamed: streamed, isError: assistant.error != nil)
                case .thinking(let text):
                    streamingThinking = false
                    return .thinking(text)
                case .toolUse(var use):
                    use.parentToolUseID = assistant.parentToolUseID
                    return .toolUse(use)
                case .toolResult, .other:
                    return nil
                }
            }
        case .user(let user):
            return user.content.compactMap { block in
                switch block {
                case .toolResult(var result):
                    result.parentToolUseID = user.parentToolUseID
                    return .toolResult(result)
                case .text(let text) where user.isReplay:
                    return Self.localCommandOutput(text).map { .status(.localCommandOutput($0)) }
                default:
                    return nil
                }
            }
        case .controlRequest(let request):
            if case .canUseTool(let permission) = request.body {
                return [.permissionRequested(PendingPermission(requestID: request.requestID, request: permission))]
            }
            return []
        case .controlCancelRequest(let requestID):
            return [.permissionCancelled(requestID: requestID)]
        case .conversationReset:
            return [.status(.conversationReset)]
        case .toolProgress(let progress):
            return [.status(.toolProgress(toolName: progress.toolName, elapsedSeconds: progress.elapsedSeconds))]
        case .result:
            restartPending = false
            return []
        case .controlResponse, .commandLifecycle, .unknown:
            return []
        }
    }

    private func translate(_ system: SystemMessage) -> [SessionEvent] {
        switch system {
        case .initialized(let info): return [.sessionInitialized(info)]
        case .status(let status):
            if status.status == "compacting" { return [.status(.compacting)] }
            if status.status == nil, let mode = status.permissionMode { return [.status(.permissionModeChanged(mode))] }
            return []
        case .apiRetry(let retry): return [.status(.apiRetry(retry))]
        case .compactBoundary(let pre, let post): return [.status(.compacted(preTokens: pre, postTokens: post))]
        case .permissionDenied(let toolName, _, let message):
            return [.status(.permissionDenied(toolName: toolName, message: message))]
        case .task(let task): return [.status(.task(task))]
        case .sessionStateChanged, .other: return []
        }
    }

    private mutating func takeRestartNotice() -> [SessionEvent] {
        guard restartPending else { return [] }
        restartPending = false
        return [.status(.streamRestarted)]
    }

    private mutating func translate(_ event: StreamEvent) -> [SessionEvent] {
        switch event {
        case .messageStart:
            return takeRestartNotice()
        case .contentBlockStart(_, .text):
            didStreamText = false
            streamWithdrawn = false
            return []
        case .contentBlockStart(_, .thinking):
            streamingThinking = true
            return [.thinkingStarted]
        case .contentBlockDelta(_, .text(let text)):
            return translateTextDelta(text).map { [$0] } ?? []
        case .contentBlockDelta(_, .thinking(let text)):
            return text.isEmpty ? [] : [.thinkingDelta(text)]
        case .messageDelta(_, let outputTokens?):
            return [.messageUsage(outputTokens: outputTokens)]
        case .messageStop(let abandoned):
            if abandoned {
                streamWithdrawn = true
                restartPending = true
            }
            return []
        default:
            return []
        }
    }

    /// A streamed text delta: the event to show, if any (same as ``translate(_:)``, without
    /// an array per delta).
    mutating func translateTextDelta(_ text: String) -> SessionEvent? {
        guard !text.isEmpty else { return nil }
        didStreamText = true
        return .textDelta(text)
    }

    /// `<local-command-stdout>Set model to …</local-command-stdout>` → its inner text.
    static func localCommandOutput(_ text: String) -> String? {
        let open = "<local-command-stdout>", close = "</local-command-stdout>"
        guard let start = text.range(of: open), let end = text.range(of: close, range: start.upperBound..<text.endIndex)
        else { return nil }
        let inner = text[start.upperBound..<end.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines)
        return inner.isEmpty ? nil : inner
    }
}
