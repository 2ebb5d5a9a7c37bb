import AgentSession
import Foundation
import StreamJSON
import Terminal

/// Parley's own slash commands. To add one, add a ``SlashCommand`` to this list: its name,
/// usage, which arguments it accepts, how they complete, and its body, which runs against a
/// ``CommandContext``. Anything else starting with `/` goes to the CLI when it knows the
/// command (`/compact`, `/cost`, `/clear`, …), else is an error.
extension CommandRegistry {
    public static let standard = CommandRegistry(commands: [
        SlashCommand(name: "help", aliases: ["?"], summary: "list commands and keys") { context, _ in
            await StandardCommands.help(context)
        },
        SlashCommand(name: "quit", aliases: ["exit"], summary: "end the session and leave Parley") { context, _ in
            await context.requestQuit()
        },
        SlashCommand(name: "restart", usage: "[--fresh]", summary: "restart claude; the conversation continues unless --fresh",
                     accepts: { $0 == [] || $0 == ["--fresh"] },
                     completeArgument: { index, _ in index == 0 ? ["--fresh"] : [] }) { context, arguments in
            let fresh = arguments == ["--fresh"]
            await context.status("↻ restarting claude" + (fresh ? " with a new conversation" : ""))
            await context.restart(fresh: fresh)
        },
        SlashCommand(name: "new", summary: "start a new conversation (same as /restart --fresh)") { context, _ in
            await context.status("↻ new conversation")
            await context.restart(fresh: true)
        },
        SlashCommand(name: "queue", usage: "[drop N | edit N | clear | restore]",
                     summary: "list queued messages, drop one, take one back to edit, clear them, or send those the last run left",
                     accepts: { _ in true },
                     completeArgument: { index, sources in
                         index == 0 ? ["drop", "edit", "clear", "restore"] : (index == 1 ? (0..<sources.queueLength).map { CompletionCandidate(String($0 + 1)) } : [])
                     }) { context, arguments in
            await StandardCommands.queue(context, arguments)
        },
        SlashCommand(name: "edit", summary: "write the message in $VISUAL or $EDITOR (Ctrl-X Ctrl-E does the same); Enter sends it") { context, _ in
            guard await context.hasEditLine else {
                await context.sayError("/edit needs the interactive prompt")
                return
            }
            await context.openExternalEditor()
        },
        SlashCommand(name: "persona", usage: "[NAME [--fresh]]", summary: "list personas, or switch (the conversation continues unless --fresh)",
                     accepts: { $0.count <= 1 || ($0.count == 2 && $0[1] == "--fresh") },
                     completeArgument: { index, sources in index == 0 ? sources.personaNames.map { CompletionCandidate($0) } : (index == 1 ? ["--fresh"] : []) }) { context, arguments in
            await StandardCommands.persona(context, arguments)
        },
        SlashCommand(name: "model", usage: "[NAME]", summary: "show or switch the model",
                     accepts: { $0.count <= 1 },
                     completeArgument: { index, sources in index == 0 ? sources.models : [] }) { context, arguments in
            await StandardCommands.model(context, arguments)
        },
        SlashCommand(name: "permissions", usage: "[MODE]", summary: "show or switch claude's permission mode",
                     accepts: { $0.count <= 1 },
                     completeArgument: { index, sources in index == 0 ? sources.permissionModes.map { CompletionCandidate($0) } : [] }) { context, arguments in
            await StandardCommands.permissions(context, arguments)
        },
        SlashCommand(name: "interrupt", summary: "stop the running turn (Ctrl-C does the same)") { context, _ in
            if await context.interrupt() {
                await context.status("interrupting…")
            } else {
                await context.note(StyledText("nothing to interrupt", .dim))
            }
        },
        SlashCommand(name: "retry", summary: "send the last unanswered message again") { context, _ in
            await context.retryLastUnanswered()
        },
        SlashCommand(name: "context", summary: "how full the conversation's context is, by category") { context, _ in
            await StandardCommands.contextUsage(context)
        },
        SlashCommand(name: "tasks", usage: "[stop ID]", summary: "the model's plan and background tasks (Ctrl-T); stop ID stops one",
                     accepts: { $0.isEmpty || ($0.count == 2 && $0[0] == "stop") },
                     completeArgument: { index, _ in index == 0 ? ["stop"] : [] }) { context, arguments in
            await StandardCommands.tasks(context, arguments)
        },
        RewindCommands.rewind,
        RewindCommands.undo,
        SlashCommand(name: "btw", usage: "QUESTION", summary: "ask a side question: answered now, even during a turn, and kept out of the conversation",
                     accepts: { !$0.isEmpty }) { context, arguments in
            let question = arguments.joined(separator: " ")
            if await context.hasEditLine {
                // Not behind the turn, and not holding up the prompt: the answer shows when it comes.
                Task { await StandardCommands.sideQuestion(context, question) }
            } else {
                // A script's next line waits for the answer (it does not wait for a running turn).
                await StandardCommands.sideQuestion(context, question)
            }
        },
        SlashCommand(name: "status", summary: "process, session, model, persona, queue, turns, cost") { context, _ in
            await StandardCommands.status(context)
        },
        SlashCommand(name: "diff", summary: "show the last file change (Edit, MultiEdit, Write) as a whole diff") { context, _ in
            guard let lines = await context.lastDiff else {
                await context.note(StyledText("no file change to show yet", .dim))
                return
            }
            for line in lines { await context.say(line, kind: .tool) }
        },
        SlashCommand(name: "thinking", usage: "[on|off]", summary: "show thinking in full (on), only as an indicator (off); no argument toggles",
                     accepts: { $0 == [] || $0 == ["on"] || $0 == ["off"] },
                     completeArgument: { index, _ in index == 0 ? ["on", "off"] : [] }) { context, arguments in
            let shown = await context.setShowThinking(arguments.first.map { $0 == "on" })
            await context.note(StyledText("thinking is " + (shown ? "shown in full" : "shown as an indicator"), .dim))
        },
    ] + conversationCommands)
}

