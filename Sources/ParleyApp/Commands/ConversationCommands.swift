import Conversations
import Foundation
import StreamJSON
import Terminal

/// `/resume`, `/rename`, `/export` and `/copy`: conversations read from the CLI's transcript
/// files (through the `Conversations` module) and the last answer.
extension CommandRegistry {
    static let conversationCommands: [SlashCommand] = [
        SlashCommand(name: "resume", usage: "[N | ID]", summary: "list this directory's conversations, or switch to one (number or id prefix)",
                     accepts: { $0.count <= 1 },
                     completeArgument: { index, sources in
                         guard index == 0, let catalog = sources.conversations else { return [] }
                         return ConversationLines.choices(catalog.listing(), now: .now)
                     }) { context, arguments in
            await ConversationCommands.resume(context, arguments.first)
        },
        SlashCommand(name: "rename", usage: "NAME", summary: "name this conversation (shown in /resume and /status)",
                     accepts: { !$0.isEmpty }) { context, arguments in
            await ConversationCommands.rename(context, arguments.joined(separator: " "))
        },
        SlashCommand(name: "export", usage: "[PATH]", summary: "write this conversation as Markdown",
                     accepts: { $0.count <= 1 }) { context, arguments in
            await ConversationCommands.export(context, to: arguments.first)
        },
        SlashCommand(name: "copy", usage: "[N]", summary: "copy the last answer (or its Nth code block) to the clipboard",
                     accepts: { $0.isEmpty || ($0.count == 1 && Int($0[0]).map { $0 >= 1 } == true) }) { context, arguments in
            await ConversationCommands.copy(context, codeBlock: arguments.first.flatMap { Int($0) })
        },
    ]
}

enum ConversationCommands {
    static func listing(_ context: any CommandContext) async -> ConversationListing {
        ConversationCatalog(store: await context.conversationStore, files: context.conversationFiles).listing()
    }

    static func resume(_ context: any CommandContext, _ choice: String?) async {
        let listing = await listing(context)
        guard let choice else {
            await list(listing, context)
            return
        }
        do throws(ConversationError) {
            let transcript: Transcript
            if let number = Int(choice) {
                transcript = try listing.item(number).transcript.get()
            } else {
                let store = await context.conversationStore
                transcript = try store.load(try store.find(choice))
            }
            guard !transcript.turns.isEmpty else { throw .unknown(choice) }
            let name = context.conversationFiles.names.name(of: transcript.sessionID) ?? transcript.cliTitle
            await context.resumeConversation(transcript, name: name)
        } catch {
            await context.sayError("not resumed: \(error)")
        }
    }

    static func list(_ listing: ConversationListing, _ context: any CommandContext) async {
        let current = await context.snapshot.sessionID
        let width = await context.lineWidth
        var text: [StyledText] = listing.items.map { ConversationLines.row($0, width: width, isCurrent: $0.entry.sessionID == current) }
        if listing.items.isEmpty { text = [StyledText("no earlier conversation in this directory", .dim)] }
        if listing.omitted > 0 { text.append(StyledText("(\(listing.omitted) older not listed)", .dim)) }
        if !listing.items.isEmpty { text.append(StyledText("/resume N or /resume ID switches to one", .dim)) }
        await context.report(text, json: ConversationLines.json(listing))
    }

    static func rename(_ context: any CommandContext, _ name: String) async {
        guard let id = await context.snapshot.sessionID else {
            await context.sayError("no conversation to name yet: send a message first")
            return
        }
        do {
            try context.conversationFiles.names.setName(name, for: id)
            await context.report(StyledText("● this conversation is now “\(name)”", .dim),
                                 json: ["type": "conversation_renamed", "session_id": .string(id), "name": .string(name)])
        } catch {
            await context.sayError("not renamed: \(error)")
        }
    }

    /// The current conversation's transcript, or an error said.
    static func currentTranscript(_ context: any CommandContext, for action: String) async -> Transcript? {
        guard let id = await context.snapshot.sessionID else {
            await context.sayError("nothing to \(action) yet: send a message first")
            return nil
        }
        do throws(ConversationError) {
            let store = await context.conversationStore
            return try store.load(try store.find(id))
        } catch {
            await context.sayError("cannot \(action): \(error)")
            return nil
        }
    }

