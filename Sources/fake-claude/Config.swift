import Foundation

import Glibc

/// The version the double reports; `FAKE_CLAUDE_VERSION` overrides it (to test version checks).
let fakeVersion = ProcessInfo.processInfo.environment["FAKE_CLAUDE_VERSION"] ?? "2.1.331"
let defaultModel = "claude-opus-5-5"
let validPermissionModes = ["acceptEdits", "auto", "bypassPermissions", "default", "dontAsk", "plan"]

/// Resolves a model alias the way the real CLI reports it in `system/init` and `set_model`.
func resolveModel(_ name: String?) -> String {
    guard let name, !name.isEmpty else { return defaultModel }
    switch name {
    case "default": return defaultModel
    case "opus": return "claude-opus-5-5"
    case "sonnet": return "claude-sonnet-5-5"
    case "haiku": return "claude-haiku-5-5"
    case "fable": return "claude-fable-5-2"
    default: return name
    }
}

/// Everything fixed at launch: flags and environment knobs.
struct Config: Sendable {
    var print = false
    var inputFormat = "text"
    var outputFormat = "text"
    var verbose = false
    var partial = false
    var permissionPromptTool: String?
    var model: String?
    var systemPrompt: String?
    var appendSystemPrompt: String?
    var permissionMode = "default"
    var maxTurns: Int?
    var allowedTools: [String] = []
    var disallowedTools: [String] = []
    var tools: [String]?
    var resume: String?
    var sessionID: String?
    var continueSession = false
    var forkSession = false
    var replayUserMessages = false
    var skipPermissions = false
    var positionalPrompt: [String] = []

    var argv: [String] = []
    var cwd = FileManager.default.currentDirectoryPath
    var stateDir: String?
    var mergeQueued = false
    var strictResume = false
    var spawnChild = false
    /// The tool's process starts a session of its own (`setsid`), like the real CLI's Bash tool.
    var spawnChildInOwnSession = false
    var extraDirectives = ""
    var emitSessionState = false
    var maxRetries = 10

    var stdioPermissions: Bool { permissionPromptTool == "stdio" }
}

enum ArgError: Error { case message(String) }

