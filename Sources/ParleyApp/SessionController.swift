import AgentSession
import Foundation
import Synchronization
import StreamJSON
import Terminal

/// The app's centre: it owns the ``AgentSession``, presents its events, runs slash
/// commands and answers permission questions. Front ends only feed it lines.
public actor SessionController {
    /// How events are shown.
    public enum Presentation: Sendable {
        case transcript(TranscriptPresenter)
        case json
    }

    public let session: AgentSession
    let console: any Console
    let registry: CommandRegistry
    private var presentation: Presentation
    private var jsonEncoder = JSONEventEncoder()
    private(set) var configuration: ParleyConfiguration
    private let overrides: LaunchOverrides
    private let baseLaunch: LaunchConfiguration
    public private(set) var personaName: String
    private var autoApprove: AutoApprovePolicy
    private var prompter: (any PermissionPrompter)?
    private var capabilities: SessionCapabilities?
    private var lastUnanswered: QueuedMessage?
    private var debugLog: DebugLog?
    /// True once any turn ended in error or a message went unanswered (exit status 1).
    public private(set) var sawFailure = false
    /// Set by `/quit`.
    public private(set) var quitRequested = false
    private let sources = Mutex(CompletionSources())
    private var personaObservers: [@Sendable (String) -> Void] = []
    private var activityObservers: [@Sendable (Bool) -> Void] = []
    private var checkedVersion = false
    private var presentedEventCount = 0
    private var presentationWaiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    /// Set when nobody is reading any more (stdout closed): nothing more is written.
    private var silenced = false

    public init(session: AgentSession, console: any Console, presentation: Presentation,
                configuration: ParleyConfiguration, personaName: String, baseLaunch: LaunchConfiguration,
                overrides: LaunchOverrides, autoApprove: AutoApprovePolicy, debugLogPath: String? = nil,
                registry: CommandRegistry = .standard) {
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
        var initial = CompletionSources()
        initial.personaNames = configuration.personaNames
        initial.cliCommands = Self.knownCLICommands
        sources.withLock { $0 = initial }
    }

    /// CLI-local commands passed through before `initialize` says which exist.
    static let knownCLICommands = ["clear", "compact", "context", "cost", "init", "review"]

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

    /// A thread-safe completion function for the line editor.
    public nonisolated func completions(for line: String) -> [String] {
        registry.completions(for: line, sources: sources.withLock { $0 })
    }

    // MARK: Events

    /// How many events the session may have put out that are not yet presented, for
    /// ``SessionOptions/eventBacklog``. The session merges a stdout chunk's text deltas into
    /// one event, so this holds at most 16 chunks (256 KiB each) of reply.
    public static let eventBacklog = 16

    /// Presents session events until the session closes. Run it in its own task.
    /// Reports each one to the session's ``AgentSession/eventFlow`` once it is presented.
    public func consumeEvents() async {
        let flow = session.eventFlow
        for await event in session.events {
            handle(event)
            // A screen slower than the reply holds the session back instead of the reply
            // piling up in memory (see EventFlowGate).
            if console.isBehind { await console.waitForRoom() }
            flow?.consumed()
        }
        debugLog?.close()
        let waiters = presentationWaiters
        presentationWaiters.removeAll()
        for waiter in waiters { waiter.continuation.resume() }
    }

    /// Waits until the session is settled *and* every event it emitted up to then has been
    /// presented, so that what a script does next never lands in the middle of a reply.
    public func waitUntilSettled() async {
        await session.waitUntilSettled()
        let target = await session.emittedEventCount
        if presentedEventCount >= target { return }
        await withCheckedContinuation { presentationWaiters.append((target, $0)) }
    }

    private func handle(_ event: SessionEvent) {
        defer {
            presentedEventCount += 1
            if !presentationWaiters.isEmpty {
                let ready = presentationWaiters.filter { $0.count <= presentedEventCount }
                presentationWaiters.removeAll { $0.count <= presentedEventCount }
                for waiter in ready { waiter.continuation.resume() }
            }
        }
        debugLog?.record(event)
        switch event {
        case .turnCompleted(let summary):
            if summary.result.isError && !summary.result.wasInterrupted { sawFailure = true }
        case .messageNotAnswered(let message, let reason):
            if reason != .sessionClosed || !quitRequested { sawFailure = true }
            lastUnanswered = message
        case .failed:
            sawFailure = true
        case .sessionInitialized(let info):
            checkVersion(info.claudeCodeVersion)
        case .capabilitiesLearned(let learned):
            capabilities = learned
            checkVersion(learned.claudeCodeVersion)
            sources.withLock {
                if !learned.models.isEmpty { $0.modelNames = learned.models }
                $0.cliCommands = Array(Set(Self.knownCLICommands + learned.commands)).sorted()
            }
        case .permissionRequested(let pending):
            answer(pending)
        case .permissionCancelled(let requestID):
            if let prompter { Task { await prompter.cancel(requestID: requestID) } }
        default:
            break
        }
        switch event {
        case .messageQueued:
            updateQueueLength()
        case .turnStarted:
            updateQueueLength()
            for observer in activityObservers { observer(true) }
        case .turnCompleted, .messageNotAnswered, .processExited, .failed, .closed:
            for observer in activityObservers { observer(false) }
        default:
            break
        }
        present(event)
    }

    /// Stops all output (the reader of stdout went away).
    public func silence() { silenced = true }

    private func present(_ event: SessionEvent) {
        guard !silenced else { return }
        switch presentation {
        case .transcript(var presenter):
            presenter.present(event, on: console)
            presentation = .transcript(presenter)
        case .json:
            if let line = jsonEncoder.line(for: event) { console.json(line) }
        }
    }

    /// Writes a command's output line.
    func say(_ text: StyledText, kind: ConsoleLineKind = .info) {
        guard !silenced else { return }
        switch presentation {
        case .transcript:
            // Not closing the streamed paragraph: in a terminal the line editor holds whole
            // lines until the reply's current line ends; in scripted use commands run between
            // turns, at a line start.
            console.line(text, kind: kind)
        case .json:
            let type = kind == .error ? "error" : "info"
            console.json(JSONValue.object(["type": .string(type), "message": .string(text.plainText)]).compactText)
        }
    }

    func sayError(_ message: String) {
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

    private func updateQueueLength() {
        Task {
            let count = await session.queuedMessages.count
            sources.withLock { $0.queueLength = count }
        }
    }

    private func answer(_ pending: PendingPermission) {
        let request = pending.request
        if let prompter {
            let session = self.session
            Task {
                guard let answer = await prompter.ask(pending) else { return }
                await session.answerPermission(requestID: pending.requestID, decision: answer.decision(for: request))
            }
            return
        }
        let decision = autoApprove.decision(for: request)
        if case .deny = decision {
            let call = ToolLineFormatter.essentialArgument(of: ToolUse(id: "", name: request.toolName, input: request.input))
            say(StyledText("✗ denied \(request.toolName)(\(call.truncated(toWidth: 60))): --auto-approve \(autoApprove.rawValue); "
                + "use --auto-approve edits|all to allow", .color(.yellow)), kind: .error)
        }
        let session = self.session
        Task { await session.answerPermission(requestID: pending.requestID, decision: decision) }
    }

    // MARK: Input

    /// Handles one submitted line: a command runs, a message is sent (or queued).
    public func submit(_ line: String) async {
        switch SubmittedInput(line: line) {
        case .empty:
            return
        case .message(let text):
            await session.send(text)
        case .command(let name, let arguments, let raw):
            if let command = registry.command(named: name) {
                await command.run(self, arguments)
            } else if isCLICommand(name) {
                await session.send(raw)
            } else {
                let suggestion = registry.nearestName(to: name).map { " (did you mean /\($0)?)" } ?? ""
                sayError("unknown command /\(name)\(suggestion); /help lists commands, // sends a message starting with /")
            }
        }
    }

    private func isCLICommand(_ name: String) -> Bool {
        (capabilities?.commands ?? []).contains(name) || Self.knownCLICommands.contains(name)
    }

    // MARK: Operations used by commands

    func requestQuit() { quitRequested = true }

    /// A scripted line that was never sent because the session had failed.
    func reportNotSent(_ line: String) {
        sawFailure = true
        sayError("✗ not sent: “\(line.replacingNewlines().truncated(toWidth: 40))” — claude could not be recovered")
    }

    func retryLastUnanswered() async {
        guard let message = lastUnanswered else {
            say(StyledText("nothing to retry", .dim))
            return
        }
        lastUnanswered = nil
        await session.send(message.text)
    }

    func setShowThinking(_ show: Bool?) -> Bool {
        guard case .transcript(var presenter) = presentation else { return false }
        presenter.showThinking = show ?? !presenter.showThinking
        presentation = .transcript(presenter)
        return presenter.showThinking
    }

    /// `/diff`: the last file change's whole diff.
    func showLastDiff() {
        guard case .transcript(let presenter) = presentation, let lines = presenter.lastDiffLines() else {
            say(StyledText("no file change to show yet", .dim))
            return
        }
        for line in lines { say(line.madeInert(), kind: .tool) }
    }

    var personaNames: [String] { configuration.personaNames }

    func persona(named name: String) -> Persona? { configuration.personas[name] }

    /// The launch configuration for a persona: the base, the persona, then command-line flags.
    func launchConfiguration(for personaName: String) throws(ConfigurationError) -> LaunchConfiguration {
        let persona = configuration.personas[personaName] ?? .default
        var launch = try persona.launchConfiguration(base: baseLaunch)
        overrides.apply(to: &launch)
        return launch
    }

    func switchPersona(to name: String, fresh: Bool) async {
        guard configuration.personas[name] != nil else {
            let nearest = configuration.personaNames.min { editDistance($0, name) < editDistance($1, name) }
            sayError("no persona named \(name)" + (nearest.map { " (did you mean \($0)?)" } ?? "") + "; /persona lists them")
            return
        }
        do {
            let launch = try launchConfiguration(for: name)
            personaName = name
            if let policy = configuration.personas[name]?.autoApprove.flatMap(AutoApprovePolicy.init(rawValue:)),
               overrides.autoApprove == nil {
                autoApprove = policy
            }
            await session.reconfigure(launch, fresh: fresh)
            say(StyledText("● persona \(name)" + (fresh ? " (new conversation)" : " (conversation continues)"), .dim), kind: .status)
            for observer in personaObservers { observer(name) }
        } catch {
            sayError("persona \(name): \(error)")
        }
    }

    var knownModels: [String] { capabilities?.models ?? [] }
}

/// Appends the engine's events to a file (`--debug-log`), for bug reports.
final class DebugLog: Sendable {
    private let handle: Mutex<FileHandle?>

    init?(path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return nil }
        handle = Mutex(FileHandle(fileDescriptor: fd, closeOnDealloc: true))
        write("start \(Self.resources())")
    }

    func record(_ event: SessionEvent) {
        write("\(event)")
    }

    /// Ends the log with the same resource line as its start: a leak shows as a difference.
    func close() {
        write("end \(Self.resources())")
        handle.withLock { $0 = nil }
    }

    private func write(_ text: String) {
        let line = "\(Date().timeIntervalSince1970) \(text)\n"
        handle.withLock { $0?.write(Data(line.utf8)) }
    }

    /// Open descriptors (excluding the log's own) and live child processes of Parley.
    static func resources() -> String {
        let descriptors = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0) - 2
        let me = String(getpid())
        let children = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).filter { entry in
            guard Int(entry) != nil, let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
            return fields.count > 1 && fields[1] == me
        }.count
        return "descriptors=\(descriptors) children=\(children)"
    }
}
