import AgentSession
import Foundation
import Terminal

extension CommandRegistry {
    /// Parley's own commands. Anything else starting with `/` goes to the CLI when it knows
    /// the command (`/compact`, `/cost`, `/context`, `/clear`, …), else is an error.
    public static let standard = CommandRegistry(commands: [
        SlashCommand(name: "help", aliases: ["?"], summary: "list commands and keys") { controller, _ in
            await controller.showHelp()
        },
        SlashCommand(name: "quit", aliases: ["exit"], summary: "end the session and leave Parley") { controller, _ in
            await controller.requestQuit()
        },
        SlashCommand(name: "restart", usage: "[--fresh]", summary: "restart claude; the conversation continues unless --fresh",
                     completeArgument: { index, _ in index == 0 ? ["--fresh"] : [] }) { controller, arguments in
            let fresh = arguments.contains("--fresh")
            await controller.say(StyledText("↻ restarting claude" + (fresh ? " with a new conversation" : ""), .dim), kind: .status)
            await controller.session.restart(fresh: fresh)
        },
        SlashCommand(name: "new", summary: "start a new conversation (same as /restart --fresh)") { controller, _ in
            await controller.say(StyledText("↻ new conversation", .dim), kind: .status)
            await controller.session.restart(fresh: true)
        },
        SlashCommand(name: "queue", usage: "[drop N | clear]", summary: "list queued messages, drop one, or clear them",
                     completeArgument: { index, sources in
                         index == 0 ? ["drop", "clear"] : (index == 1 ? (0..<sources.queueLength).map { String($0 + 1) } : [])
                     }) { controller, arguments in
            await controller.queueCommand(arguments)
        },
        SlashCommand(name: "persona", usage: "[NAME [--fresh]]", summary: "list personas, or switch (the conversation continues unless --fresh)",
                     completeArgument: { index, sources in index == 0 ? sources.personaNames : (index == 1 ? ["--fresh"] : []) }) { controller, arguments in
            await controller.personaCommand(arguments)
        },
        SlashCommand(name: "model", usage: "[NAME]", summary: "show or switch the model",
                     completeArgument: { index, sources in index == 0 ? sources.modelNames : [] }) { controller, arguments in
            await controller.modelCommand(arguments)
        },
        SlashCommand(name: "permissions", usage: "MODE", summary: "switch claude's permission mode",
                     completeArgument: { index, sources in index == 0 ? sources.permissionModes : [] }) { controller, arguments in
            await controller.permissionsCommand(arguments)
        },
        SlashCommand(name: "interrupt", summary: "stop the running turn (Ctrl-C does the same)") { controller, _ in
            if await controller.session.interrupt() {
                await controller.say(StyledText("interrupting…", .dim), kind: .status)
            } else {
                await controller.say(StyledText("nothing to interrupt", .dim))
            }
        },
        SlashCommand(name: "retry", summary: "send the last unanswered message again") { controller, _ in
            await controller.retryLastUnanswered()
        },
        SlashCommand(name: "status", summary: "process, session, model, persona, queue, turns, cost") { controller, _ in
            await controller.showStatus()
        },
        SlashCommand(name: "diff", summary: "show the last file change (Edit, MultiEdit, Write) as a whole diff") { controller, _ in
            await controller.showLastDiff()
        },
        SlashCommand(name: "thinking", usage: "[on|off]", summary: "show thinking in full, or only as an indicator",
                     completeArgument: { index, _ in index == 0 ? ["on", "off"] : [] }) { controller, arguments in
            let value: Bool? = arguments.first.map { $0 == "on" }
            let shown = await controller.setShowThinking(value)
            await controller.say(StyledText("thinking is " + (shown ? "shown in full" : "shown as an indicator"), .dim))
        },
    ])
}

extension SessionController {
    func showHelp() {
        for command in registry.commands {
            let names = (["/" + command.name] + command.aliases.map { "/" + $0 }).joined(separator: ", ")
            let usage = command.usage.isEmpty ? "" : " " + command.usage
            say(StyledText(names + usage, .bold) + StyledText("  " + command.summary))
        }
        say(StyledText("Other /commands claude knows (/compact, /cost, /context, /clear, …) are passed to it; "
            + "//text sends a message starting with /.", .dim))
        say(StyledText("Keys: Enter sends · \\ at the end of a line continues it · Ctrl-C interrupts a turn or clears the line · "
            + "Ctrl-D on an empty line quits · Tab completes · Ctrl-R searches history", .dim))
    }