/// Parses the real CLI's flags. Unknown options fail like commander does.
func parseArguments(_ args: [String]) throws(ArgError) -> Config {
    var cfg = Config()
    cfg.argv = args
    let valued: Set<String> = [
        "--model", "--system-prompt", "--append-system-prompt", "--permission-mode", "--max-turns",
        "--resume", "-r", "--session-id", "--permission-prompt-tool", "--input-format", "--output-format",
        "--settings", "--fallback-model", "--mcp-config", "--max-thinking-tokens", "--agents", "--setting-sources",
        "--effort", "--betas", "--system-prompt-file", "--append-system-prompt-file",
    ]
    let variadic: Set<String> = [
        "--allowedTools", "--allowed-tools", "--disallowedTools", "--disallowed-tools", "--tools", "--add-dir",
    ]
    let flags: Set<String> = [
        "-p", "--print", "--verbose", "--include-partial-messages", "--continue", "-c", "--replay-user-messages",
        "--fork-session", "--dangerously-skip-permissions", "--strict-mcp-config", "--debug", "-d",
        "--include-hook-events", "--no-session-persistence",
    ]
    var i = 1
    while i < args.count {
        var arg = args[i]
        var inlineValue: String?
        if arg.hasPrefix("--"), let eq = arg.firstIndex(of: "=") {
            inlineValue = String(arg[arg.index(after: eq)...])
            arg = String(arg[..<eq])
        }
        func takeValue() throws(ArgError) -> String {
            if let inlineValue { return inlineValue }
            i += 1
            guard i < args.count else {
                throw .message("error: option '\(arg) <value>' argument missing")
            }
            return args[i]
        }
        if arg == "--version" || arg == "-v" {
            print("\(fakeVersion) (Claude Code)")
            exit(0)
        } else if arg == "-h" || arg == "--help" {
            print("Usage: claude [options] [prompt]\n\nfake-claude: a scripted double of the Claude Code CLI (see Docs/FakeClaude.md)")
            exit(0)
        } else if flags.contains(arg) {
            switch arg {
            case "-p", "--print": cfg.print = true
            case "--verbose": cfg.verbose = true
            case "--include-partial-messages": cfg.partial = true
            case "--continue", "-c": cfg.continueSession = true
            case "--replay-user-messages": cfg.replayUserMessages = true
            case "--fork-session": cfg.forkSession = true
            case "--dangerously-skip-permissions": cfg.skipPermissions = true
            default: break
            }
        } else if valued.contains(arg) {
            let value = try takeValue()
            switch arg {
            case "--model": cfg.model = value
            case "--system-prompt": cfg.systemPrompt = value
            case "--append-system-prompt": cfg.appendSystemPrompt = value
            case "--permission-mode":
                let allowed = ["acceptEdits", "auto", "bypassPermissions", "default", "manual", "dontAsk", "plan"]
                guard allowed.contains(value) else {
                    throw .message("error: option '--permission-mode <mode>' argument '\(value)' is invalid. Allowed choices are acceptEdits, auto, bypassPermissions, manual, dontAsk, plan.")
                }
                cfg.permissionMode = value == "manual" ? "default" : value
            case "--max-turns":
                guard let n = Int(value) else {
                    throw .message("error: option '--max-turns <turns>' argument '\(value)' is invalid. must be a number")
                }
                cfg.maxTurns = n
            case "--resume", "-r": cfg.resume = value
            case "--session-id": cfg.sessionID = value
            case "--permission-prompt-tool": cfg.permissionPromptTool = value
            case "--input-format": cfg.inputFormat = value
            case "--output-format": cfg.outputFormat = value
            default: break
            }
        } else if variadic.contains(arg) {
            var values: [String] = []
            if let inlineValue {
                values.append(inlineValue)
            } else {
                while i + 1 < args.count, !args[i + 1].hasPrefix("-") {
                    i += 1
                    values.append(args[i])
                }
                if values.isEmpty { throw .message("error: option '\(arg) <tools...>' argument missing") }
            }
            let names = values.flatMap { $0.split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init) }
            switch arg {
            case "--allowedTools", "--allowed-tools": cfg.allowedTools += names
            case "--disallowedTools", "--disallowed-tools": cfg.disallowedTools += names
            case "--tools": cfg.tools = (cfg.tools ?? []) + names
            default: break
            }
        } else if arg.hasPrefix("-") && arg != "-" {
            throw .message("error: unknown option '\(arg)'")
        } else {
            cfg.positionalPrompt.append(arg)
        }
        i += 1
    }

    // Cross-flag checks, with the real CLI's messages.
    if cfg.inputFormat != "text" && cfg.inputFormat != "stream-json" {
        throw .message("error: option '--input-format <format>' argument '\(cfg.inputFormat)' is invalid. Allowed choices are text, stream-json.")
    }
    if cfg.outputFormat != "text" && cfg.outputFormat != "json" && cfg.outputFormat != "stream-json" {
        throw .message("error: option '--output-format <format>' argument '\(cfg.outputFormat)' is invalid. Allowed choices are text, json, stream-json.")
    }
    if cfg.outputFormat == "stream-json" && !cfg.verbose {
        throw .message("Error: When using --print, --output-format=stream-json requires --verbose")
    }
    if cfg.inputFormat == "stream-json" && cfg.outputFormat != "stream-json" {
        throw .message("Error: --input-format=stream-json requires output-format=stream-json.")
    }
    if cfg.partial && cfg.outputFormat != "stream-json" {
        throw .message("Error: --include-partial-messages requires --print and --output-format=stream-json.")
    }
    if cfg.outputFormat != "stream-json" {
        throw .message("fake-claude: only --output-format stream-json is implemented")
    }
    if (cfg.skipPermissions || cfg.permissionMode == "bypassPermissions") && geteuid() == 0 {
        throw .message("--dangerously-skip-permissions cannot be used with root/sudo privileges for security reasons")
    }
    if let id = cfg.sessionID, !isUUID(id) {
        throw .message("Error: Invalid session ID. Must be a valid UUID.")
    }
    if cfg.inputFormat == "text" && cfg.positionalPrompt.isEmpty {
        throw .message("Error: Input must be provided either through stdin or as a prompt argument when using --print")
    }

    let env = ProcessInfo.processInfo.environment
    cfg.stateDir = env["FAKE_CLAUDE_STATE_DIR"].flatMap { $0.isEmpty ? nil : $0 }
    cfg.mergeQueued = env["FAKE_CLAUDE_MERGE_QUEUED"] == "1"
    cfg.strictResume = env["FAKE_CLAUDE_STRICT_RESUME"] == "1"
    cfg.spawnChild = env["FAKE_CLAUDE_SPAWN_CHILD"] == "1" || env["FAKE_CLAUDE_SPAWN_CHILD"] == "setsid"
    cfg.spawnChildInOwnSession = env["FAKE_CLAUDE_SPAWN_CHILD"] == "setsid"
    cfg.extraDirectives = env["FAKE_CLAUDE_DIRECTIVES"] ?? ""
    cfg.emitSessionState = env["CLAUDE_CODE_EMIT_SESSION_STATE_EVENTS"] == "1"
    if let n = env["CLAUDE_CODE_MAX_RETRIES"].flatMap({ Int($0) }) { cfg.maxRetries = max(0, n) }
    return cfg
}

/// The `tools` list of `system/init`.
func toolList(_ cfg: Config) -> [String] {
    var tools = cfg.tools ?? [
        "Task", "Bash", "CronCreate", "CronDelete", "CronList", "Edit", "EnterWorktree", "ExitWorktree", "ListAgents",
        "Monitor", "NotebookEdit", "Read", "ReportFindings", "ScheduleWakeup", "SendMessage", "Skill", "TaskStop",
        "ToolSearch", "WebFetch", "WebSearch", "Workflow", "Write",
    ]
    if cfg.stdioPermissions && cfg.tools == nil {
        tools += ["AskUserQuestion", "EnterPlanMode", "ExitPlanMode"]
    }
    let denied = Set(cfg.disallowedTools.map { toolName($0) })
    return tools.filter { !denied.contains($0) }
}

/// `Bash(echo *)` → `Bash`.
func toolName(_ rule: String) -> String {
    if let paren = rule.firstIndex(of: "(") { return String(rule[..<paren]) }
    return rule
}
