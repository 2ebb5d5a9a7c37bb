import AgentSession
import Conversations
import Terminal

/// Everything Parley resolves from the command line, the environment and the configuration
/// file before a front end starts, and the one place that builds the ``SessionController``
/// (with its ``AgentSession``) from it.
struct ControllerAssembly {
    let configuration: ParleyConfiguration
    let personaName: String
    /// The built-in and file defaults, before the persona and the flags.
    let base: LaunchConfiguration
    /// The first process's launch: base, persona, flags (and the conversation chosen to resume).
    private(set) var launch: LaunchConfiguration
    let overrides: LaunchOverrides
    let autoApprove: AutoApprovePolicy
    let sessionOptions: SessionOptions
    let debugLogPath: String?
    let showThinking: Bool
    /// Where conversation features read and write.
    let conversationFiles: ConversationFiles
    /// The earlier conversation Parley starts in (`--resume`, `--continue`), shown again at start.
    private(set) var startingConversation: (transcript: Transcript, name: String?)?

    /// A start-up problem, said in one line; Parley exits with status 2.
    struct UsageError: Error, CustomStringConvertible {
        let description: String
    }

    /// Resolves the persona, its launch configuration, the permission policy and the session's
    /// timing; `configuration` has already been loaded.
    init(options: AppOptions, configuration: ParleyConfiguration) throws(UsageError) {
        let personaName = options.persona ?? configuration.defaultPersona ?? "default"
        guard let persona = configuration.personas[personaName] else {
            throw UsageError(description: "no persona named \(personaName) (known: \(configuration.personaNames.joined(separator: ", ")))")
        }
        var base = LaunchConfiguration(baseEnvironment: options.environment)
        base.claudePath = configuration.claudePath
        var launch: LaunchConfiguration
        do {
            launch = try persona.launchConfiguration(base: base)
            try options.overrides.apply(to: &launch)
        } catch {
            throw UsageError(description: "\(error)")
        }
        // The controller reports every event it has presented: a reply faster than the screen
        // holds the CLI back instead of piling up in memory.
        do {
            sessionOptions = try SessionTuning.options(
                base: SessionOptions(eventBacklog: SessionController.eventBacklog),
                stallTimeout: options.stallTimeout, environment: options.environment)
        } catch {
            throw UsageError(description: "\(error)")
        }
        self.configuration = configuration
        self.personaName = personaName
        self.base = base
        self.launch = launch
        overrides = options.overrides
        autoApprove = options.overrides.autoApprove
            ?? persona.autoApprove.flatMap(AutoApprovePolicy.init(rawValue:))
            ?? configuration.autoApprove.flatMap(AutoApprovePolicy.init(rawValue:))
            ?? .none
        debugLogPath = options.debugLogPath
        showThinking = options.showThinking
        conversationFiles = ConversationFiles(paths: ParleyPaths(environment: options.environment),
                                              childEnvironment: launch.childEnvironment())
    }

    /// Finds the conversation `--resume [ID]` or `--continue` asks for (asking which for a bare
    /// `--resume`) and starts `claude` in it.
    mutating func chooseStartingConversation(options: AppOptions, paths: ParleyPaths) throws(UsageError) {
        let store = conversationFiles.store(workingDirectory: launch.workingDirectory)
        guard let chosen = try StartingConversation.choose(options, store: store, names: conversationFiles.names) else { return }
        startingConversation = chosen
        launch.resumeSessionID = chosen.transcript.sessionID
        launch.continueMostRecent = false
    }

    /// The controller and its session, presenting on `console`; a stalled turn is reported
    /// (`.warn`, someone is at the keyboard) or stopped (`.interrupt`, a script).
    func makeController(console: any Console, presentation: SessionController.Presentation,
                        stallAction: StallAction) -> SessionController {
        var sessionOptions = sessionOptions
        sessionOptions.stallAction = stallAction
        return SessionController(
            session: AgentSession(configuration: launch, options: sessionOptions), console: console,
            presentation: presentation, configuration: configuration, personaName: personaName, baseLaunch: base,
            overrides: overrides, autoApprove: autoApprove, debugLogPath: debugLogPath,
            conversationFiles: conversationFiles, resumedAtStart: startingConversation)
    }
}
