import Locking
import Terminal

/// Tells a person at a terminal what needs them, through the line editor's controls: the window
/// title says the persona and the state (idle, running, waiting for you); a turn that ran at least
/// `notifyAfter` ends with the bell and a desktop notification, and so does a question that waits
/// (a permission question, `AskUserQuestion`, `ExitPlanMode`); each turn's end is marked for the terminal (OSC 133 D).
/// Interactive use only: scripts never get these.
final class AttentionSignals: Sendable {
    /// The title's state.
    enum State: String, Sendable {
        case idle
        case running
        case waiting = "waiting for you"
    }

    private struct Turn {
        var startedAt: ContinuousClock.Instant?
        var questions = 0
    }

    private let send: @Sendable (TerminalControl) -> Void
    private let persona: @Sendable () -> String
    private let now: @Sendable () -> ContinuousClock.Instant
    /// `nil`: long turns are not announced.
    private let notifyAfter: Duration?
    private let turn = Locked(Turn())

    /// - Parameters:
    ///   - notifyAfterSeconds: `notify_after_seconds`; 0 turns the turn-end notification off.
    ///   - persona: the persona's name now.
    ///   - send: hands a control to the line editor.
    init(notifyAfterSeconds: Int, persona: @escaping @Sendable () -> String,
         now: @escaping @Sendable () -> ContinuousClock.Instant = { .now },
         send: @escaping @Sendable (TerminalControl) -> Void) {
        self.notifyAfter = notifyAfterSeconds > 0 ? .seconds(notifyAfterSeconds) : nil
        self.persona = persona
        self.now = now
        self.send = send
    }

    /// `parley - running`, `reviewer - waiting for you` (ASCII: some terminals and tmux show no
    /// more in a title).
    static func title(persona: String, state: State) -> String {
        (persona == "default" ? "parley" : persona) + " - " + state.rawValue
    }

    /// At start, and when the persona changes: the title with the current state.
    func showTitle() {
        let state: State = turn.withLock { $0.questions > 0 ? .waiting : ($0.startedAt == nil ? .idle : .running) }
        send(.title(Self.title(persona: persona(), state: state)))
    }

    func turnStarted() {
        turn.withLock { $0 = Turn(startedAt: now()) }
        showTitle()
    }

    func turnEnded() {
        let startedAt = turn.withLock { turn in
            defer { turn = Turn() }
            return turn.startedAt
        }
        guard let startedAt else { return }
        send(.commandFinished)
        showTitle()
        let elapsed = now() - startedAt
        if let notifyAfter, elapsed >= notifyAfter {
            call("turn finished after " + TurnActivity.elapsed(elapsed))
        }
    }

    /// A question waits for the user: `tool` is what asks (`AskUserQuestion`, or the tool that
    /// needs permission).
    func questionAsked(tool: String) {
        turn.withLock { $0.questions += 1 }
        showTitle()
        switch tool {
        case AgentQuestion.toolName: call("claude asks you a question")
        case AgentQuestion.planToolName: call("claude asks you to approve a plan")
        default: call("claude asks to use \(tool)")
        }
    }

    func questionAnswered() {
        turn.withLock { $0.questions = max(0, $0.questions - 1) }
        showTitle()
    }

    private func call(_ message: String) {
        send(.alert(title: "Parley · " + (persona() == "default" ? "parley" : persona()), body: message))
    }
}