    static func export(_ context: any CommandContext, to path: String?) async {
        guard let transcript = await currentTranscript(context, for: "export") else { return }
        let name = context.conversationFiles.names.name(of: transcript.sessionID) ?? transcript.cliTitle
        let directory = await context.conversationStore.workingDirectory
        let markdown = TranscriptMarkdown.render(transcript, name: name, exportedAt: .now)
        let candidates: [String]
        if let path {
            let expanded = ParleyPaths(environment: ["HOME": context.conversationFiles.home]).expandingTilde(in: path)
            candidates = [expanded.hasPrefix("/") ? expanded : (directory as NSString).appendingPathComponent(expanded)]
        } else {
            let base = (directory as NSString).appendingPathComponent(defaultExportName(transcript, name: name))
            candidates = [base + ".md"] + (2...99).map { base + "-\($0).md" }
        }
        for candidate in candidates {
            do {
                try PrivateFile.write(markdown, to: candidate, replacing: false)
                await context.report(StyledText("● exported \(transcript.turns.count) turns to \(candidate)", .dim),
                                     json: ["type": "exported", "path": .string(candidate),
                                            "turns": .number(Double(transcript.turns.count))])
                return
            } catch where error.reason == "it already exists" && path == nil {
                continue
            } catch {
                await context.sayError("not exported: \(error)" + (path != nil && error.reason == "it already exists"
                    ? " (not overwritten; choose another path)" : ""))
                return
            }
        }
        await context.sayError("not exported: too many exports of this conversation today; give a PATH")
    }

    /// `2026-12-01-<name or "conversation">-<id prefix>`.
    static func defaultExportName(_ transcript: Transcript, name: String?) -> String {
        let day = Date.now.formatted(Date.VerbatimFormatStyle(
            format: "\(year: .defaultDigits)-\(month: .twoDigits)-\(day: .twoDigits)",
            timeZone: .current, calendar: Calendar(identifier: .gregorian)))
        let slug = (name ?? "conversation").lowercased().unicodeScalars
            .map { $0.isASCII && CharacterSet.alphanumerics.contains($0) ? Character($0) : "-" }
            .reduce(into: "") { result, character in
                if character != "-" || (result.last != "-" && !result.isEmpty) { result.append(character) }
            }
        let trimmed = String(slug.prefix(40)).trimmingCharacters(in: CharacterSet(charactersIn: "-"))
        return "\(day)-\(trimmed.isEmpty ? "conversation" : trimmed)-\(transcript.sessionID.prefix(8))"
    }

    static func copy(_ context: any CommandContext, codeBlock: Int?) async {
        var answer = await context.lastAnswer
        if answer == nil, await context.snapshot.sessionID != nil {
            answer = await currentTranscript(context, for: "copy")?.turns.last?.finalText
        }
        guard let answer, !answer.isEmpty else {
            await context.sayError("nothing to copy: no answer yet")
            return
        }
        var text = answer
        var what = "the last answer"
        if let codeBlock {
            let blocks = CodeBlocks.extract(from: answer)
            guard blocks.indices.contains(codeBlock - 1) else {
                await context.sayError("the last answer has \(blocks.count) code block\(blocks.count == 1 ? "" : "s"); nothing copied")
                return
            }
            text = blocks[codeBlock - 1]
            what = "code block \(codeBlock) of the last answer"
        }
        let size = "\(text.count) characters"
        if await context.copyToClipboard(text) {
            await context.report(StyledText("● copied \(what) (\(size)) to the clipboard (OSC 52)", .dim),
                                 json: ["type": "copied", "to": "clipboard", "characters": .number(Double(text.count))])
            return
        }
        let file = context.conversationFiles.copyFile
        do {
            try PrivateFile.write(text, to: file, replacing: true)
            await context.report(StyledText("● no terminal clipboard here (scripted, or TERM=dumb): wrote \(what) (\(size)) to \(file)", .dim),
                                 json: ["type": "copied", "to": "file", "path": .string(file), "characters": .number(Double(text.count))])
        } catch {
            await context.sayError("not copied: \(error)")
        }
    }
}
