import AgentSession
import Foundation
import ParleyTestSupport
import StreamJSON
import Testing
@testable import ParleyApp

/// `LaunchSettings` is the one place a launch option is written: each entry reaches `--help`,
/// the persona keys the loader accepts, `/persona` and the command line, and `claude`'s argv.
@Suite(.serialized, .timeLimit(.minutes(2))) struct LaunchSettingsTests {
    /// A value each kind accepts, as TOML, and what it becomes.
    static func sample(_ setting: LaunchSetting, fixture: borrowing ConfigurationFixture) throws
        -> (toml: String, value: LaunchValue, argument: String?) {
        let key = setting.name
        switch setting.kind {
        case .text: return ("\"sample-\(key)\"", .text("sample-\(key)"), "sample-\(key)")
        case .choice(let choices): return ("\"\(choices.last!)\"", .text(choices.last!), choices.last!)
        case .integer(let minimum): return ("\(minimum + 2)", .integer(minimum + 2), "\(minimum + 2)")
        case .list: return ("[\"A\", \"B(x:*)\"]", .list(["A", "B(x:*)"]), "A,B(x:*)")
        case .environment: return ("{ SAMPLE = \"1\" }", .table(["SAMPLE": "1"]), nil)
        case .directory: return ("\"dir-\(key)\"", .text("\(fixture.root)/conf/dir-\(key)"), nil)
        case .file:
            let path = try fixture.write("text of \(key)\n", to: "conf/\(key).txt")
            return ("\"\(key).txt\"", .text(path), "text of \(key)")
        }
    }

    @Test func everyPersonaKeyLoadsAndReachesTheLaunchAndTheArgv() throws {
        let fixture = try ConfigurationFixture()
        let keyed = LaunchSettings.standard.entries.filter { $0.personaKey != nil }
        #expect(ConfigurationLoader.personaKeys == keyed.map(\.name))
        var toml = ""
        for setting in keyed {
            toml += "[personas.p-\(setting.name)]\n\(setting.personaKey!) = \(try Self.sample(setting, fixture: fixture).toml)\n"
        }
        let result = try fixture.load(toml)
        #expect(result.diagnostics == [])
        let base = LaunchConfiguration(baseEnvironment: [:])
        for setting in keyed {
            let persona = try #require(result.configuration.personas["p-\(setting.name)"])
            let sample = try Self.sample(setting, fixture: fixture)
            #expect(persona[setting] == sample.value, "\(setting.name)")
            let launch = try persona.launchConfiguration(base: base)
            if let claudeFlag = setting.claudeFlag {
                let argv = launch.arguments(for: .fresh)
                let index = try #require(argv.firstIndex(of: claudeFlag), "\(setting.name): \(argv)")
                #expect(argv[index + 1] == sample.argument, "\(setting.name): \(argv)")
            } else if setting.apply != nil {
                #expect(launch != base, "\(setting.name) changes nothing")
            } else {
                #expect(launch == base, "\(setting.name) is not meant to change the launch")
            }
        }
    }

    @Test func anEntryInATestOnlyTableFlowsFromFileAndFlagToTheArgv() throws {
        let fallback = LaunchSetting(personaKey: "fallback_model", flag: "fallback-model",
                                     help: "Model to fall back to.", claudeFlag: "--fallback-model")
        let table = LaunchSettings(LaunchSettings.standard.entries + [fallback])
        let fixture = try ConfigurationFixture()
        let text = "[personas.p]\nfallback_model = \"haiku\"\nmodel = \"sonnet\"\n"
        let result = ConfigurationLoader.parse(text, file: "\(fixture.root)/c.toml", paths: fixture.paths, settings: table)
        #expect(result.diagnostics == [])
        let persona = try #require(result.configuration.personas["p"])
        #expect(persona[fallback] == .text("haiku"))
        let launch = try persona.launchConfiguration(base: LaunchConfiguration(baseEnvironment: [:]), settings: table)
        #expect(Array(launch.arguments(for: .fresh).suffix(2)) == ["--fallback-model", "haiku"])
        #expect(launch.model == "sonnet")

        var overridden = launch
        try LaunchOverrides(flags: ["fallback-model": "opus"], settings: table).apply(to: &overridden, settings: table)
        let argv = overridden.arguments(for: .fresh)
        #expect(argv.filter { $0 == "--fallback-model" }.count == 1)
        #expect(Array(argv.suffix(2)) == ["--fallback-model", "opus"])

        // The standard table does not know the key; a typo of it is near enough to propose it.
        let standard = ConfigurationLoader.parse(text, file: "c.toml", paths: fixture.paths)
        #expect(standard.diagnostics.map(\.message) == ["persona \"p\": unknown key \"fallback_model\""])
        let typo = ConfigurationLoader.parse("[personas.p]\nfallback_modle = \"x\"\n", file: "c.toml",
                                             paths: fixture.paths, settings: table)
        #expect(typo.diagnostics.map(\.message)
            == ["persona \"p\": unknown key \"fallback_modle\" (did you mean \"fallback_model\"?)"])
    }

    @Test func flagValuesAreCheckedByTheirKind() throws {
        func value(_ kind: LaunchSetting.Kind, _ typed: String) throws(LaunchFlagError) -> LaunchValue {
            try LaunchSetting(flag: "x", help: "", kind: kind).value(fromFlag: typed)
        }
        #expect(try value(.integer(minimum: 1), "3") == .integer(3))
        #expect(throws: LaunchFlagError("--x must be a whole number from 1, not '0'")) { try value(.integer(minimum: 1), "0") }
        #expect(try value(.list, "Read,Grep") == .list(["Read", "Grep"]))
        #expect(try value(.environment, "A=1,B=x=y") == .table(["A": "1", "B": "x=y"]))
        #expect(throws: LaunchFlagError("--x takes NAME=VALUE pairs, not '=1'")) { try value(.environment, "=1") }
        #expect(throws: LaunchFlagError("--permission-mode must be one of \(PermissionModes.all.joined(separator: ", ")), not 'yolo'")) {
            try LaunchOverrides(flags: ["permission-mode": "yolo"])
        }
        #expect(throws: LaunchFlagError("--cwd /nonexistent/dir is not a directory")) {
            try LaunchOverrides(flags: ["cwd": "/nonexistent/dir"])
        }
    }

    @Test func flagsArePickedFromTheExecutablesPropertiesByName() throws {
        #expect(LaunchSetting.appendSystemPrompt.propertyName == "appendSystemPrompt")
        #expect(LaunchSetting.workingDirectory.propertyName == "cwd")
        #expect(LaunchSetting.maxTurns.propertyName == nil)
        let table = LaunchSettings([.model, .workingDirectory, .maxTurns])
        #expect(try table.flags(fromProperties: ["model": "opus", "cwd": nil, "persona": "x"]) == ["model": "opus"])
        #expect(throws: LaunchFlagError(
            "--cwd is not declared: add `@Option(LaunchSetting.…) var cwd: String?` to Sources/parley/Parley.swift")) {
            try table.flags(fromProperties: ["model": nil])
        }
    }

    @Test func everyFlagIsInHelpWithItsText() async throws {
        let directory = TemporaryDirectory("parley-launch-help")
        defer { directory.remove() }
        let outcome = try await runProgram(TestBinaries.parley, arguments: ["--help"],
                                     environment: cleanEnvironment(home: directory.path), timeout: 30)
        #expect(outcome.status == 0, "stderr: \(outcome.stderr)")
        let help = outcome.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for setting in LaunchSettings.standard.entries {
            guard let flag = setting.flag else { continue }
            #expect(help.contains("--\(flag) <"), "help lacks --\(flag): \(outcome.stdout)")
            #expect(help.contains(setting.help.split(whereSeparator: \.isWhitespace).joined(separator: " ")),
                    "help lacks the text of --\(flag): \(outcome.stdout)")
        }
    }

    @Test func everyFlagGivenToParleyReachesClaudeAsTheTableSays() async throws {
        let directory = TemporaryDirectory("parley-launch-flags")
        defer { directory.remove() }
        let work = directory.file("work")
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        var flags: [String: String] = [:]
        for setting in LaunchSettings.standard.entries {
            guard let flag = setting.flag else { continue }
            switch setting.kind {
            case _ where setting.name == LaunchSetting.claude.name: flags[flag] = TestBinaries.fakeClaude
            case .choice(let choices): flags[flag] = choices.last!
            case .directory: flags[flag] = work
            case .integer(let minimum): flags[flag] = "\(minimum + 2)"
            case .text, .list, .environment, .file: flags[flag] = "sample-\(flag)"
            }
        }
        let environment = cleanEnvironment(home: directory.path, extra: [
            "PARLEY_CLAUDE": "/nonexistent/claude",  // only --claude can find the double
            "FAKE_CLAUDE_RECORD": directory.file("record.jsonl"), "FAKE_CLAUDE_STATE_DIR": directory.path,
            "XDG_CONFIG_HOME": directory.file("config"), "XDG_STATE_HOME": directory.file("state"),
        ])
        let arguments = flags.keys.sorted().flatMap { ["--\($0)", flags[$0]!] }
        let outcome = try await runProgram(TestBinaries.parley, arguments: arguments, stdin: "hello\n",
                                     environment: environment, workingDirectory: directory.path, timeout: 60)
        #expect(outcome.status == 0, "\(arguments): \(outcome.stderr)")
        let record = FakeClaudeRecord(path: directory.file("record.jsonl"))
        let start = try #require(record.starts.first, "claude never started: \(outcome.stderr)")
        var expected = LaunchConfiguration(baseEnvironment: [:])
        try LaunchOverrides(flags: flags).apply(to: &expected)
        #expect(Array(try #require(record.argvs.first).dropFirst()) == expected.arguments(for: .initial))
        #expect(start["cwd"]?.stringValue.map { ($0 as NSString).resolvingSymlinksInPath }
            == (work as NSString).resolvingSymlinksInPath)
    }

    @Test func everyPersonaKeyAndFlagIsDocumented() throws {
        let documentation = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Docs/Configuration.md")
        let markdown = try String(contentsOf: documentation, encoding: .utf8)
        let section = try #require(markdown.range(of: "## Persona keys\n"))
        let sectionEnd = markdown.range(of: "\n## ", range: section.upperBound..<markdown.endIndex)?.lowerBound
        let rows = markdown[section.upperBound..<(sectionEnd ?? markdown.endIndex)].split(separator: "\n")
        for setting in LaunchSettings.standard.entries {
            if let key = setting.personaKey {
                let row = rows.first { $0.hasPrefix("| `\(key)` |") }
                #expect(row != nil, "Docs/Configuration.md has no row for persona key \(key)")
                if let claudeFlag = setting.claudeFlag {
                    #expect(row?.contains("`\(claudeFlag)`") == true, "the row of \(key) does not name \(claudeFlag)")
                }
            }
            if let flag = setting.flag {
                #expect(markdown.contains("`--\(flag)`"), "Docs/Configuration.md does not mention --\(flag)")
            }
        }
    }
}
