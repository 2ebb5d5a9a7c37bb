import AgentSession
import Foundation
import StreamJSON
import Terminal

/// `!command`s, and what is typed behind them.
///
/// A `!command` takes its place in line like a message: it runs once every turn before it
/// (running or queued) has ended, so its output never mixes with a reply and it sees what those
/// turns did. While it waits or runs, messages and other `!command`s typed after it are held
/// here, in order, so that they reach the conversation after its output. Slash commands run at
/// once. Its output is shown above the prompt (made inert) as it comes; then the command and
/// its output (``LocalCommandRecord``) go into the conversation as a record-only line, which
/// starts no model turn.
struct LocalCommandQueue: Sendable {
    enum Held: Sendable {
        case message(String, UserMessageExtras)
        case shell(String)
    }

    var held: [Held] = []
    /// The command now running.
    var running: LocalCommand?
    /// Works through ``held``; nil when nothing is held or running.
    var drain: Task<Void, Never>?
    /// Parley is stopping: nothing more runs or is sent.
    var closing = false
}

extension SessionController {
    /// Runs `command` now, or once what is before it is done.
    func submitShell(_ command: String) async {
        if local.closing { return }
        let sessionSettled = await session.isSettled
        if local.drain != nil || !sessionSettled {
            say(StyledText("queued: !\(InertText.make(command).replacingNewlines().truncated(toWidth: 50)) (runs after what is before it)", .dim),
                kind: .status)
        }
        hold(.shell(command))
    }

    /// Sends a message now, or holds it behind a waiting or running `!command`.
    func sendOrHold(_ text: String, extras: UserMessageExtras = .none) async {
        guard local.drain != nil else {
            await session.send(text, extras: extras)
            return
        }
        say(StyledText("queued behind the !command: " + InertText.make(text).replacingNewlines().truncated(toWidth: 40), .dim),
            kind: .status)
        hold(.message(text, extras))
    }

    /// Stops the running `!command` (Ctrl-C). False when none runs.
    public func stopLocalCommand() -> Bool {
        guard let running = local.running else { return false }
        running.stop()
        return true
    }

    /// Whether no `!command` runs or waits.
    var localCommandsIdle: Bool { local.drain == nil }

    /// Waits until every held input has been run or sent.
    func waitForLocalCommands() async {
        while let drain = local.drain { await drain.value }
    }

    /// Parley is leaving: drops what is held, kills the running command and all it started, and
    /// waits until its output is drained. (A command still waiting for a turn never starts.)
    func endLocalCommands() async {
        local.closing = true
        local.held.removeAll()
        guard let running = local.running else { return }
        running.kill()
        await waitForLocalCommands()
    }

    private func hold(_ input: LocalCommandQueue.Held) {
        local.held.append(input)
        if local.drain == nil { local.drain = Task { await self.drainLocalCommands() } }
    }

    private func drainLocalCommands() async {
        while !local.held.isEmpty, !local.closing {
            switch local.held.removeFirst() {
            case .message(let text, let extras):
                await session.send(text, extras: extras)
            case .shell(let command):
                await session.waitUntilSettled()
                await run(shell: command)
            }
        }
        local.drain = nil
    }

    private func run(shell command: String) async {
        guard !local.closing else { return }
        let environment = ProcessInfo.processInfo.environment
        let directory = await session.launchConfiguration.workingDirectory ?? FileManager.default.currentDirectoryPath
        let process: LocalCommand
        do {
            process = try LocalCommand.start(command, shell: LocalCommand.shell(environment: environment),
                                             workingDirectory: directory, environment: environment)
        } catch {
            sayError("✗ !\(InertText.make(command).replacingNewlines().truncated(toWidth: 40)): \(error)")
            return
        }
        local.running = process
        notifyActivity(true)
        var record = LocalCommandRecord(command: command)
        var stdoutLines = OutputLineSplitter(), stderrLines = OutputLineSplitter()
        var status = ExitStatus.exited(0)
        for await output in process.output {
            record.append(output)
            switch output {
            case .stdout(let bytes): show(stdoutLines.append(bytes))
            case .stderr(let bytes): show(stderrLines.append(bytes))
            case .exited(let exitStatus): status = exitStatus
            }
            if console.isBehind { await console.waitForRoom() }
        }
        show([stdoutLines.finish(), stderrLines.finish()].compactMap { $0 })
        local.running = nil
        notifyActivity(false)
        let name = "!" + InertText.make(command).replacingNewlines().truncated(toWidth: 40)
        let described = LocalCommandRecord.describe(status)
        if status == .exited(0) {
            say(StyledText("✓ \(name): \(described)", .dim), kind: .status)
        } else {
            say(StyledText("✗ \(name): \(described)", .color(.red)), kind: .error)
        }
        guard !local.closing else { return }
        await session.send(record.text(status: status), extras: .recordOnly)
    }

    /// Shows lines of a command's output, made inert.
    private func show(_ lines: [String]) {
        for line in lines { say(StyledText(InertText.make(line)), kind: .tool) }
    }
}
