import AgentSession
import StreamJSON
import Terminal

/// What the living status row shows: whether a turn runs and since when, the tool it is in,
/// the output tokens so far, the model, the permission mode and how full the context is.
///
/// Tokens: the API counts a message's output tokens only when it ends (`message_delta`), so
/// the row adds those exact counts of the turn's finished messages to an estimate for the one
/// streaming now, a token per ``bytesPerToken`` bytes of its text and thinking. A value fed every session event (``observe(_:at:)``)
/// and asked for its row (``row(at:width:)``); no I/O, no clock of its own.
struct TurnActivity: Sendable {
    /// When the running turn began; `nil` while idle (then there is no row).
    private(set) var startedAt: ContinuousClock.Instant?
    /// The tool the turn is in (the last one called and not yet answered).
    private(set) var tool: (id: String, name: String)?
    private(set) var model: String?
    private(set) var permissionMode: String?
    /// How full the context was when last asked (percent).
    var contextPercentage: Double?
    /// Output tokens of the turn's finished messages (the API's counts).
    private(set) var finishedOutputTokens = 0
    /// Bytes of text and thinking streamed since the last finished message.
    private(set) var streamedBytes = 0

    /// The estimate for text still streaming: about four bytes of English per token.
    static let bytesPerToken = 4

    /// The turn's output tokens so far: exact for finished messages, estimated for the one streaming.
    var outputTokens: Int { finishedOutputTokens + (streamedBytes + Self.bytesPerToken - 1) / Self.bytesPerToken }

    /// Whether a turn runs.
    var isRunning: Bool { startedAt != nil }

    mutating func observe(_ event: SessionEvent, at now: ContinuousClock.Instant) {
        switch event {
        case .turnStarted:
            startedAt = now
            tool = nil
            finishedOutputTokens = 0
            streamedBytes = 0
        case .textDelta(let text), .thinkingDelta(let text):
            streamedBytes += text.utf8.count
        case .messageUsage(let tokens):
            finishedOutputTokens += tokens
            streamedBytes = 0
        case .toolUse(let use):
            tool = (use.id, use.name)
        case .toolResult(let result) where result.toolUseID == tool?.id:
            tool = nil
        case .sessionInitialized(let info):
            model = info.model
            if let mode = info.permissionMode { permissionMode = mode }
        case .capabilitiesLearned(let learned):
            if let mode = learned.permissionMode { permissionMode = mode }
        case .status(.permissionModeChanged(let mode)):
            permissionMode = mode
        case .turnCompleted, .messageNotAnswered, .processExited, .failed, .closed:
            startedAt = nil
            tool = nil
        default:
            break
        }
    }

    /// Notes a model the user switched to (`/model`): the CLI's next `system/init` says it too.
    mutating func modelChanged(to model: String) { self.model = model }

    /// The row while a turn runs (`nil` at idle): `● running 12s · Bash · ↓ 1.2k tokens · claude-sonnet-4-5 · default · context 23%`
    /// (the line editor cuts it to the terminal's width). Tool and model names come from the CLI,
    /// so the row is made inert.
    func row(at now: ContinuousClock.Instant) -> StyledText? {
        guard let startedAt else { return nil }
        var parts = ["running " + Self.elapsed(now - startedAt)]
        if let tool { parts.append(tool.name) }
        if outputTokens > 0 { parts.append("↓ " + Self.tokens(outputTokens) + " tokens") }
        if let model { parts.append(model) }
        if let permissionMode { parts.append(permissionMode) }
        if let contextPercentage { parts.append("context " + ContextReport.rounded(contextPercentage)) }
        let text = StyledText("● ", .color(.cyan)) + StyledText(parts.joined(separator: " · "), .dim)
        return text.madeInert()
    }

    /// `7s`, `59s`, `1m 05s`, `1h 02m`.
    static func elapsed(_ duration: Duration) -> String {
        let seconds = max(0, Int(duration.components.seconds))
        if seconds < 60 { return "\(seconds)s" }
        if seconds < 3600 { return "\(seconds / 60)m " + twoDigits(seconds % 60) + "s" }
        return "\(seconds / 3600)h " + twoDigits(seconds / 60 % 60) + "m"
    }

    /// `950`, `1.2k`, `12k`, `1.5M` (cut, not rounded).
    static func tokens(_ count: Int) -> String {
        if count < 1000 { return "\(count)" }
        if count < 10_000 { return "\(count / 1000).\(count / 100 % 10)k" }
        if count < 1_000_000 { return "\(count / 1000)k" }
        return "\(count / 1_000_000).\(count / 100_000 % 10)M"
    }

    private static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
