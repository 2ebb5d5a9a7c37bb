import AgentSession
import StreamJSON
import Terminal

/// `/rewind` and `/undo`: taking back prompts and the file changes that came with them.
enum RewindCommands {
    static let rewind = SlashCommand(
        name: "rewind", usage: "[N [--files|--keep-files]]",
        summary: "list this conversation's prompts; remove prompt N and all after it, to edit and send it again",
        accepts: { arguments in
            arguments.isEmpty || (Int(arguments[0]) != nil
                && (arguments.count == 1 || (arguments.count == 2 && ["--files", "--keep-files"].contains(arguments[1]))))
        },
        completeArgument: { index, sources in
            index == 0 ? choices(sources.conversationPrompts) : (index == 1 ? ["--files", "--keep-files"] : [])
        }
    ) { context, arguments in
        guard let number = arguments.first.flatMap(Int.init) else {
            await list(context)
            return
        }
        await rewind(context, to: number, files: arguments.count == 2 ? arguments[1] == "--files" : nil)
    }

    static let undo = SlashCommand(name: "undo", summary: "restore the files the last turn changed") { context, _ in
        await undo(context)
    }

    /// Esc Esc at an empty prompt: the same choice as `/rewind N` for the last prompt.
    static func rewindLastPrompt(_ context: any CommandContext) async {
        let count = await context.conversationPrompts.count
        guard count > 0 else {
            await context.note(StyledText("no prompt to rewind yet", .dim))
            return
        }
        await rewind(context, to: count, files: nil)
    }

    /// The prompts as `/rewind` numbers them, each on one line and made inert: what `/rewind`
    /// lists and what Tab after `/rewind ` offers.
    static func numbered(_ prompts: [String]) -> [(number: Int, line: String)] {
        prompts.enumerated().map { ($0 + 1, InertText.make($1.replacingNewlines())) }
    }

    /// Tab after `/rewind `: each prompt's number, with its text beside it.
    /// Each prompt is cut to a screen's width first: the list cuts the rows to fit anyway, and a
    /// pasted prompt can be hundreds of kilobytes, made inert again at every Tab.
    static func choices(_ prompts: [String]) -> [CompletionCandidate] {
        numbered(prompts.map { String($0.prefix(1_000)) }).map { CompletionCandidate(String($0.number), description: $0.line) }
    }

    static func list(_ context: any CommandContext) async {
        let prompts = await context.conversationPrompts
        guard !prompts.isEmpty else {
            await context.note(StyledText("no prompts in this conversation yet", .dim))
            return
        }
        await context.report(type: "conversation_prompts", fields: [
            "prompts": .array(prompts.enumerated().map { .object(["number": .number(Double($0 + 1)), "uuid": .string($1.id), "text": .string($1.text)]) }),
        ])
        for (number, line) in numbered(prompts.map(\.text)) {
            await context.note(StyledText("\(number). ", .bold) + StyledText(line.truncated(toWidth: 70)))
        }
        await context.note(StyledText("/rewind N removes prompt N and everything after it", .dim))
    }

    /// `files`: restore the files changed since the prompt (`true`), keep them (`false`), or
    /// ask when there are any (`nil`).
    static func rewind(_ context: any CommandContext, to number: Int, files: Bool?) async {
        let prompts = await context.conversationPrompts
        guard prompts.indices.contains(number - 1) else {
            await context.sayError("no prompt \(number): this conversation has \(prompts.count) prompt\(prompts.count == 1 ? "" : "s"); /rewind lists them")
            return
        }
        guard await context.isIdle else {
            await context.sayError("/rewind waits until no turn runs (Ctrl-C interrupts the turn); nothing changed")
            return
        }
        let prompt = prompts[number - 1]
        let changes: FileChangeSummary
        do {
            changes = try await context.fileChanges(since: prompt)
        } catch {
            await context.sayError("not rewound: \(StandardCommands.reason(error))")
            return
        }
        if !changes.isEmpty && files == nil {
            await context.report(type: "rewind_choice", fields: changes.fields.merging(["prompt": .number(Double(number))]) { $1 })
            await context.note(StyledText("files changed since prompt \(number): " + changes.line, .color(.yellow)))
            await context.note(StyledText("nothing changed yet: /rewind \(number) --files also restores them, /rewind \(number) --keep-files keeps them", .dim))
            return
        }
        let restoring = files == true && !changes.isEmpty
        do {
            if restoring { try await context.restoreFiles(since: prompt) }
        } catch {
            await context.sayError("not rewound, files not restored: \(StandardCommands.reason(error))")
            return
        }
        let text: String
        do {
            text = try await context.rewindConversation(to: prompt)
        } catch {
            await context.sayError("conversation not rewound: \(StandardCommands.reason(error))" + (restoring ? " (the files were restored)" : ""))
            return
        }
        await context.report(type: "rewound", fields: [
            "prompt": .number(Double(number)), "uuid": .string(prompt.id), "text": .string(text),
            "files_restored": .array(restoring ? changes.files.map(JSONValue.string) : []),
        ])
        let restored = restoring ? "; restored " + changes.line.replacingOccurrences(of: " changed", with: "") : ""
        await context.status("⏪ removed prompt \(number) and everything after it\(restored)")
        if await !context.offerForEditing(text) {
            await context.note(StyledText("prompt \(number) was: ", .dim) + StyledText(InertText.make(text)))
        }
    }

    static func undo(_ context: any CommandContext) async {
        guard let (prompt, change) = await context.lastFileChange else {
            await context.sayError("nothing to undo: no turn has changed files since the last /undo or /rewind")
            return
        }
        guard await context.isIdle else {
            await context.sayError("/undo waits until no turn runs (Ctrl-C interrupts the turn); nothing changed")
            return
        }
        do {
            try await context.restoreFiles(since: prompt)
        } catch {
            await context.sayError("nothing undone: \(StandardCommands.reason(error))")
            return
        }
        await context.report(type: "files_restored", fields: change.fields.merging(["prompt_uuid": .string(prompt.id)]) { $1 })
        await context.status("↶ undid the last turn's changes: " + change.line.replacingOccurrences(of: " changed", with: " restored"))
    }
}
