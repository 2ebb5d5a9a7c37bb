import AgentSession
import Foundation
import Synchronization
import Terminal

#if canImport(Glibc)
import Glibc
#endif

/// The terminal front end: a libedit prompt, replies streamed above it, typing ahead while
/// a reply streams (lines typed then are queued), Ctrl-C to interrupt a turn, Ctrl-D to quit.
///
/// Decisions (Docs/Commands.md): Ctrl-C at an idle prompt clears the line; during a turn it
/// interrupts the turn and keeps the half-typed line. Ctrl-D on an empty line quits; if a
/// turn is running it says so and quits on a second Ctrl-D (interrupting the turn).
enum InteractiveFrontEnd {
    static func run(session: AgentSession, configuration: ParleyConfiguration, personaName: String, base: LaunchConfiguration,
                    overrides: LaunchOverrides, autoApprove: AutoApprovePolicy, options: AppOptions,
                    capabilities: TerminalCapabilities, paths: ParleyPaths) async -> Int32 {
        let color = capabilities.useColor
        let persona = Mutex(personaName)
        let prompt: @Sendable () -> StyledText = {
            let name = persona.withLock { $0 }
            return StyledText(name == "default" ? "parley" : name, .color(.cyan).merging(.bold)) + StyledText(" › ", .bold)
        }
        var historyPath: String? = paths.historyFile
        do {
            try ParleyPaths.createParentDirectory(of: paths.historyFile)
        } catch {
            ParleyMain.printError("parley: history will not be saved: \(error)")
            historyPath = nil
        }
        let completer = CompletionRelay()
        let editor: LineEditor
        do {
            editor = try LineEditor(prompt: prompt(), historyPath: historyPath, historySize: configuration.historySize,
                                    useColor: color) { line, cursor in
                completer.complete(String(line.unicodeScalars.prefix(cursor)))
            }
        } catch {
            ParleyMain.printError("parley: cannot start the line editor: \(error)")
            return ExitStatusCode.turnFailed
        }

        let controller = SessionController(
            session: session, console: EditorConsole(editor: editor),
            presentation: .transcript(TranscriptPresenter(mode: .terminal, width: capabilities.width, showThinking: options.showThinking)),
            configuration: configuration, personaName: personaName, baseLaunch: base, overrides: overrides,
            autoApprove: autoApprove, debugLogPath: options.debugLogPath)
        completer.set(controller)
        let prompter = InteractivePermissionPrompter(editor: editor, normalPrompt: prompt, width: capabilities.width,
                                                     workingDirectory: overrides.workingDirectory ?? FileManager.default.currentDirectoryPath)
        await controller.setPermissionPrompter(prompter)
        await controller.observePersona { name in
            persona.withLock { $0 = name }
            editor.setPrompt(prompt())
        }
        await controller.observeActivity { busy in editor.keepsLineOnInterrupt = busy }
        let events = Task { await controller.consumeEvents() }
        // Start claude in the background: the prompt is usable at once, and `initialize`
        // fills command and model completion before the first turn.
        await session.start()

        var exitStatus = ExitStatusCode.success
        var eofWarnedAt: ContinuousClock.Instant?
        loop: for await input in editor.inputs {
            switch input {
            case .line(let text):
                eofWarnedAt = nil
                if await prompter.isAsking {
                    _ = await prompter.answer(with: text)
                    continue
                }
                await controller.submit(text)
                if await controller.quitRequested { break loop }
            case .interrupt:
                if await prompter.isAsking {
                    await prompter.denyAll()
                    await session.interrupt()
                } else if await session.interrupt() {
                    editor.writeStatus(StyledText("interrupting…", .dim))
                }
            case .eof:
                if await session.isSettled {
                    break loop
                }
                if let warned = eofWarnedAt, ContinuousClock.now - warned < .seconds(5) {
                    break loop
                }
                eofWarnedAt = .now
                editor.writeStatus(StyledText("a turn is running: press Ctrl-D again to quit (it will be interrupted), or wait",
                                              .color(.yellow)))
            case .key(let key):
                await prompter.answer(key: key)
            case .terminate(let signal):
                exitStatus = 128 + signal
                break loop
            }
        }
        await prompter.denyAll()
        editor.stop()
        await session.terminate()
        await events.value
        return exitStatus
    }
}

/// Lets the editor thread ask the controller for completions (set once the controller exists).
final class CompletionRelay: Sendable {
    private let controller = Mutex<SessionController?>(nil)
    func set(_ controller: SessionController) { self.controller.withLock { $0 = controller } }
    func complete(_ line: String) -> [String] {
        controller.withLock { $0 }?.completions(for: line) ?? []
    }
}
