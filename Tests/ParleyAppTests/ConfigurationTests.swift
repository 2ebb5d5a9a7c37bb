import AgentSession
import Foundation
import Testing
@testable import ParleyApp

@Suite("Configuration loading")
struct ConfigurationLoadingTests {
    static let completeFile = """
        # Parley configuration
        default_persona = "reviewer"
        color = "always"
        claude_path = "~/bin/claude"
        history_size = 250
        auto_approve = "edits"

        [personas.reviewer]
        description = "Careful code reviewer"
        system_prompt_file = "prompts/reviewer.md"
        append_system_prompt = "Be terse."
        model = "sonnet"
        max_turns = 5
        permission_mode = "plan"
        allowed_tools = ["Read", "Grep"]
        disallowed_tools = ["Bash"]
        working_directory = "~/src/project"
        auto_approve = "none"

        [personas.reviewer.env]
        SOME_VAR = "1"
        "OTHER.VAR" = "two words"

        [personas.shell]
        system_prompt = \"\"\"
        You are a terse shell helper.
        model = "not a key, just text"
        \"\"\"
        allowed_tools = [
          "Bash",   # the only tool
          "Read",
        ]
        working_directory = "work"
        env = { EDITOR = "vi" }
        """

    @Test func aCompleteFileLoadsEveryField() throws {
        let fixture = try ConfigurationFixture()
        try fixture.write("You review code.\n\n", to: "conf/prompts/reviewer.md")
        let result = try fixture.load(Self.completeFile)
        #expect(result.diagnostics == [])
        #expect(result.notice == nil)
        #expect(!result.isFatal)
        let configuration = result.configuration
        let home = "\(fixture.root)/home"
        #expect(configuration.sourcePath == "\(fixture.root)/conf/config.toml")
        #expect(configuration.defaultPersona == "reviewer")
        #expect(configuration.initialPersonaName == "reviewer")
        #expect(configuration.color == "always")
        #expect(configuration.colorMode == .always)
        #expect(configuration.claudePath == "\(home)/bin/claude")
        #expect(configuration.historySize == 250)
        #expect(configuration.autoApprove == "edits")
        #expect(configuration.personaNames == ["default", "reviewer", "shell"])
        #expect(configuration.personas["default"] == .default)

        let reviewer = try #require(configuration.personas["reviewer"])
        #expect(reviewer == Persona(
            name: "reviewer", description: "Careful code reviewer", systemPrompt: nil,
            systemPromptFile: "\(fixture.root)/conf/prompts/reviewer.md", appendSystemPrompt: "Be terse.",
            model: "sonnet", maxTurns: 5, permissionMode: "plan", allowedTools: ["Read", "Grep"],
            disallowedTools: ["Bash"], workingDirectory: "\(home)/src/project",
            environment: ["SOME_VAR": "1", "OTHER.VAR": "two words"], autoApprove: "none"))
        #expect(try reviewer.resolvedSystemPrompt() == "You review code.")
        #expect(configuration.autoApprovePolicy(for: reviewer) == "none")

        let shell = try #require(configuration.personas["shell"])
        #expect(shell.systemPrompt == "You are a terse shell helper.\nmodel = \"not a key, just text\"\n")
        #expect(shell.allowedTools == ["Bash", "Read"])
        #expect(shell.workingDirectory == "\(fixture.root)/conf/work")
        #expect(shell.environment == ["EDITOR": "vi"])
        #expect(shell.autoApprove == nil)
        #expect(configuration.autoApprovePolicy(for: shell) == "edits")
    }

    @Test func theExampleInTheDocumentationLoads() throws {
        let documentation = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Docs/Configuration.md")
        let markdown = try String(contentsOf: documentation, encoding: .utf8)
        let start = try #require(markdown.range(of: "```toml\n"))
        let end = try #require(markdown.range(of: "```", range: start.upperBound..<markdown.endIndex))
        let fixture = try ConfigurationFixture()
        try fixture.write("You review code.", to: "conf/prompts/reviewer.md")
        let result = try fixture.load(String(markdown[start.upperBound..<end.lowerBound]))
        #expect(result.diagnostics == [])
        let configuration = result.configuration
        #expect(configuration.personaNames == ["default", "planner", "reviewer", "shell"])
        #expect(configuration.initialPersonaName == "reviewer")
        let shell = try configuration.launchConfiguration(persona: "shell", base: LaunchConfiguration())
        #expect(shell.environment == ["PAGER": "cat"])
        #expect(shell.systemPrompt?.hasPrefix("You help with shell commands.") == true)
    }

    @Test func noFileAtTheDefaultPathGivesTheBuiltInDefaultsQuietly() throws {
        let fixture = try ConfigurationFixture()
        let result = ConfigurationLoader.load(path: nil, explicit: false, paths: fixture.paths)
        #expect(result.diagnostics == [])
        #expect(result.notice == nil)
        #expect(result.configuration == .builtIn)
        let configuration = result.configuration
        #expect(configuration.sourcePath == nil)
        #expect(configuration.historySize == 1000)
        #expect(configuration.color == nil && configuration.colorMode == .auto)
        #expect(configuration.claudePath == nil && configuration.autoApprove == nil)
        #expect(configuration.defaultPersona == nil && configuration.initialPersonaName == "default")
        #expect(configuration.personaNames == ["default"])
        #expect(configuration.personas["default"] == Persona(name: "default"))
    }

    @Test func theDefaultPathIsReadWhenPresent() throws {
        let fixture = try ConfigurationFixture()
        try fixture.write("history_size = 7\n", to: "config/parley/config.toml")
        let result = ConfigurationLoader.load(path: nil, explicit: false, paths: fixture.paths)
        #expect(result.diagnostics == [])
        #expect(result.configuration.historySize == 7)
        #expect(result.configuration.sourcePath == fixture.paths.configFile)
    }

    @Test func anExplicitMissingFileIsFatal() throws {
        let fixture = try ConfigurationFixture()
        let missing = "\(fixture.root)/nowhere.toml"
        let result = ConfigurationLoader.load(path: missing, explicit: true, paths: fixture.paths)
        #expect(result.isFatal)
        #expect(result.notice == nil)
        #expect(result.configuration == .builtIn)
        #expect(result.diagnostics.map(\.description) == [
            "\(missing): no such configuration file (given with --config)",
        ])
        #expect(result.diagnostics.first?.line == nil)
    }

    @Test func anExplicitPathExpandsTilde() throws {
        let fixture = try ConfigurationFixture()
        try fixture.write("color = \"never\"\n", to: "home/my.toml")
        let result = ConfigurationLoader.load(path: "~/my.toml", explicit: true, paths: fixture.paths)
        #expect(result.diagnostics == [])
        #expect(result.configuration.color == "never")
    }

    @Test func aDirectoryIsNotAConfigurationFile() throws {
        let fixture = try ConfigurationFixture()
        let explicit = ConfigurationLoader.load(path: fixture.root, explicit: true, paths: fixture.paths)
        #expect(explicit.isFatal)
        try FileManager.default.createDirectory(atPath: fixture.paths.configFile, withIntermediateDirectories: true)
        let implicit = ConfigurationLoader.load(path: nil, explicit: false, paths: fixture.paths)
        #expect(!implicit.isFatal)
        #expect(implicit.diagnostics.map(\.description) == [
            "\(fixture.paths.configFile): is a directory, not a configuration file",
        ])
        #expect(implicit.configuration == .builtIn)
    }

    @Test func aFileMayReplaceTheDefaultPersona() throws {
        let fixture = try ConfigurationFixture()
        let result = try fixture.load("""
            [personas.default]
            model = "opus"
            [personas.alpha]
            model = "haiku"
            """)
        #expect(result.diagnostics == [])
        #expect(result.configuration.personas["default"]?.model == "opus")
        #expect(result.configuration.personaNames == ["default", "alpha"])
    }

    @Test func anEmptyFileIsTheDefaultsFromThatFile() throws {
        let fixture = try ConfigurationFixture()
        let result = try fixture.load("# nothing yet\n")
        #expect(result.diagnostics == [])
        #expect(result.configuration.personaNames == ["default"])
        #expect(result.configuration.sourcePath == "\(fixture.root)/conf/config.toml")
    }
}

