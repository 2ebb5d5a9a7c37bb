import AgentSession

/// `claude`'s own slash commands as Parley offers them: those its `initialize` answer lists,
/// without internal ones, passed to it as the message text; and those that only work in
/// Claude Code's own full-screen interface, which get an instruction instead of going to the
/// model as a prompt.
struct CLICommands: Sendable {
    /// Passed through before `initialize` says which exist.
    static let beforeInitialize = ["clear", "compact", "context", "cost", "init", "review"].map {
        SessionCapabilities.Command(name: $0)
    }

    /// Commands of Claude Code's interface that make no sense here, and what to do instead.
    static let interfaceOnly: [String: String] = [
        "login": "run `claude` once in a shell to log in (or set ANTHROPIC_API_KEY), then /restart",
        "logout": "run `claude` in a shell and use /logout there",
        "doctor": "run `claude doctor` in a shell",
        "config": "run `claude` in a shell and use /config there, or edit ~/.claude/settings.json",
        "theme": "Parley follows your terminal's colours; --color never turns colour off",
        "vim": "Parley's line editor uses emacs keys",
        "terminal-setup": "nothing is needed: Parley reads your terminal's keys itself",
        "ide": "run `claude` in a shell and use /ide there",
        "hooks": "run `claude` in a shell and use /hooks there, or edit ~/.claude/settings.json",
        "memory": "edit CLAUDE.md in your project (or ~/.claude/CLAUDE.md)",
        "resume": "start Parley with --continue, or --resume SESSION_ID",
        "upgrade": "update the claude CLI the way you installed it",
        "bug": "run `claude` in a shell and use /bug there",
        "feedback": "run `claude` in a shell and use /feedback there",
    ]

    /// Names of commands a person never types (the CLI's plumbing).
    static let internalNames: Set<String> = ["heapdump", "workflow-launch-exec"]

    /// The commands to offer, in the CLI's order.
    private(set) var commands: [SessionCapabilities.Command] = Self.beforeInitialize

    /// Takes the list from `initialize`, hiding internal and interface-only commands.
    mutating func learn(_ listed: [SessionCapabilities.Command]) {
        let offered = listed.filter { !Self.isHidden($0) }
        commands = offered + Self.beforeInitialize.filter { known in !offered.contains { $0.name == known.name } }
    }

    static func isHidden(_ command: SessionCapabilities.Command) -> Bool {
        command.name.hasPrefix("_") || internalNames.contains(command.name) || interfaceOnly[command.name] != nil
            || command.description.hasPrefix("(removed)")
    }

    var names: [String] { commands.map(\.name) }

    func contains(_ name: String) -> Bool { commands.contains { $0.name == name } }

    /// The instruction for a command of Claude Code's interface, or `nil`.
    static func instruction(for name: String) -> String? {
        interfaceOnly[name].map { "/\(name) works only in Claude Code's own interface: \($0)" }
    }
}
