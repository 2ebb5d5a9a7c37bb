import AgentSession
import Foundation
import Terminal

import Glibc

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

        var assembly: ControllerAssembly
        do {
            assembly = try ControllerAssembly(options: options, configuration: configuration)
            if options.printVersion {
                print(VersionReport.text(claudeLaunch: assembly.launch))
                return ExitStatusCode.success
            }
            try assembly.chooseStartingConversation(options: options, paths: paths)
        } catch {
            printError("parley: \(error)")
            return ExitStatusCode.usage
        }

        // The colour and hyperlink policies are TerminalCapabilities' alone; the flag, then the
        // file, choose their modes.
        let capabilities = TerminalCapabilities.detect(
            colorMode: options.color ?? configuration.colorMode,
            hyperlinkMode: options.hyperlinks ?? configuration.hyperlinkMode, environment: environment)
        if capabilities.isInteractive && options.outputFormat == .text {
            return await InteractiveFrontEnd.run(assembly: assembly, capabilities: capabilities, paths: paths)
        }

        let stopSignal = StopSignal()
        let console = FileDescriptorConsole(colorOnStdout: capabilities.useColor, colorOnStderr: capabilities.useColorOnStderr) {
            stopSignal.fire(.outputClosed)
        }
        let presentation: SessionController.Presentation = options.outputFormat == .json
            ? .json
            : .transcript(TranscriptPresenter(
                mode: .plain, width: capabilities.width, showThinking: assembly.showThinking,
                stdoutIsTerminal: capabilities.stdoutIsTTY))
        // Nobody is at the keyboard of a script: a stalled turn is stopped, not just reported.
        let controller = assembly.makeController(console: console, presentation: presentation, stallAction: .interrupt)
        // claude starts at once, so that one that cannot start fails the script (exit 1).
        await controller.start(spawningClaude: true)
        // A signal must end Parley even while it is blocked writing to a stdout nobody reads.
        stopSignal.installSignalHandlers { console.stopWriting() }
        let reason = await ScriptedFrontEnd(controller: controller, stopSignal: stopSignal).run()
        if reason == .outputClosed { await controller.silence() }
        await controller.shutdown()
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
