import Foundation
import Testing
@testable import ParleyApp

@Suite("Configuration diagnostics")
struct ConfigurationDiagnosticsTests {
    /// One broken file: its text, and the line, key and message of the single diagnostic.
    struct BrokenCase: CustomTestStringConvertible, Sendable {
        var name: String
        var text: String
        var line: Int
        var key: String?
        var message: String
        var testDescription: String { name }
    }

    static let cases: [BrokenCase] = [
        BrokenCase(
            name: "unknown top-level key", text: "history_size = 5\ncolour = \"auto\"\n", line: 2, key: "colour",
            message: "unknown key \"colour\" (did you mean \"color\"?)"),
        BrokenCase(
            name: "unknown key without a suggestion", text: "frobnicate = true\n", line: 1, key: "frobnicate",
            message: "unknown key \"frobnicate\""),
        BrokenCase(
            name: "misspelt personas table", text: "\n[persona.reviewer]\nmodel = \"x\"\n", line: 2, key: "persona",
            message: "unknown key \"persona\" (did you mean \"personas\"?)"),
        BrokenCase(
            name: "camel-case persona key", text: "[personas.a]\nmaxTurns = 3\n", line: 2, key: "personas.a.maxTurns",
            message: "persona \"a\": unknown key \"maxTurns\" (did you mean \"max_turns\"?)"),
        BrokenCase(
            name: "integer as a string", text: "[personas.a]\n\nmax_turns = \"three\"\n", line: 3,
            key: "personas.a.max_turns",
            message: "persona \"a\": \"max_turns\" must be an integer, not the string \"three\""),
        BrokenCase(
            name: "float for an integer", text: "history_size = 10.5\n", line: 1, key: "history_size",
            message: "\"history_size\" must be an integer, not the floating-point number 10.5"),
        BrokenCase(
            name: "negative history size", text: "history_size = -1\n", line: 1, key: "history_size",
            message: "\"history_size\" must be from 0 to 1000000, not -1"),
        BrokenCase(
            name: "zero max turns", text: "[personas.a]\nmax_turns = 0\n", line: 2, key: "personas.a.max_turns",
            message: "persona \"a\": \"max_turns\" must be 1 or more, not 0"),
        BrokenCase(
            name: "bad colour", text: "color = \"purple\"\n", line: 1, key: "color",
            message: "\"color\" must be one of auto, always, never, not \"purple\""),
        BrokenCase(
            name: "near colour", text: "color = \"alway\"\n", line: 1, key: "color",
            message: "\"color\" must be one of auto, always, never, not \"alway\" (did you mean \"always\"?)"),
        BrokenCase(
            name: "bad permission mode", text: "[personas.a]\npermission_mode = \"yolo\"\n", line: 2,
            key: "personas.a.permission_mode",
            message: "persona \"a\": \"permission_mode\" must be one of acceptEdits, auto, bypassPermissions, "
                + "default, dontAsk, plan, not \"yolo\""),
        BrokenCase(
            name: "bad top-level auto_approve", text: "auto_approve = \"yes\"\n", line: 1, key: "auto_approve",
            message: "\"auto_approve\" must be one of none, edits, all, not \"yes\""),
        BrokenCase(
            name: "bad persona auto_approve", text: "[personas.a]\nauto_approve = \"edit\"\n", line: 2,
            key: "personas.a.auto_approve",
            message: "persona \"a\": \"auto_approve\" must be one of none, edits, all, not \"edit\" "
                + "(did you mean \"edits\"?)"),
        BrokenCase(
            name: "tools as a string", text: "[personas.a]\nallowed_tools = \"Read\"\n", line: 2,
            key: "personas.a.allowed_tools",
            message: "persona \"a\": \"allowed_tools\" must be an array of strings, not the string \"Read\""),
        BrokenCase(
            name: "tools with a number", text: "[personas.a]\ndisallowed_tools = [\n  \"Bash\",\n  3,\n]\n", line: 2,
            key: "personas.a.disallowed_tools",
            message: "persona \"a\": \"disallowed_tools\" must be an array of strings, but item 2 is the integer 3"),
        BrokenCase(
            name: "environment value not a string", text: "[personas.a.env]\nA = \"1\"\nDEBUG = true\n", line: 3,
            key: "personas.a.env.DEBUG",
            message: "persona \"a\": environment variable \"DEBUG\" must be a string, not the boolean true"),
        BrokenCase(
            name: "environment not a table", text: "[personas.a]\nenv = [\"A=1\"]\n", line: 2, key: "personas.a.env",
            message: "persona \"a\": \"env\" must be a table of strings, not an array"),
        BrokenCase(
            name: "persona not a table", text: "personas.a = \"reviewer\"\n", line: 1, key: "personas.a",
            message: "persona \"a\" must be a table ([personas.a]), not the string \"reviewer\""),
        BrokenCase(
            name: "personas not a table", text: "personas = 3\n", line: 1, key: "personas",
            message: "\"personas\" must be a table of personas, not the integer 3"),
        BrokenCase(
            name: "persona name with a space", text: "[personas.\"my reviewer\"]\nmodel = \"x\"\n", line: 1,
            key: "personas.my reviewer",
            message: "persona name \"my reviewer\" may only contain letters, digits, \".\", \"_\" and \"-\""),
        BrokenCase(
            name: "both prompt keys", text: "[personas.a]\nsystem_prompt = \"x\"\nsystem_prompt_file = \"config.toml\"\n",
            line: 3, key: "personas.a.system_prompt_file",
            message: "persona \"a\": \"system_prompt\" and \"system_prompt_file\" are both set; keep only one"),
        BrokenCase(
            name: "prompt file is a directory", text: "[personas.a]\nsystem_prompt_file = \"/\"\n", line: 2,
            key: "personas.a.system_prompt_file",
            message: "persona \"a\": system prompt file \"/\" is a directory (/)"),
        BrokenCase(
            name: "unknown default persona", text: "default_persona = \"reviewr\"\n[personas.reviewer]\n", line: 1,
            key: "default_persona",
            message: "\"default_persona\" names no persona: \"reviewr\" (did you mean \"reviewer\"?); "
                + "known personas: default, reviewer"),
        BrokenCase(
            name: "claude path not a string", text: "claude_path = [\"claude\"]\n", line: 1, key: "claude_path",
            message: "\"claude_path\" must be a string, not an array"),
        BrokenCase(
            name: "key in an inline table", text: "[personas]\na = { model = 3 }\n", line: 2, key: "personas.a.model",
            message: "persona \"a\": \"model\" must be a string, not the integer 3"),
    ]

