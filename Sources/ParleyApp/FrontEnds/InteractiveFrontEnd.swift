import AgentSession
import Conversations
import Foundation
import Locking
import Terminal

import Glibc

/// The terminal front end: a libedit prompt, replies streamed above it, typing ahead while
/// a reply streams (lines typed then are queued), Ctrl-C to interrupt a turn or stop a
/// `!command`, Esc to interrupt a turn, Ctrl-D to quit, Shift-Tab to cycle the permission mode,
/// Up on an empty line to take a queued message back.
///
/// Decisions (Docs/Commands.md): Ctrl-C at an idle prompt clears the line; during a turn it
/// interrupts the turn and keeps the half-typed line. Ctrl-D on an empty line quits; if a
/// turn is running it says so and quits on a second Ctrl-D (interrupting the turn).
enum InteractiveFrontEnd {
    static func run(assembly: ControllerAssembly, capabilities: TerminalCapabilities, paths: ParleyPaths) async -> Int32 {
        let color = capabilities.useColor
        let persona = Locked(assembly.personaName)
        let prompt: @Sendable () -> StyledText = {
            let name = persona.withLock { $0 }
            return StyledText(name == "default" ? "parley" : name, .color(.cyan).merging(.bold)) + StyledText(" › ", .bold)
        }
        let historyPath = keptHistory(at: paths.historyFile)
        let completer = CompletionRelay()
        let editor: LineEditor
        do {
            editor = try LineEditor(prompt: prompt(), historyPath: historyPath, historySize: assembly.configuration.historySize,
                                    useColor: color,
                                    editingMode: assembly.configuration.editingMode.flatMap(LineEditor.EditingMode.init) ?? .emacs,
                                    commandKeys: ["\u{14}": "/tasks"]) { line, cursor in
                completer.complete(String(line.unicodeScalars.prefix(cursor)))
            }
        } catch {
            ParleyMain.printError("parley: cannot start the line editor: \(error)")
            return ExitStatusCode.turnFailed
        }

        var presenter = TranscriptPresenter(mode: .terminal, width: capabilities.width, showThinking: assembly.showThinking,
                                            hyperlinks: capabilities.hyperlinks)
        presenter.firstStartContinues = assembly.launch.continueMostRecent && assembly.launch.resumeSessionID == nil
        let controller = assembly.makeController(console: EditorConsole(editor: editor), presentation: .transcript(presenter), stallAction: .warn)
        completer.set(controller)
        let prompter = InteractivePermissionPrompter(editor: editor, normalPrompt: prompt, width: capabilities.width,
                                                     workingDirectory: assembly.launch.workingDirectory ?? FileManager.default.currentDirectoryPath)
        await controller.setPermissionPrompter(prompter)
        await controller.observePersona { name in
            persona.withLock { $0 = name }
            editor.setPrompt(prompt())
        }
        await controller.trackContextUsage()
        let ticker = StatusRowTicker(row: { controller.statusRow() }, draw: { editor.setStatusRow($0) })
        let attention = AttentionSignals(notifyAfterSeconds: assembly.configuration.notifyAfterSeconds,
                                         persona: { persona.withLock { $0 } }, send: { editor.send($0) })
        attention.showTitle()
        await controller.observePersona { _ in attention.showTitle() }
        await controller.observeActivity { busy in
            editor.keepsLineOnInterrupt = busy
            editor.escapeInterrupts = busy
            if busy {
                ticker.turnStarted()
                attention.turnStarted()
            } else {
                ticker.turnEnded()
                attention.turnEnded()
            }
        }
        await controller.observeQuestions { tool in
            if let tool { attention.questionAsked(tool: tool) } else { attention.questionAnswered() }
        }
        await controller.observeQueueLength { count in editor.recallsQueued = count > 0 }
        await controller.setEditLine(editor)
        await controller.completeInteractively()
        // `/copy` writes OSC 52 unless the terminal says it understands no escape sequences.
        let term = ProcessInfo.processInfo.environment["TERM"] ?? ""
        if !term.isEmpty && term != "dumb" { await controller.setClipboard(SessionController.osc52Clipboard) }
        // Queued messages are kept on disk until sent; an earlier run's leftovers are announced.
        await controller.keepQueue(in: QueueJournal(
            stateDirectory: paths.stateDirectory,
            workingDirectory: assembly.launch.workingDirectory ?? FileManager.default.currentDirectoryPath))
        // Start claude in the background: the prompt is usable at once, and `initialize`
        // fills command and model completion before the first turn.
        await controller.start(spawningClaude: true)

        var exitStatus = ExitStatusCode.success
        var eofWarnedAt: ContinuousClock.Instant?
        loop: for await input in editor.inputs {
            switch input {
            case .line(let text):
                eofWarnedAt = nil
                // A line typed while a question waits is a message (queued), never an answer.
                if await prompter.takeLine(text) { continue }
                await controller.submit(text)
                if await controller.quitRequested { break loop }
            case .interrupt:
                if await prompter.isAsking {
                    // A permission question: denied, and the turn interrupted. The agent's own
                    // question or plan: declined, and the model goes on (told so).
                    if await prompter.denyAll() { _ = await controller.interrupt() }
                } else if await controller.stopLocalCommand() {
                    editor.writeStatus(StyledText("stopping the command…", .dim))
                } else if await controller.interrupt() {
                    editor.writeStatus(StyledText("interrupting…", .dim))
                }
            case .eof:
                if !(await controller.hasWorkInFlight) {
                    break loop
                }
                if let warned = eofWarnedAt, ContinuousClock.now - warned < .seconds(5) {
                    break loop
                }
                eofWarnedAt = .now
                editor.writeStatus(StyledText("a turn or !command is running: press Ctrl-D again to quit (it will be stopped), or wait",
                                              .color(.yellow)))
            case .key(let key):
                await prompter.answer(key: key)
            case .command(let command):
                await controller.submit(command)
            case .escapeTwice:
                await RewindCommands.rewindLastPrompt(controller)
            case .shiftTab:
                await controller.cyclePermissionMode()
            case .recallQueued:
                if let message = await controller.takeLastQueued() { editor.replaceLine(with: message.text) }
            case .terminate(let signal):
                exitStatus = 128 + signal
                break loop
            }
        }
        await prompter.denyAll()
        ticker.turnEnded()
        editor.stop()
        await controller.shutdown()
        return exitStatus
    }
}

extension InteractiveFrontEnd {
    /// The history file to use, or `nil` (saying once why) when history cannot be kept there.
    static func keptHistory(at path: String) -> String? {
        do {
            try ParleyPaths.createParentDirectory(of: path)
        } catch {
            ParleyMain.printError("parley: history will not be kept: \(error)")
            return nil
        }
        if let problem = HistoryFile.problem(at: path) {
            ParleyMain.printError("parley: history will not be kept: \(problem)")
            return nil
        }
        return path
    }
}

/// Lets the editor thread ask the controller for completions (set once the controller exists).
final class CompletionRelay: Sendable {
    private let controller = Locked<SessionController?>(nil)
    func set(_ controller: SessionController) { self.controller.withLock { $0 = controller } }
    func complete(_ line: String) -> [CompletionCandidate] {
        controller.withLock { $0 }?.completions(for: line) ?? []
    }
}
