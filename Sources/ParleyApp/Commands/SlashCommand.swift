import Terminal

/// What completion can draw on, kept current by the controller and read by the line
/// editor's thread.
public struct CompletionSources: Sendable, Equatable {
    public var personaNames: [String] = []
    /// `/model` names: the CLI's catalog (`list_models`) with what each is for, else the bare
    /// names of its `initialize` answer.
    public var models: [CompletionCandidate] = []
    /// This conversation's prompts, oldest first, as `/rewind` numbers them.
    public var conversationPrompts: [String] = []
    /// Where `/resume`'s conversations are read; read only when its argument is completed.
    public var conversations: ConversationCatalog?
    public var queueLength = 0
    public var cliCommands: [String] = []
    /// What each of `claude`'s commands does, from its `initialize` answer.
    public var cliDescriptions: [String: String] = [:]
    /// Custom commands (`.claude/commands/*.md`), shown with their descriptions.
    public var customCommands: [CompletionCandidate] = []
    public var permissionModes = PermissionModes.all
    public init() {}
}

/// One slash command: its name, how it is used, how its arguments complete, what it does.
/// Adding a command is adding one value to ``CommandRegistry/standard`` (in
/// `Commands/StandardCommands.swift`); it runs against a ``CommandContext``.
public struct SlashCommand: Sendable {
    public let name: String
    public let aliases: [String]
    /// Argument synopsis for `/help`, e.g. `[NAME] [--fresh]`.
    public let usage: String
    public let summary: String
    /// Whether the command takes these arguments; anything else is refused with its usage
    /// before the command runs. The default takes none.
    public let accepts: @Sendable (_ arguments: [String]) -> Bool
    /// Candidates for the argument at `index` (0-based), given the sources, with what each
    /// means when that helps (listed beside it).
    public let completeArgument: @Sendable (_ index: Int, _ sources: CompletionSources) -> [CompletionCandidate]
    public let run: @Sendable (_ context: any CommandContext, _ arguments: [String]) async -> Void

    public init(name: String, aliases: [String] = [], usage: String = "", summary: String,
                accepts: @escaping @Sendable ([String]) -> Bool = { $0.isEmpty },
                completeArgument: @escaping @Sendable (Int, CompletionSources) -> [CompletionCandidate] = { _, _ in [] },
                run: @escaping @Sendable (any CommandContext, [String]) async -> Void) {
        self.name = name
        self.aliases = aliases
        self.usage = usage
        self.summary = summary
        self.accepts = accepts
        self.completeArgument = completeArgument
        self.run = run
    }

    /// The one-line error for arguments the command does not take (naming the first one that
    /// is wrong, a near accepted word, and the usage), or `nil` when it takes them.
    public func argumentError(_ arguments: [String], sources: CompletionSources) -> String? {
        guard !accepts(arguments) else { return nil }
        guard !usage.isEmpty else { return "/\(name) takes no arguments" }
        let wrong = arguments.indices.first { index in
            !completeArgument(index, sources).contains { $0.text == arguments[index] }
        } ?? arguments.count - 1
        let suggestion = NearestName.suggestion(for: arguments[wrong], among: completeArgument(wrong, sources).map(\.text))
        return "/\(name): unexpected “\(arguments[wrong])”" + (suggestion.map { " (did you mean \($0)?)" } ?? "")
            + "; usage: /\(name) \(usage)"
    }
}

/// The set of slash commands, with lookup, nearest-match suggestions and completion.
public struct CommandRegistry: Sendable {
    public let commands: [SlashCommand]

    public init(commands: [SlashCommand]) {
        self.commands = commands
    }

    /// The command called `name` (or an alias of it).
    public func command(named name: String) -> SlashCommand? {
        commands.first { $0.name == name || $0.aliases.contains(name) }
    }

    /// Every name and alias.
    public var allNames: [String] { commands.flatMap { [$0.name] + $0.aliases } }

    /// The closest known name, for "did you mean …?"; `nil` for a wild guess.
    public func nearestName(to name: String, extra: [String] = []) -> String? {
        NearestName.suggestion(for: name, among: allNames + extra)
    }

    /// Completions for the word under the cursor in `line` (the text before the cursor):
    /// whole replacement words, commands with what they do.
    public func completions(for line: String, sources: CompletionSources) -> [CompletionCandidate] {
        guard line.hasPrefix("/"), !line.hasPrefix("//") else { return [] }
        let endsWithSpace = line.last?.isWhitespace ?? false
        var words = line.dropFirst().split(whereSeparator: \.isWhitespace).map(String.init)
        let current = endsWithSpace ? "" : (words.popLast() ?? "")
        if words.isEmpty {
            var described: [String: String] = [:]
            for command in commands {
                for name in [command.name] + command.aliases { described[name] = command.summary }
            }
            for name in sources.cliCommands where described[name] == nil { described[name] = sources.cliDescriptions[name] ?? "" }
            for custom in sources.customCommands where described[custom.text] == nil { described[custom.text] = custom.description }
            return described.keys.filter { $0.hasPrefix(current) }.sorted()
                .map { CompletionCandidate("/" + $0, description: described[$0] ?? "") }
        }
        guard let command = command(named: words[0].lowercased()) else { return [] }
        let index = words.count - 1
        return command.completeArgument(index, sources).filter { $0.text.hasPrefix(current) }
    }
}