    @Test(arguments: cases)
    func aBrokenFileNamesTheFileLineAndKey(_ broken: BrokenCase) throws {
        let fixture = try ConfigurationFixture()
        let result = try fixture.load(broken.text)
        let file = "\(fixture.root)/conf/config.toml"
        #expect(result.diagnostics == [
            ConfigurationDiagnostic(file: file, line: broken.line, key: broken.key, message: broken.message),
        ])
        #expect(result.diagnostics.first?.description == "\(file):\(broken.line): \(broken.message)")
        #expect(result.configuration == .builtIn)
        #expect(!result.isFatal)
        #expect(result.notice == "\(file) has 1 error and was ignored; starting with the built-in defaults.")
    }

    @Test func theDocumentedExampleLineIsExact() throws {
        let fixture = try ConfigurationFixture()
        var lines = Array(repeating: "", count: 11)
        lines[0] = "color = \"auto\""
        lines[9] = "[personas.reviewer]"
        lines.append("modle = \"sonnet\"")  // line 12
        let result = try fixture.load(lines.joined(separator: "\n") + "\n")
        #expect(result.diagnostics.map(\.description) == [
            "\(fixture.root)/conf/config.toml:12: persona \"reviewer\": unknown key \"modle\" (did you mean \"model\"?)",
        ])
        #expect(result.diagnostics.first?.key == "personas.reviewer.modle")
    }

    @Test func aMissingPromptFileNamesThePersonaAndTheResolvedPath() throws {
        let fixture = try ConfigurationFixture()
        let result = try fixture.load("""
            [personas.reviewer]
            model = "sonnet"
            system_prompt_file = "prompts/missing.md"
            """)
        let file = "\(fixture.root)/conf/config.toml"
        #expect(result.diagnostics.map(\.description) == [
            "\(file):3: persona \"reviewer\": system prompt file \"prompts/missing.md\" does not exist "
                + "(looked for \(fixture.root)/conf/prompts/missing.md)",
        ])
        #expect(result.diagnostics.first?.key == "personas.reviewer.system_prompt_file")
    }

    @Test func aSyntaxErrorCarriesLineAndColumn() throws {
        let fixture = try ConfigurationFixture()
        let result = try fixture.load("color = \"auto\"\nhistory_size = \n")
        let diagnostic = try #require(result.diagnostics.first)
        #expect(result.diagnostics.count == 1)
        #expect(diagnostic.line == 2)
        #expect(diagnostic.column != nil)
        #expect(diagnostic.key == nil)
        #expect(diagnostic.message.hasPrefix("syntax error while parsing key-value pair: "))
        #expect(diagnostic.description.hasPrefix("\(fixture.root)/conf/config.toml:2:\(diagnostic.column!): syntax error "))
        #expect(result.configuration == .builtIn)
    }

    @Test func anUnterminatedStringIsASyntaxError() throws {
        let fixture = try ConfigurationFixture()
        let result = try fixture.load("[personas.a]\nmodel = \"sonnet\n")
        #expect(result.diagnostics.count == 1)
        #expect(result.diagnostics.first?.line == 2)
    }

    @Test func aDuplicateKeyIsASyntaxError() throws {
        let fixture = try ConfigurationFixture()
        let result = try fixture.load("[personas.a]\nmodel = \"a\"\nmodel = \"b\"\n")
        #expect(result.diagnostics.count == 1)
        #expect(result.diagnostics.first?.line == 3)
    }

    @Test func everyProblemIsReportedInFileOrder() throws {
        let fixture = try ConfigurationFixture()
        let result = try fixture.load("""
            color = "purple"
            history_size = "many"

            [personas.zeta]
            modle = "x"

            [personas.alpha]
            max_turns = "three"
            permission_mode = "yolo"
            """)
        #expect(result.diagnostics.map(\.line) == [1, 2, 5, 8, 9])
        #expect(result.diagnostics.map(\.key) == [
            "color", "history_size", "personas.zeta.modle", "personas.alpha.max_turns",
            "personas.alpha.permission_mode",
        ])
        #expect(result.notice?.contains("has 5 errors and was ignored") == true)
        #expect(result.configuration == .builtIn)
    }

    @Test func aRelativeConfigPathAppearsAsGiven() throws {
        let fixture = try ConfigurationFixture()
        let result = ConfigurationLoader.parse("colour = 1\n", file: "config.toml", paths: fixture.paths)
        #expect(result.diagnostics.map(\.description) == [
            "config.toml:1: unknown key \"colour\" (did you mean \"color\"?)",
        ])
    }
}

