/// What completion can draw on, kept current by the controller and read by the line
/// editor's thread.
public struct CompletionSources: Sendable, Equatable {
    public var personaNames: [String] = []
    public var modelNames: [String] = []
    public var queueLength = 0
    public var cliCommands: [String] = []
    public var permissionModes = ["acceptEdits", "auto", "bypassPermissions", "default", "dontAsk", "plan"]
    public init() {}
}

/// One slash command: its name, how it is used, how its arguments complete, what it does.
/// Adding a command is adding one value to ``CommandRegistry/standard``.
public struct SlashCommand: Sendable {
    public let name: String
    public let aliases: [String]
    /// Argument synopsis for `/help`, e.g. `[NAME] [--fresh]`.
    public let usage: String
    public let summary: String
    /// Candidates for the argument at `index` (0-based), given the sources.
    public let completeArgument: @Sendable (_ index: Int, _ sources: CompletionSources) -> [String]
    public let run: @Sendable (_ controller: SessionController, _ arguments: [String]) async -> Void

    public init(name: String, aliases: [String] = [], usage: String = "", summary: String,
                completeArgument: @escaping @Sendable (Int, CompletionSources) -> [String] = { _, _ in [] },
                run: @escaping @Sendable (SessionController, [String]) async -> Void) {
        self.name = name
        self.aliases = aliases
        self.usage = usage
        self.summary = summary
        self.completeArgument = completeArgument
        self.run = run
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

    /// The closest known name, for "did you mean …?".
    public func nearestName(to name: String, extra: [String] = []) -> String? {
        let candidates = allNames + extra
        let scored = candidates.map { ($0, editDistance($0, name)) }.min { $0.1 < $1.1 }
        guard let (best, distance) = scored, distance <= max(2, name.count / 2) else { return nil }
        return best
    }

    /// Completions for the word under the cursor in `line` (the text before the cursor).
    /// Returns whole replacement words.
    public func completions(for line: String, sources: CompletionSources) -> [String] {
        guard line.hasPrefix("/"), !line.hasPrefix("//") else { return [] }
        let endsWithSpace = line.last?.isWhitespace ?? false
        var words = line.dropFirst().split(whereSeparator: \.isWhitespace).map(String.init)
        let current = endsWithSpace ? "" : (words.popLast() ?? "")
        if words.isEmpty {
            let names = (allNames + sources.cliCommands).filter { $0.hasPrefix(current) }
            return Array(Set(names)).sorted().map { "/" + $0 }
        }
        guard let command = command(named: words[0].lowercased()) else { return [] }
        let index = words.count - 1
        return command.completeArgument(index, sources).filter { $0.hasPrefix(current) }
    }
}

/// Levenshtein distance, for suggestions.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}
