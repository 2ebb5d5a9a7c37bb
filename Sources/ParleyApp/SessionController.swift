import AgentSession
import Conversations
import Foundation
import Locking
import StreamJSON
import Terminal

/// The app's centre: it owns the ``AgentSession`` and its lifecycle (``start(spawningClaude:)``,
/// ``interrupt()``, ``shutdown()``), presents its events, runs slash commands against its
/// ``CommandContext`` side and answers permission questions. Front ends only feed it lines and
/// keys; ``ControllerAssembly`` is the one place that builds it.
public actor SessionController {
    /// How events are shown.
    public enum Presentation: Sendable {
        case transcript(TranscriptPresenter)
        case json
    }

    let session: AgentSession
    let console: any Console
    let registry: CommandRegistry
    var presentation: Presentation
    private var jsonEncoder = JSONEventEncoder()
    let configuration: ParleyConfiguration
    let overrides: LaunchOverrides
    let baseLaunch: LaunchConfiguration
    public internal(set) var personaName: String
    var autoApprove: AutoApprovePolicy
    private(set) var prompter: (any PermissionPrompter)?
    private(set) var capabilities: SessionCapabilities?
    /// The turn's error said `claude` has no credentials: the turn's end adds what to do.
    private var notLoggedIn = false
    /// `claude`'s own commands that are passed to it.
    private(set) var cliCommands = CLICommands()
    var lastUnanswered: QueuedMessage?
    private var debugLog: DebugLog?
    /// True once any turn ended in error or a message went unanswered (exit status 1).
    public private(set) var sawFailure = false
    /// Set by `/quit`.
    public internal(set) var quitRequested = false
    let sources = Locked(CompletionSources())
    /// Whether `/model` completes from the CLI's catalog (`SessionController+Completion.swift`).
    var modelCatalog = ModelCatalog.unwanted
    /// Whether completion's sources are kept current (a person at a terminal).
    var completesInteractively = false
    /// The prompts completion last saw: their count and the last one's id.
    var mirroredPrompts: (count: Int, lastID: String?) = (0, nil)
    var personaObservers: [@Sendable (String) -> Void] = []
    private var activityObservers: [@Sendable (Bool) -> Void] = []
    private var queueLengthObservers: [@Sendable (Int) -> Void] = []
    /// The interactive edit line (`/queue edit N`, `/edit`); `nil` without one.
    private(set) var editLine: (any EditLineControl)?
    private(set) var questionObservers: [@Sendable (String?) -> Void] = []
    private var checkedVersion = false
    /// A change a command asked for whose echo from the CLI (a `permission_mode` status, the
    /// "Set model to …" text) is not shown: the command's own line says it once.
    private var pendingEchoes = PendingEchoes()
    /// The conversation's cost across processes (`/status`, turn footers).
    private(set) var cost = ConversationCost()
    private var presentedEventCount = 0
    private var presentationWaiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    /// Set when nobody is reading any more (stdout closed): nothing more is written.
    private(set) var silenced = false
    /// What the living status row shows (read from the ticker's task, off the actor).
    let activity = Locked(TurnActivity())
    /// Whether the context is asked for after every turn (``trackContextUsage()``).
    var tracksContextUsage = false
    /// Whether the context-full warning has been said (until the context falls back under).
    var warnedContextFull = false
    /// The model's plan and the CLI's background tasks (`/tasks`).
    private(set) var tasks = TaskBoard()
    /// The checkboxes the locale can show.
    let taskGlyphs: TaskListView.Glyphs
    /// The task presenting events, from ``start(spawningClaude:)`` to ``shutdown()``.
    private var presenting: Task<Void, Never>?
    /// Where conversation features read and write.
    let files: ConversationFiles
    /// The conversation `--resume`/`--continue` chose, shown again at start.
    private let resumedAtStart: (transcript: Transcript, name: String?)?
    /// The last answer (`/copy`).
    public internal(set) var lastAnswer: String?
    /// Writes to the terminal's clipboard, when there is one (see ``setClipboard(_:)``).
    var clipboard: (@Sendable (String) -> Bool)?
    /// Where queued messages are kept until sent (interactive use, ``keepQueue(in:)``).
    var queueJournal: QueueJournal?
    /// The queue as kept in the journal, and what an earlier run left unsent (`/queue restore`).
    var journaledQueue: [QueueJournal.Message] = []
    var unsentFromLastRun: [QueueJournal.Message] = []
    /// While `/queue restore` sends: ids that left the queue before the restore could journal them.
    var sentWhileRestoring: Set<String>?
    /// The conversation's id, from the last `system/init`.
    var currentSessionID: String?
    /// This conversation's prompts and file changes, for `/rewind` and `/undo`
    /// (`SessionController+Rewind.swift`).
    var history = ConversationHistory() {
        // No `oldValue` here: naming it would copy the history before every change, and every
        // append to its prompts would then copy them all.
        didSet { if completesInteractively { mirrorPromptsIfChanged() } }
    }
    /// Change receipts being asked for: they never hold up the events (the CLI's answer could
    /// wait behind the next turn's output), but a script's next line waits for them.
    var receiptsInFlight = 0
    var receiptWaiters: [CheckedContinuation<Void, Never>] = []
    /// `!command`s running or waiting, and what is held behind them.
    var local = LocalCommandQueue()

    public init(session: AgentSession, console: any Console, presentation: Presentation,
                configuration: ParleyConfiguration, personaName: String, baseLaunch: LaunchConfiguration,
                overrides: LaunchOverrides, autoApprove: AutoApprovePolicy, debugLogPath: String? = nil,
                registry: CommandRegistry = .standard,
                conversationFiles: ConversationFiles = ConversationFiles(paths: ParleyPaths(), childEnvironment: [:]),
                resumedAtStart: (transcript: Transcript, name: String?)? = nil) {
        self.files = conversationFiles
        self.resumedAtStart = resumedAtStart
        self.session = session
        self.console = console
        self.presentation = presentation
        self.configuration = configuration
        self.personaName = personaName
        self.baseLaunch = baseLaunch
        self.overrides = overrides
        self.autoApprove = autoApprove
        self.registry = registry
        self.debugLog = debugLogPath.flatMap { DebugLog(path: $0) }
        self.taskGlyphs = .forLocale(baseLaunch.baseEnvironment)
        var initial = CompletionSources()
        initial.personaNames = configuration.personaNames
        initial.cliCommands = CLICommands().names.sorted()
        initial.conversations = ConversationCatalog(store: conversationFiles.store(workingDirectory: baseLaunch.workingDirectory),
                                                    files: conversationFiles)
        sources.withLock { $0 = initial }
    }

    // MARK: Lifecycle

    /// Starts presenting the session's events; with `spawningClaude`, also starts `claude` in
    /// the background (interactive use: `initialize` fills completion before the first turn).
    /// Otherwise the first message starts it.
    public func start(spawningClaude: Bool) async {
        guard presenting == nil else { return }
        presenting = Task { await self.consumeEvents() }
        if let resumedAtStart { showResumed(resumedAtStart.transcript, name: resumedAtStart.name) }
        if spawningClaude { await session.start() }
    }

    /// Interrupts the running turn (Ctrl-C, `/interrupt`); false when no turn runs.
    public func interrupt() async -> Bool {
        await session.interrupt()
    }

    /// Whether no turn or `!command` runs and nothing is queued.
    public var isSettled: Bool {
        get async {
            guard localCommandsIdle else { return false }
            return await session.isSettled
        }
    }

    /// Whether `claude` could not be recovered (until `/restart`).
    public var hasFailed: Bool {
        get async {
            if case .failed = await session.snapshot.phase { return true }
            return false
        }
    }

    /// Ends the session: the teardown sequence runs and every event is presented before this
    /// returns. Call it once, when the front end stops.
    public func shutdown() async {
        await endLocalCommands()
        await session.terminate()
        await presenting?.value
    }

    /// Sets who answers permission questions (interactive use); `nil` uses the policy.
    public func setPermissionPrompter(_ prompter: (any PermissionPrompter)?) {
        self.prompter = prompter
    }

    /// Called with the persona name whenever it changes (the prompt shows it).
    public func observePersona(_ observer: @escaping @Sendable (String) -> Void) {
        personaObservers.append(observer)
    }

    /// Called with true when a turn starts and false when it ends (the editor keeps a
    /// half-typed line on Ctrl-C only while a turn runs).
    public func observeActivity(_ observer: @escaping @Sendable (Bool) -> Void) {
        activityObservers.append(observer)
    }

    /// Tells the activity observers that a turn or a `!command` started (true) or ended.
    func notifyActivity(_ busy: Bool) {
        for observer in activityObservers { observer(busy) }
    }

    /// Called with the number of queued messages whenever it may have changed.
    public func observeQueueLength(_ observer: @escaping @Sendable (Int) -> Void) {
        queueLengthObservers.append(observer)
    }

    /// Sets the line being edited (interactive use): `/queue edit N` puts a message there and
    /// `/edit` opens it in the external editor.
    public func setEditLine(_ control: any EditLineControl) {
        editLine = control
    }

    /// Takes the last queued message out of the queue (Up on an empty prompt), or `nil`.
    public func takeLastQueued() async -> QueuedMessage? {
        let count = await session.queuedMessages.count
        guard count > 0 else { return nil }
        return await dropQueued(at: count - 1)
    }

    /// Switches to the next permission mode of Shift-Tab's cycle (default → acceptEdits →
    /// plan → default) the way `/permissions MODE` does, saying the new mode.
    public func cyclePermissionMode() async {
        let current = await session.snapshot.permissionMode ?? "default"
        await StandardCommands.permissions(self, [PermissionModes.next(after: current)])
    }

    /// The living status row while a turn runs (`nil` at idle). Thread-safe.
    public nonisolated func statusRow() -> StyledText? {
        activity.withLock { $0.row(at: .now) }
    }

    /// Called with the asking tool's name when a question waits for the person at the keyboard
    /// (a permission question, `AskUserQuestion`), and with `nil` once it is answered or withdrawn.
    public func observeQuestions(_ observer: @escaping @Sendable (_ tool: String?) -> Void) {
        questionObservers.append(observer)
    }

    // MARK: Events

    /// How many events the session may have put out that are not yet presented, for
    /// ``SessionOptions/eventBacklog``. The session merges a stdout chunk's text deltas into
    /// one event, so this holds at most 16 chunks (256 KiB each) of reply.
    public static let eventBacklog = 16

    /// Presents session events until the session closes (the task ``start(spawningClaude:)``
    /// runs). Reports each one to the session's ``AgentSession/eventFlow`` once it is presented.
    private func consumeEvents() async {
        let flow = session.eventFlow
        for await event in session.events {
            handle(event)
            if case .turnCompleted(let summary) = event { startChangeReceipt(after: summary) }
            markPresented()
            // A screen slower than the reply holds the session back instead of the reply
            // piling up in memory (see EventFlowGate).
            if console.isBehind { await console.waitForRoom() }
            flow?.consumed()
        }
        debugLog?.close()
        while receiptsInFlight > 0 {
            await withCheckedContinuation { receiptWaiters.append($0) }
        }
        let waiters = presentationWaiters
        presentationWaiters.removeAll()
        for waiter in waiters { waiter.continuation.resume() }
    }

    /// Waits until the session is settled *and* every event it emitted up to then has been
    /// presented, so that what a script does next never lands in the middle of a reply.
    public func waitUntilSettled() async {
        await waitForLocalCommands()
        await session.waitUntilSettled()
        let target = await session.emittedEventCount
        if presentedEventCount < target {
            await withCheckedContinuation { presentationWaiters.append((target, $0)) }
        }
        while receiptsInFlight > 0 {
            await withCheckedContinuation { receiptWaiters.append($0) }
        }
    }

    /// Counts one event as presented (after its change receipt, if any) and wakes who waits.
    private func markPresented() {
        presentedEventCount += 1
        if !presentationWaiters.isEmpty {
            let ready = presentationWaiters.filter { $0.count <= presentedEventCount }
            presentationWaiters.removeAll { $0.count <= presentedEventCount }
            for waiter in ready { waiter.continuation.resume() }
        }
    }

    private func handle(_ event: SessionEvent) {
        debugLog?.record(event)
        trackConversation(event)
        activity.withLock { $0.observe(event, at: .now) }
        switch event {
        case .processStarted(_, let resumed):
            cost.processStarted(resuming: resumed != nil)
        case .turnCompleted(let summary):
            cost.turnEnded(processTotalUSD: summary.result.totalCostUSD)
            if let text = summary.result.text, !summary.result.isError { lastAnswer = text }
            if tracksContextUsage { Task { await self.refreshContextUsage() } }
            if summary.result.isError && !summary.result.wasInterrupted { sawFailure = true }
        case .messageNotAnswered(let message, let reason):
            if reason != .sessionClosed || !quitRequested { sawFailure = true }
            lastUnanswered = message
        case .failed:
            sawFailure = true
        case .sessionInitialized(let info):
            currentSessionID = info.sessionID
            checkVersion(info.claudeCodeVersion)
        case .capabilitiesLearned(let learned):
            capabilities = learned
            cliCommands.learn(learned.commandDetails.isEmpty
                ? learned.commands.map { SessionCapabilities.Command(name: $0) } : learned.commandDetails)
            checkVersion(learned.claudeCodeVersion)
            learnCompletions(from: learned)
        case .assistantText(let text, _, true) where text.contains("Not logged in"):
            notLoggedIn = true
        case .permissionRequested(let pending):
            answer(pending)
        case .permissionCancelled(let requestID):
            if let prompter { Task { await prompter.cancel(requestID: requestID) } }
        default:
            break
        }
        switch event {
        case .messageQueued(let message, _):
            journal(queued: message)
            updateQueueLength()
        case .turnStarted(let message):
            journal(sent: message.id)
            updateQueueLength()
            notifyActivity(true)
        case .turnCompleted, .messageNotAnswered, .processExited, .failed, .closed:
            notifyActivity(false)
        default:
            break
        }
        present(event)
        if tasks.observe(event) { showPlan() }
        if notLoggedIn, case .turnCompleted = event {
            notLoggedIn = false
            sayError("claude is not logged in: " + (CLICommands.interfaceOnly["login"] ?? ""))
        }
    }

    /// Stops all output (the reader of stdout went away).
    public func silence() { silenced = true }

    private func present(_ event: SessionEvent) {
        guard !silenced else { return }
        switch presentation {
        case .transcript(var presenter):
            // JSON keeps every event; a transcript says a command's change once.
            if pendingEchoes.swallows(event) { return }
            presenter.conversationCostUSD = cost.totalUSD
            presenter.present(event, on: console)
            presentation = .transcript(presenter)
        case .json:
            if let line = jsonEncoder.line(for: event) { console.json(line) }
        }
    }

    /// Writes a command's output line.
    public func say(_ text: StyledText, kind: ConsoleLineKind = .info) {
        say(text, kind: kind, fields: [:])
    }

    /// Writes a line; in JSON output its object also carries `fields` (e.g. a `kind`).
    func say(_ text: StyledText, kind: ConsoleLineKind, fields: [String: JSONValue]) {
        guard !silenced else { return }
        switch presentation {
        case .transcript:
            // Not closing the streamed paragraph: in a terminal the line editor shows whole
            // lines at once under the reply's unfinished line and places them after it when it
            // ends; in scripted use commands run between turns, at a line start.
            console.line(text, kind: kind)
        case .json:
            let type = kind == .error ? "error" : "info"
            let object = fields.merging(["type": .string(type), "message": .string(text.plainText)]) { _, line in line }
            console.json(JSONValue.object(object).compactText)
        }
    }

    /// Writes one JSON object line (JSON output only).
    func say(_ json: JSONValue) {
        guard !silenced else { return }
        console.json(json.compactText)
    }

    public func sayError(_ message: String) {
        say(StyledText(message, .color(.red)), kind: .error)
    }

    /// Warns once when the CLI is a version Parley was not tested with (it still works on).
    private func checkVersion(_ version: String?) {
        guard !checkedVersion, let version else { return }
        checkedVersion = true
        if let warning = ParleyVersion.compatibilityWarning(for: version) {
            say(StyledText("⚠ " + warning, .color(.yellow)), kind: .error)
        }
    }

    func updateQueueLength() {
        Task {
            let count = await session.queuedMessages.count
            sources.withLock { $0.queueLength = count }
            for observer in queueLengthObservers { observer(count) }
        }
    }

    // MARK: Input

    /// Handles one submitted line: a command runs, a message is sent (or queued).
    public func submit(_ line: String) async {
        if await sendIfPastedImage(line) { return }
        switch SubmittedInput(line: line) {
        case .empty:
            return
        case .message(let text):
            await sendMessage(text)
        case .shell(let command):
            await submitShell(command)
        case .command(let name, let arguments, let raw):
            if let command = registry.command(named: name) {
                if let error = command.argumentError(arguments, sources: sources.withLock { $0 }) {
                    sayError(error)
                } else {
                    await command.run(self, arguments)
                }
            } else if let instruction = CLICommands.instruction(for: name) {
                sayError(instruction)
            } else if cliCommands.contains(name) || isCustomCommand(name) {
                await session.send(raw)
            } else {
                let suggestion = registry.nearestName(to: name).map { " (did you mean /\($0)?)" } ?? ""
                sayError("unknown command /\(name)\(suggestion); /help lists commands, // sends a message starting with /")
            }
        }
    }


    /// Whether `.claude/commands/NAME.md` exists here or in the home directory (`claude` runs it).
    private func isCustomCommand(_ name: String) -> Bool {
        let home = ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()
        return [FileManager.default.currentDirectoryPath, home].contains { FileManager.default.fileExists(atPath: $0 + "/.claude/commands/" + name + ".md") }
    }

    func expectPermissionModeEcho(_ mode: String) { pendingEchoes.expectPermissionMode(mode) }
    func expectModelEcho() { pendingEchoes.expectModel() }

    /// A scripted line that was never sent because the session had failed.
    func reportNotSent(_ line: String) {
        sawFailure = true
        say(StyledText("✗ not sent: “\(line.replacingNewlines().truncated(toWidth: 40))” — claude could not be recovered", .color(.red)),
            kind: .error, fields: ["kind": "not_sent", "text": .string(line)])
    }
}