@Suite("Configuration paths")
struct ConfigurationPathsTests {
    @Test func xdgVariablesAreUsedWhenSet() {
        let paths = ParleyPaths(environment: [
            "HOME": "/home/ada", "XDG_CONFIG_HOME": "/xdg/config", "XDG_STATE_HOME": "/xdg/state/",
        ])
        #expect(paths.configFile == "/xdg/config/parley/config.toml")
        #expect(paths.configDirectory == "/xdg/config/parley")
        #expect(paths.historyFile == "/xdg/state/parley/history")
        #expect(paths.stateDirectory == "/xdg/state/parley")
    }

    @Test func homeFallbacksAreUsedWithoutXDGVariables() {
        let paths = ParleyPaths(environment: ["HOME": "/home/ada"])
        #expect(paths.homeDirectory == "/home/ada")
        #expect(paths.configFile == "/home/ada/.config/parley/config.toml")
        #expect(paths.historyFile == "/home/ada/.local/state/parley/history")
    }

    @Test func emptyOrRelativeXDGVariablesAreIgnored() {
        let paths = ParleyPaths(environment: ["HOME": "/home/ada", "XDG_CONFIG_HOME": "", "XDG_STATE_HOME": "state"])
        #expect(paths.configFile == "/home/ada/.config/parley/config.toml")
        #expect(paths.historyFile == "/home/ada/.local/state/parley/history")
    }

    @Test func tildeAndRelativePathsResolve() {
        let paths = ParleyPaths(environment: ["HOME": "/home/ada"])
        #expect(paths.expandingTilde(in: "~") == "/home/ada")
        #expect(paths.expandingTilde(in: "~/x") == "/home/ada/x")
        #expect(paths.expandingTilde(in: "~bob/x") == "~bob/x")
        #expect(paths.resolve("prompts/../p.md", relativeTo: "/etc/parley") == "/etc/parley/p.md")
        #expect(paths.resolve("/abs/p.md", relativeTo: "/etc/parley") == "/abs/p.md")
        #expect(paths.resolve("~/p.md", relativeTo: "/etc/parley") == "/home/ada/p.md")
    }

    @Test func theParentDirectoryIsCreatedPrivate() throws {
        let fixture = try ConfigurationFixture()
        let history = ParleyPaths(environment: ["HOME": "\(fixture.root)/home"]).historyFile
        try ParleyPaths.createParentDirectory(of: history)
        let directory = (history as NSString).deletingLastPathComponent
        let attributes = try FileManager.default.attributesOfItem(atPath: directory)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o700)
        try ParleyPaths.createParentDirectory(of: history)  // already there: fine

        try fixture.write("", to: "blocker")
        #expect(throws: ConfigurationError.self) {
            try ParleyPaths.createParentDirectory(of: "\(fixture.root)/blocker/history")
        }
    }
}