/// The bodies of the longer standard commands.
enum StandardCommands {
    static func help(_ context: any CommandContext) async {
        let commands = context.commands
        let claudeCommands = await context.claudeCommands
        let rows = commands.map { command in
            (["/" + command.name] + command.aliases.map { "/" + $0 }).joined(separator: ", ")
                + (command.usage.isEmpty ? "" : " " + command.usage)
        }
        let claudeRows = claudeCommands.map { "/" + $0.name + ($0.argumentHint.isEmpty ? "" : " " + $0.argumentHint) }
        // One column for every summary; a row too long for it has its summary on the next line.
        let widest = 30
        let width = (rows + claudeRows).map(displayWidth(of:)).filter { $0 <= widest }.max() ?? 0
        func row(_ name: String, _ summary: String, style: Style) -> StyledText {
            let nameWidth = displayWidth(of: name)
            guard !summary.isEmpty else { return StyledText(name, .bold) }
            let gap = nameWidth <= width ? String(repeating: " ", count: width - nameWidth + 2)
                : "\n" + String(repeating: " ", count: width + 2)
            return StyledText(name, .bold) + StyledText(gap + summary, style)
        }
        for (name, command) in zip(rows, commands) {
            await context.note(row(name, command.summary, style: .plain))
        }
        await context.note(StyledText("claude's own commands, passed to it (//text sends a message starting with /):", .dim))
        for (name, command) in zip(claudeRows, claudeCommands) {
            await context.note(row(name, command.description, style: .dim))
        }
        await context.note(StyledText("!command runs a shell command and puts its output into the conversation; "
            + "@picture.png attaches an image.", .dim))
        await context.note(StyledText("Keys: Enter sends · \\ at the end of a line continues it · Ctrl-C interrupts a turn or a !command, "
            + "or clears the line · Esc interrupts a turn · Ctrl-D on an empty line quits · Tab completes · "
            + "Esc Esc on an empty line rewinds the last prompt · Ctrl-X Ctrl-E edits in $EDITOR · "
            + "Shift-Tab cycles the permission mode · Up on an empty line takes back the last queued message · "
            + "Ctrl-R searches history", .dim))
    }