@Suite("Configuration key locator")
struct ConfigurationKeyLocatorTests {
    @Test func findsHeadersKeysAndDottedKeys() {
        let locator = TOMLKeyLocator(text: """
            top = 1
            a.b = 2
            [ personas . "quoted name" ]
              model = "m"  # comment = not a key
            [personas.'lit'.env]
            X = "1"
            [[list]]
            item = 1
            """)
        #expect(locator.position(of: ["top"]) == .init(line: 1, column: 1))
        #expect(locator.position(of: ["a", "b"])?.line == 2)
        #expect(locator.position(of: ["personas", "quoted name"]) == .init(line: 3, column: 3))
        #expect(locator.position(of: ["personas", "quoted name", "model"]) == .init(line: 4, column: 3))
        #expect(locator.position(of: ["personas", "lit", "env", "X"])?.line == 6)
        #expect(locator.position(of: ["list", "item"])?.line == 8)
        #expect(locator.position(of: ["personas", "lit", "env", "MISSING"])?.line == 5)
        #expect(locator.position(of: ["nothing"]) == nil)
    }

    @Test func stringsAndArraysAreNotMistakenForKeys() {
        let locator = TOMLKeyLocator(text: """
            a = \"\"\"
            b = "inside a string"
            \"\"\"
            c = '''
            d = 1'''
            e = [
              "f = 1",
              { g = 1 },
            ]
            h = "[not.a.table]"
            b = "the real b"
            """)
        #expect(locator.position(of: ["b"])?.line == 11)
        #expect(locator.position(of: ["d"]) == nil)
        #expect(locator.position(of: ["g"]) == nil)
        #expect(locator.position(of: ["h"])?.line == 10)
    }

    @Test func crlfLineEndingsCount() {
        let locator = TOMLKeyLocator(text: "a = 1\r\nb = 2\r\n")
        #expect(locator.position(of: ["b"])?.line == 2)
    }

    @Test func suggestionsFindNearNamesOnly() {
        let keys = ConfigurationLoader.personaKeys
        #expect(NearestName.suggestion(for: "modle", among: keys) == "model")
        #expect(NearestName.suggestion(for: "max-turns", among: keys) == "max_turns")
        #expect(NearestName.suggestion(for: "environment", among: keys, synonyms: NearestName.configurationSynonyms) == "env")
        #expect(NearestName.suggestion(for: "alowed_tools", among: keys) == "allowed_tools")
        #expect(NearestName.suggestion(for: "xyz", among: keys) == nil)
        #expect(NearestName.suggestion(for: "temperature", among: keys) == nil)
    }
}
