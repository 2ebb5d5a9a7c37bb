import AgentSession
import Foundation
import Testing
@testable import ParleyApp

@Suite("Configuration personas")
struct ConfigurationPersonaTests {
    static let base = LaunchConfiguration(
        claudePath: "/opt/claude", workingDirectory: "/base", model: "base-model", systemPrompt: "base prompt",
        allowedTools: ["Read"], environment: ["KEEP": "base", "SHARED": "base"], baseEnvironment: ["PATH": "/bin"])

    @Test func theDefaultPersonaExistsWithNoFileAndChangesNothing() throws {
        let configuration = ParleyConfiguration.builtIn
        let persona = try configuration.persona(named: "default")
        #expect(persona == .default)
        #expect(persona.name == "default")
        #expect(try persona.launchConfiguration(base: Self.base) == Self.base)
        #expect(try configuration.launchConfiguration(persona: "default", base: Self.base) == Self.base)
    }

    @Test func aPersonaOverlaysEverySettingItHas() throws {
        let persona = Persona(
            name: "reviewer", systemPrompt: "You review code.", appendSystemPrompt: "Be terse.", model: "sonnet",
            maxTurns: 5, permissionMode: "plan", allowedTools: ["Read", "Grep"], disallowedTools: ["Bash"],
            workingDirectory: "/src/project", environment: ["SHARED": "persona", "NEW": "1"])
        let launch = try persona.launchConfiguration(base: Self.base)
        #expect(launch.claudePath == "/opt/claude")
        #expect(launch.workingDirectory == "/src/project")
        #expect(launch.model == "sonnet")
        #expect(launch.systemPrompt == "You review code.")
        #expect(launch.appendSystemPrompt == "Be terse.")
        #expect(launch.maxTurns == 5)
        #expect(launch.permissionMode == "plan")
        #expect(launch.allowedTools == ["Read", "Grep"])
        #expect(launch.disallowedTools == ["Bash"])
        #expect(launch.environment == ["KEEP": "base", "SHARED": "persona", "NEW": "1"])
        #expect(launch.childEnvironment()["SHARED"] == "persona")
        let arguments = launch.arguments(for: .fresh)
        for flag in [["--model", "sonnet"], ["--max-turns", "5"], ["--permission-mode", "plan"],
                     ["--allowedTools", "Read,Grep"], ["--disallowedTools", "Bash"],
                     ["--append-system-prompt", "Be terse."]] {
            #expect(arguments.contains(flag[0]))
            #expect(arguments[arguments.firstIndex(of: flag[0])! + 1] == flag[1])
        }
    }

    @Test func aPersonaLeavesUnsetSettingsAlone() throws {
        let launch = try Persona(name: "m", model: "haiku").launchConfiguration(base: Self.base)
        var expected = Self.base
        expected.model = "haiku"
        #expect(launch == expected)
    }

    @Test func thePromptFileIsReadRelativeToTheConfigurationDirectory() throws {
        let fixture = try ConfigurationFixture()
        try fixture.write("You review code.\nCarefully.\n", to: "conf/prompts/reviewer.md")
        let result = try fixture.load("""
            claude_path = "bin/claude"
            [personas.reviewer]
            system_prompt_file = "prompts/reviewer.md"
            working_directory = "../project"
            [personas.reviewer.env]
            SHARED = "file"
            """)
        #expect(result.diagnostics == [])
        let configuration = result.configuration
        #expect(configuration.claudePath == "\(fixture.root)/conf/bin/claude")
        var base = Self.base
        base.claudePath = nil
        let launch = try configuration.launchConfiguration(persona: "reviewer", base: base)
        #expect(launch.systemPrompt == "You review code.\nCarefully.")
        #expect(launch.claudePath == "\(fixture.root)/conf/bin/claude")
        #expect(launch.workingDirectory == "\(fixture.root)/project")
        #expect(launch.environment == ["KEEP": "base", "SHARED": "file"])
        #expect(launch.model == "base-model")

        // The file is read at each launch: an edit shows up, a deletion is an error.
        try fixture.write("Edited.", to: "conf/prompts/reviewer.md")
        #expect(try configuration.launchConfiguration(persona: "reviewer", base: base).systemPrompt == "Edited.")
        try FileManager.default.removeItem(atPath: "\(fixture.root)/conf/prompts/reviewer.md")
        let error = #expect(throws: ConfigurationError.self) {
            try configuration.launchConfiguration(persona: "reviewer", base: base)
        }
        #expect(error?.kind == .promptFileUnreadable)
        #expect(error?.personaName == "reviewer")
        #expect(error?.path == "\(fixture.root)/conf/prompts/reviewer.md")
        #expect(error?.description
            == "persona \"reviewer\": system prompt file \(fixture.root)/conf/prompts/reviewer.md does not exist")
    }

    @Test func aPromptFileThatIsNotTextIsAnError() throws {
        let fixture = try ConfigurationFixture()
        let path = "\(fixture.root)/binary.md"
        #expect(FileManager.default.createFile(atPath: path, contents: Data([0xFF, 0xFE, 0x00, 0xC3])))
        let persona = Persona(name: "bin", systemPromptFile: path)
        let error = #expect(throws: ConfigurationError.self) { try persona.launchConfiguration(base: Self.base) }
        #expect(error?.description == "persona \"bin\": system prompt file \(path) is not UTF-8 text")
    }

    @Test func anUnknownPersonaProposesTheNearestName() throws {
        let configuration = ParleyConfiguration(personas: ["reviewer": Persona(name: "reviewer")])
        #expect(configuration.personaNames == ["default", "reviewer"])
        let error = #expect(throws: ConfigurationError.self) { try configuration.persona(named: "reviwer") }
        #expect(error?.kind == .unknownPersona)
        #expect(error?.description
            == "unknown persona \"reviwer\" (did you mean \"reviewer\"?); known personas: default, reviewer")
    }

    @Test func personaNamesPutDefaultFirst() {
        let configuration = ParleyConfiguration(personas: [
            "zed": Persona(name: "zed"), "alpha": Persona(name: "alpha"), "Beta": Persona(name: "Beta"),
        ])
        #expect(configuration.personaNames == ["default", "Beta", "alpha", "zed"])
    }

    @Test func autoApproveFallsBackFromPersonaToFileToNone() {
        let strict = Persona(name: "strict", autoApprove: "none")
        let loose = Persona(name: "loose")
        #expect(ParleyConfiguration(autoApprove: "all").autoApprovePolicy(for: strict) == "none")
        #expect(ParleyConfiguration(autoApprove: "all").autoApprovePolicy(for: loose) == "all")
        #expect(ParleyConfiguration().autoApprovePolicy(for: loose) == "none")
    }
}