    static func queue(_ context: any CommandContext, _ arguments: [String]) async {
        switch arguments.first {
        case nil, "list":
            let queue = await context.queuedMessages
            let unsent = await context.unsentFromLastRunTexts
            if !unsent.isEmpty {
                await context.note(StyledText("not sent by the last run (/queue restore sends \(unsent.count == 1 ? "it" : "them")):", .color(.yellow)))
                for text in unsent {
                    await context.note(StyledText("   · " + text.replacingNewlines().truncated(toWidth: 70)))
                }
            }
            if queue.isEmpty {
                await context.note(StyledText("the queue is empty", .dim))
            } else {
                for (index, message) in queue.enumerated() {
                    await context.note(StyledText("\(index + 1). ", .bold) + StyledText(message.text.replacingNewlines().truncated(toWidth: 70)))
                }
            }
        case "drop":
            guard arguments.count == 2, let number = Int(arguments[1]), number >= 1 else {
                await context.sayError("usage: /queue drop N (N from /queue)")
                return
            }
            if let dropped = await context.dropQueued(at: number - 1) {
                await context.note(StyledText("dropped \(number): \(dropped.text.replacingNewlines().truncated(toWidth: 60))", .dim))
            } else {
                await context.sayError("no queued message \(number); /queue lists them")
            }
        case "restore" where arguments.count == 1:
            let (sent, taken) = await context.restoreUnsentFromLastRun()
            let skipped = taken == 0 ? "" : "; \(taken) claude had already taken, not sent again"
            await context.note(StyledText("restored \(sent) message\(sent == 1 ? "" : "s") from the last run" + skipped, .dim))
        case "edit":
            await editQueued(context, arguments)
        case "clear" where arguments.count == 1:
            let dropped = await context.clearQueue()
            await context.note(StyledText("cleared \(dropped.count) queued message" + (dropped.count == 1 ? "" : "s"), .dim))
        default:
            await context.sayError("unknown /queue action \(arguments.joined(separator: " ")); use /queue, /queue drop N, /queue edit N, /queue clear or /queue restore")
        }
    }

    /// `/btw QUESTION`: the answer, marked as an aside.
    static func sideQuestion(_ context: any CommandContext, _ question: String) async {
        await context.status("✻ aside: “\(question.truncated(toWidth: 60))”…")
        do {
            let answer = try await context.askSideQuestion(question)
            await context.note(StyledText("✻ aside (not part of the conversation):", .color(.magenta).merging(.bold)))
            for line in answer.split(separator: "\n", omittingEmptySubsequences: false) {
                await context.note(StyledText("│ ", .color(.magenta)) + StyledText(String(line)))
            }
        } catch {
            await context.sayError("the side question was not answered: \(reason(error))")
        }
    }

    /// `/queue edit N`: message N leaves the queue for the edit line, to be changed and sent again.
    static func editQueued(_ context: any CommandContext, _ arguments: [String]) async {
        guard arguments.count == 2, let number = Int(arguments[1]), number >= 1 else {
            await context.sayError("usage: /queue edit N (N from /queue)")
            return
        }
        guard await context.hasEditLine else {
            await context.sayError("/queue edit needs the interactive prompt; use /queue drop N and send the message again")
            return
        }
        guard let taken = await context.dropQueued(at: number - 1) else {
            await context.sayError("no queued message \(number); /queue lists them")
            return
        }
        await context.putOnEditLine(taken.text)
        await context.note(StyledText("editing \(number): Enter sends it again", .dim))
    }

    static func persona(_ context: any CommandContext, _ arguments: [String]) async {
        guard let name = arguments.first else {
            let active = await context.personaName
            for persona in await context.personas {
                let marker = persona.name == active ? "* " : "  "
                await context.note(StyledText(marker + persona.name, persona.name == active ? .bold : .plain)
                    + StyledText(persona.description.map { "  " + $0 } ?? "", .dim))
            }
            return
        }
        await context.switchPersona(to: name, fresh: arguments.count == 2)
    }

    static func model(_ context: any CommandContext, _ arguments: [String]) async {
        guard let name = arguments.first else {
            await context.note(StyledText("model: \(await context.snapshot.model ?? "default")"))
            let known = await context.knownModels
            if !known.isEmpty { await context.note(StyledText("available: " + known.joined(separator: ", "), .dim)) }
            return
        }
        do {
            let resolved = try await context.setModel(name == "default" ? nil : name)
            await context.status("● model \(resolved)")
        } catch {
            await context.sayError("model not changed: \(reason(error))")
        }
    }