    func queueCommand(_ arguments: [String]) async {
        switch arguments.first {
        case nil, "list":
            let queue = await session.queuedMessages
            if queue.isEmpty {
                say(StyledText("the queue is empty", .dim))
            } else {
                for (index, message) in queue.enumerated() {
                    say(StyledText("\(index + 1). ", .bold) + StyledText(message.text.replacingNewlines().truncated(toWidth: 70)))
                }
            }
        case "drop":
            guard arguments.count == 2, let number = Int(arguments[1]), number >= 1 else {
                sayError("usage: /queue drop N (N from /queue)")
                return
            }
            if let dropped = await session.dropQueued(at: number - 1) {
                say(StyledText("dropped \(number): \(dropped.text.replacingNewlines().truncated(toWidth: 60))", .dim))
            } else {
                sayError("no queued message \(number); /queue lists them")
            }
        case "clear":
            let dropped = await session.clearQueue()
            say(StyledText("cleared \(dropped.count) queued message" + (dropped.count == 1 ? "" : "s"), .dim))
        case let other?:
            sayError("unknown /queue action \(other); use /queue, /queue drop N or /queue clear")
        }
    }

    func personaCommand(_ arguments: [String]) async {
        guard let name = arguments.first else {
            for name in personaNames {
                let marker = name == personaName ? "* " : "  "
                let description = persona(named: name)?.description.map { "  " + $0 } ?? ""
                say(StyledText(marker + name, name == personaName ? .bold : .plain) + StyledText(description, .dim))
            }
            return
        }
        await switchPersona(to: name, fresh: arguments.contains("--fresh"))
    }

    func modelCommand(_ arguments: [String]) async {
        guard let name = arguments.first else {
            let snapshot = await session.snapshot
            say(StyledText("model: \(snapshot.model ?? "default")"))
            if !knownModels.isEmpty { say(StyledText("available: " + knownModels.joined(separator: ", "), .dim)) }
            return
        }
        do {
            let resolved = try await session.setModel(name == "default" ? nil : name)
            say(StyledText("● model \(resolved)", .dim), kind: .status)
        } catch {
            sayError("model not changed: \(error)")
        }
    }

    func permissionsCommand(_ arguments: [String]) async {
        guard let mode = arguments.first else {
            let snapshot = await session.snapshot
            say(StyledText("permission mode: \(snapshot.permissionMode ?? "default")"))
            return
        }
        do {
            let confirmed = try await session.setPermissionMode(mode)
            say(StyledText("● permission mode \(confirmed)", .dim), kind: .status)
        } catch {
            sayError("permission mode not changed: \(error)")
        }
    }

    func showStatus() async {
        let snapshot = await session.snapshot
        let state: String = switch snapshot.phase {
        case .notStarted: "not started"
        case .starting: "starting"
        case .idle: "idle"
        case .busy: "busy"
        case .interrupting: "interrupting"
        case .restarting(let attempt): "restarting (attempt \(attempt))"
        case .stopping: "stopping"
        case .failed: "failed"
        case .closed: "closed"
        }
        let pid = snapshot.pid.map(String.init) ?? "none"
        say(StyledText("pid \(pid) · session \(snapshot.sessionID ?? "not yet known") · model \(snapshot.model ?? "default") · persona \(personaName)"))
        say(StyledText("\(state) · queue \(snapshot.queueLength) · turns \(snapshot.completedTurns) · "
            + String(format: "cost $%.4f", snapshot.totalCostUSD) + " · restarts \(snapshot.restarts) · uptime "
            + (snapshot.uptime.map(Self.uptime) ?? "-")))
        say(StyledText("claude \(snapshot.claudeCodeVersion ?? "version unknown") · permission mode \(snapshot.permissionMode ?? "default")", .dim))
    }

    static func uptime(_ duration: Duration) -> String {
        let seconds = Int(duration.components.seconds)
        if seconds < 60 { return "\(seconds)s" }
        if seconds < 3600 { return "\(seconds / 60)m \(seconds % 60)s" }
        return "\(seconds / 3600)h \(seconds % 3600 / 60)m"
    }
}
