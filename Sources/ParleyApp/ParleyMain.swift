import AgentSession
import Foundation
import Terminal

#if canImport(Glibc)
import Glibc
#endif

/// Builds the app from options and runs the right front end. Returns the exit status.
public enum ParleyMain {
    public static func run(_ options: AppOptions) async -> Int32 {
        let environment = options.environment
        let paths = ParleyPaths(environment: environment)
        let loaded = ConfigurationLoader.load(path: options.configPath, explicit: options.configPath != nil, paths: paths)
        for diagnostic in loaded.diagnostics { printError("parley: \(diagnostic)") }
        if loaded.isFatal { return ExitStatusCode.usage }
        if let notice = loaded.notice { printError("parley: \(notice)") }
        let configuration = loaded.configuration

        let personaName = options.persona ?? configuration.defaultPersona ?? "default"
        guard configuration.personas[personaName] != nil else {
            let known = configuration.personaNames.joined(separator: ", ")
            printError("parley: no persona named \(personaName) (known: \(known))")
            return ExitStatusCode.usage
        }

        let colorMode = options.color ?? configuration.color.flatMap(ColorMode.init(rawValue:)) ?? .auto
        let capabilities = TerminalCapabilities.detect(colorMode: colorMode, environment: environment)
        let interactive = capabilities.isInteractive && options.outputFormat == .text

        var base = LaunchConfiguration(baseEnvironment: environment)
        base.claudePath = configuration.claudePath
        let overrides = options.overrides
        var launch: LaunchConfiguration
        do {
            launch = try (configuration.personas[personaName] ?? .default).launchConfiguration(base: base)
        } catch {
            printError("parley: \(error)")
            return ExitStatusCode.usage
        }
        overrides.apply(to: &launch)

        let autoApprove = overrides.autoApprove
            ?? configuration.personas[personaName]?.autoApprove.flatMap(AutoApprovePolicy.init(rawValue:))
            ?? configuration.autoApprove.flatMap(AutoApprovePolicy.init(rawValue:))
            ?? .none

        // The controller reports every event it has presented: a reply faster than the screen
        // holds the CLI back instead of piling up in memory.
        var sessionOptions = SessionOptions(eventBacklog: SessionController.eventBacklog)
        if let stall = options.stallTimeout ?? environment["PARLEY_STALL_TIMEOUT"].flatMap(Double.init) {
            sessionOptions.stallTimeout = stall > 0 ? .milliseconds(Int(stall * 1000)) : nil
        }
        if let delays = environment["PARLEY_RESTART_DELAYS"] {
            let parsed = delays.split(separator: ",").compactMap { Double($0) }.map { Duration.milliseconds(Int($0 * 1000)) }
            if !parsed.isEmpty { sessionOptions.recovery.delays = parsed }
        }
        if let grace = environment["PARLEY_INTERRUPT_GRACE"].flatMap(Double.init) {
            sessionOptions.interruptGrace = .milliseconds(Int(grace * 1000))
        }
        if let deadline = environment["PARLEY_INITIALIZE_TIMEOUT"].flatMap(Double.init), deadline > 0, deadline < 86_400 {
            sessionOptions.initializeTimeout = .milliseconds(Int(deadline * 1000))
        }
        // Nobody is at the keyboard of a script: a stalled turn is stopped, not just reported.
        sessionOptions.stallAction = interactive ? .warn : .interrupt
        let session = AgentSession(configuration: launch, options: sessionOptions)

        let stopSignal = StopSignal()
        if interactive {
            return await InteractiveFrontEnd.run(
                session: session, configuration: configuration, personaName: personaName, base: base,
                overrides: overrides, autoApprove: autoApprove, options: options, capabilities: capabilities,
                paths: paths)
        }

        // Scripted: no prompt, no escape codes unless --color always.
        let colorOut = colorMode == .always
        let console = FileDescriptorConsole(colorOnStdout: colorOut, colorOnStderr: colorOut) {
            stopSignal.fire(.outputClosed)
        }
        let presentation: SessionController.Presentation = options.outputFormat == .json
            ? .json
            : .transcript(TranscriptPresenter(mode: .plain, width: capabilities.width, showThinking: options.showThinking))
        let controller = SessionController(
            session: session, console: console, presentation: presentation, configuration: configuration,
            personaName: personaName, baseLaunch: base, overrides: overrides, autoApprove: autoApprove,
            debugLogPath: options.debugLogPath)
        let events = Task { await controller.consumeEvents() }
        stopSignal.installSignalHandlers()
        let reason = await ScriptedFrontEnd(controller: controller, stopSignal: stopSignal).run()
        if reason == .outputClosed { await controller.silence() }
        await session.terminate()
        await events.value
        switch reason {
        case .signal(let number):
            return number == SIGINT ? ExitStatusCode.interrupted : 128 + number
        case .outputClosed:
            return ExitStatusCode.success
        case .finished:
            return await controller.sawFailure ? ExitStatusCode.turnFailed : ExitStatusCode.success
        }
    }

    static func printError(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}