    /// Tab after `/model `: the catalog's names, each with what it is for (made inert: the text
    /// comes from the CLI).
    static func modelChoices(_ models: [ModelOption]) -> [CompletionCandidate] {
        models.map { model in
            CompletionCandidate(model.value, description: InertText.make(model.description.isEmpty ? model.displayName : model.description)
                .replacingNewlines())
        }
    }

    static func permissions(_ context: any CommandContext, _ arguments: [String]) async {
        guard let mode = arguments.first else {
            await context.note(StyledText("permission mode: \(await context.snapshot.permissionMode ?? "default")"))
            return
        }
        guard PermissionModes.all.contains(mode) else {
            let suggestion = NearestName.suggestion(for: mode, among: PermissionModes.all).map { " (did you mean \($0)?)" } ?? ""
            await context.sayError("permission mode not changed: “\(mode)” is not a mode\(suggestion); "
                + "the modes are \(PermissionModes.all.joined(separator: ", "))")
            return
        }
        do {
            let confirmed = try await context.setPermissionMode(mode)
            await context.status("● permission mode \(confirmed)")
        } catch {
            await context.sayError("permission mode not changed: \(reason(error))")
        }
    }

    static func tasks(_ context: any CommandContext, _ arguments: [String]) async {
        if arguments.count == 2 {
            do {
                try await context.stopTask(id: arguments[1])
                await context.status("stopping task \(arguments[1])…")
            } catch {
                await context.sayError("task not stopped: \(error)")
            }
            return
        }
        await context.report(type: "tasks", fields: await context.taskBoardFields)
        for line in await context.taskBoardLines { await context.note(line) }
    }

    static func contextUsage(_ context: any CommandContext) async {
        do {
            let usage = try await context.contextUsage()
            await context.report(type: "context_usage", fields: ContextReport.fields(for: usage))
            for line in ContextReport.lines(for: usage) { await context.note(line) }
            await context.warnIfContextFull(usage)
        } catch {
            await context.sayError("context use not known: \(reason(error))")
        }
    }

    /// What went wrong, in the user's terms: the CLI's own message, not the request's name.
    static func reason(_ error: SessionError) -> String {
        switch error {
        case .controlRequestFailed(_, let message, _): message
        case .noResponse: "claude exited before answering"
        default: "\(error)"
        }
    }

    static func status(_ context: any CommandContext) async {
        let snapshot = await context.snapshot
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
        let costUSD = await context.conversationCostUSD
        let persona = await context.personaName
        func optional(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        await context.report(type: "session_status", fields: [
            "pid": snapshot.pid.map { .number(Double($0)) } ?? .null, "session_id": optional(snapshot.sessionID),
            "model": optional(snapshot.model), "persona": .string(persona), "state": .string(state),
            "queue_length": .number(Double(snapshot.queueLength)), "completed_turns": .number(Double(snapshot.completedTurns)),
            "total_cost_usd": .number(costUSD), "restarts": .number(Double(snapshot.restarts)),
            "uptime_seconds": snapshot.uptime.map { .number(Double($0.components.seconds)) } ?? .null,
            "claude_version": optional(snapshot.claudeCodeVersion), "permission_mode": optional(snapshot.permissionMode),
        ])
        let pid = snapshot.pid.map(String.init) ?? "none"
        let name = snapshot.sessionID.flatMap { context.conversationFiles.names.name(of: $0) }.map { " “\($0)”" } ?? ""
        await context.note(StyledText("pid \(pid) · session \(snapshot.sessionID ?? "not yet known")\(name) · model \(snapshot.model ?? "default") · persona \(persona)"))
        await context.note(StyledText("\(state) · queue \(snapshot.queueLength) · turns \(snapshot.completedTurns) · "
            + String(format: "cost $%.4f", costUSD) + " · restarts \(snapshot.restarts) · uptime "
            + (snapshot.uptime.map(uptime) ?? "-")))
        await context.note(StyledText("claude \(snapshot.claudeCodeVersion ?? "version unknown") · permission mode \(snapshot.permissionMode ?? "default")", .dim))
    }

    static func uptime(_ duration: Duration) -> String {
        let seconds = Int(duration.components.seconds)
        if seconds < 60 { return "\(seconds)s" }
        if seconds < 3600 { return "\(seconds / 60)m \(seconds % 60)s" }
        return "\(seconds / 3600)h \(seconds % 3600 / 60)m"
    }
}
