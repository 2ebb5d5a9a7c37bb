import AgentSession
import StreamJSON
import Terminal

/// How full the context is: `/context`, the status row's share, and the warning past 80%.
extension SessionController {
    public func contextUsage() async throws(SessionError) -> ContextUsage {
        let usage = try await session.request(GetContextUsageRequest())
        activity.withLock { $0.contextPercentage = ContextReport.percentage(of: usage) }
        return usage
    }

    public func warnIfContextFull(_ usage: ContextUsage) {
        let percentage = ContextReport.percentage(of: usage)
        guard percentage >= ContextReport.warningPercentage else {
            // Compacted or cleared: the next time it fills up is worth a warning again.
            warnedContextFull = false
            return
        }
        guard !warnedContextFull else { return }
        warnedContextFull = true
        say(StyledText(ContextReport.warning(for: usage), .color(.yellow)), kind: .error,
            fields: ["kind": "context_full", "percentage": .number(percentage)])
    }

    /// Asks how full the context is after every turn (interactive use: the status row shows it
    /// and the warning comes without `/context`).
    public func trackContextUsage() { tracksContextUsage = true }

    /// Learns the context's use after a turn; says nothing when the CLI cannot tell.
    func refreshContextUsage() async {
        guard let usage = try? await contextUsage() else { return }
        warnIfContextFull(usage)
    }
}
