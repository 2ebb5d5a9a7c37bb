/// What the conversation has cost so far, across `claude` processes.
///
/// The CLI's `total_cost_usd` counts only its own process, so after a crash restart (or a
/// `/persona` switch) that resumes the conversation it starts again from zero. This adds each
/// process's growth instead; a process that starts a new conversation (`/new`,
/// `/restart --fresh`) starts the total again.
struct ConversationCost: Sendable, Equatable {
    /// The conversation's total, in US dollars.
    private(set) var totalUSD = 0.0
    /// The running process's own total, as its last result said.
    private var processUSD = 0.0
    private var processes = 0

    /// A process started; `resuming` when it continues the conversation. The first process
    /// always continues what there is (`--continue`, `--resume`).
    mutating func processStarted(resuming: Bool) {
        if processes > 0 && !resuming { totalUSD = 0 }
        processes += 1
        processUSD = 0
    }

    /// A result reported the running process's total.
    mutating func turnEnded(processTotalUSD: Double) {
        totalUSD += max(0, processTotalUSD - processUSD)
        processUSD = max(processUSD, processTotalUSD)
    }
}
