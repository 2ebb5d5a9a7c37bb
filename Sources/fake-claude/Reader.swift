import Foundation
import StreamJSON

import Glibc

/// Reads stdin for the life of the process on its own thread, so control requests are
/// answered at once even while a turn streams.
final class StdinReader: @unchecked Sendable {
    let sh: Shared
    var out: Output { sh.out }

    init(_ sh: Shared) { self.sh = sh }

    func run() {
        var framer = NDJSONFramer()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, 65536) }
            if n < 0 {
                if errno == EINTR { continue }
                break
            }
            if n == 0 { break }
            framer.append(buffer[0..<n]) { line in
                if case .complete(let bytes) = line { handle(bytes) }
            }
        }
        if case .complete(let bytes)? = framer.finish() { handle(bytes) }
        Recorder.shared.record(.o([("event", .safe("eof")), ("t", .d(nowSeconds()))]))
        sh.locked {
            sh.eof = true
            sh.cond.broadcast()
        }
    }

    func handle(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        if Recorder.shared.enabled {
            Recorder.shared.record(.o([("event", .safe("stdin")), ("line", .s(text)), ("t", .d(nowSeconds()))]))
        }
        if text.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) { return }
        guard let value = try? JSONValue.parse(Data(bytes)) else {
            fatalParse(text)
        }
        guard case .object(let object) = value, let type = object["type"]?.stringValue else { return }
        switch hostility {
        case .silent, .closeStdout: return
        case .nonJSON:
            out.emit(Array("this is not JSON: the CLI is broken\n".utf8))
            return
        case .mute where type != "control_request": return
        default: break
        }
        switch type {
        case "user": handleUser(object)
        case "control_request": handleControl(object)
        case "control_response": handleControlResponse(object)
        default: break  // keep_alive, assistant (added to history by the real CLI), unknown types
        }
    }

    private func fatalParse(_ text: String) -> Never {
        var type = "unknown"
        if let range = text.range(of: #""type"\s*:\s*"([^"]*)""#, options: .regularExpression) {
            let match = String(text[range])
            if let firstQuote = match.dropFirst(6).firstIndex(of: "\"") {
                type = String(match[match.index(after: firstQuote)...].dropLast())
            }
        }
        writeStderr("Error parsing streaming input line (type=\(type), \(text.count) chars): SyntaxError\n")
        out.exitHoldingLock(1)
    }

    private func handleUser(_ object: [String: JSONValue]) {
        let message = object["message"] ?? .null
        let role = message["role"]?.stringValue
        guard role == "user" else {
            writeStderr("Error: Expected message role 'user', got '\(role ?? "undefined")'\n")
            out.exitHoldingLock(1)
        }
        let uuid = object["uuid"]?.stringValue
        let text: String
        switch message["content"] {
        case .string(let s)?: text = s
        case .array(let blocks)?:
            text = blocks.compactMap { block in
                block["type"]?.stringValue == "text" ? block["text"]?.stringValue : nil
            }.joined(separator: "\n")
        default: text = ""
        }
        var duplicate = false
        let (sid, busy) = sh.locked { () -> (String, Bool) in
            if let uuid {
                if sh.seenUUIDs.contains(uuid) { duplicate = true } else { sh.seenUUIDs.insert(uuid) }
            }
            return (sh.sessionID, sh.turnActive)
        }
        if duplicate {
            // The real CLI echoes a repeated uuid (with --replay-user-messages) but does not run it again.
            if sh.cfg.replayUserMessages {
                out.line(.o([
                    ("type", .safe("user")), ("message", J(message)), ("session_id", .s(sid)),
                    ("parent_tool_use_id", .null), ("uuid", .s(uuid ?? newUUID())), ("timestamp", .safe(isoTimestamp())),
                    ("isReplay", .b(true)),
                ]))
            }
            return
        }
        if let uuid {
            out.line(lifecycle(uuid, "queued", sid))
        }
        sh.locked {
            sh.queue.append(UserMessage(text: text, uuid: uuid, message: message, arrivedWhileBusy: busy,
                                        asksForReply: object["shouldQuery"] != .bool(false)))
            sh.cond.broadcast()
        }
    }

    private func handleControlResponse(_ object: [String: JSONValue]) {
        guard let response = object["response"], let id = response["request_id"]?.stringValue else { return }
        sh.locked {
            guard sh.pendingPermissionID == id, sh.permissionOutcome == nil else { return }  // unknown or late: ignored
            if response["subtype"]?.stringValue == "error" {
                sh.permissionOutcome = .error(response["error"]?.stringValue ?? "unknown error")
            } else {
                sh.permissionOutcome = .response(response["response"] ?? .object([:]))
            }
            sh.cond.broadcast()
        }
    }

    private func handleControl(_ object: [String: JSONValue]) {
        let id = object["request_id"]
        let request = object["request"] ?? .object([:])
        let subtype = request["subtype"]?.stringValue ?? ""
        switch subtype {
        case "initialize":
            controlSuccess(out, id, initializeResponse())
        case "interrupt":
            if deafToInterrupts {
                // FAKE_CLAUDE_DEAF=1: acknowledge, then carry on as if nothing was asked.
                controlSuccess(out, id, .o([("still_queued", .a([]))]))
                return
            }
            let deferred = sh.locked { () -> Bool in
                guard sh.turnActive else { return false }
                sh.interruptIDs.append(id)
                sh.interruptRequested = true
                sh.cond.broadcast()
                return true
            }
            if !deferred { controlSuccess(out, id, .o([("still_queued", .a([]))])) }
        case "set_model":
            let requested = request["model"]?.stringValue
            if requested == "bogus" {
                let current = sh.locked { sh.model }
                controlError(out, id, "Model 'bogus' not found", code: "not_found", extra: [("model", .s(current))])
                return
            }
            let resolved = resolveModel(requested)
            let (sid, hadTurns) = sh.locked { () -> (String, Bool) in
                sh.model = resolved
                return (sh.sessionID, sh.resultCount > 0)
            }
            if hadTurns {
                out.line(.o([
                    ("type", .safe("user")),
                    ("message", .o([("role", .safe("user")), ("content", .s("<local-command-stdout>Set model to `\(resolved)`</local-command-stdout>"))])),
                    ("session_id", .s(sid)), ("parent_tool_use_id", .null), ("uuid", .safe(newUUID())),
                    ("timestamp", .safe(isoTimestamp())), ("isReplay", .b(true)),
                ]))
            }
            controlSuccess(out, id, .o([("model", .s(resolved))]))
        case "set_permission_mode":
            let mode = request["mode"]?.stringValue ?? ""
            guard validPermissionModes.contains(mode) else {
                controlError(out, id, "Cannot set permission mode: must be one of \(validPermissionModes.joined(separator: ", "))", code: "invalid_mode")
                return
            }
            if mode == "bypassPermissions" && !sh.cfg.skipPermissions && sh.cfg.permissionMode != "bypassPermissions" {
                controlError(out, id, "Cannot set permission mode to bypassPermissions because the session was not launched with --dangerously-skip-permissions", code: "bypass_not_launched")
                return
            }
            let sid = sh.locked { () -> String in
                sh.permissionMode = mode
                return sh.sessionID
            }
            controlSuccess(out, id, .o([("mode", .s(mode))]))
            out.line(.o([
                ("type", .safe("system")), ("subtype", .safe("status")), ("status", .null), ("permissionMode", .s(mode)),
                ("uuid", .safe(newUUID())), ("session_id", .s(sid)),
            ]))
        case "mcp_status":
            controlSuccess(out, id, .o([("mcpServers", .a([]))]))
        case "set_max_thinking_tokens":
            controlSuccess(out, id, nil)
        case "get_session_cost":
            let cost = sh.locked { sh.totalCost }
            controlSuccess(out, id, .o([("text", .s("Total cost: $\(String(format: "%.4f", cost))"))]))
        case "side_question":
            // Answered at once, turn or not, and kept out of the history.
            let question = request["question"]?.stringValue ?? ""
            controlSuccess(out, id, .o([("response", .s("Aside answer to: \(question)")), ("synthetic", .b(false))]))
        case "get_settings":
            controlSuccess(out, id, .o([("settings", .o([]))]))
        case "stop_task":
            let taskID = request["task_id"]?.stringValue ?? ""
            let (known, sid) = sh.locked { (sh.runningTasks.remove(taskID) != nil, sh.sessionID) }
            guard known else {
                controlError(out, id, "No task found with ID: \(taskID)", code: nil)
                return
            }
            controlSuccess(out, id, nil)
            out.line(.o([
                ("type", .safe("system")), ("subtype", .safe("task_notification")), ("task_id", .s(taskID)),
                ("status", .safe("stopped")), ("summary", .safe("npm run watch")), ("session_id", .s(sid)),
                ("uuid", .safe(newUUID())),
            ]))
        case "get_context_usage":
            controlSuccess(out, id, contextUsageResponse())
        case "list_models" where ProcessInfo.processInfo.environment["FAKE_CLAUDE_NO_LIST_MODELS"] != "1":
            controlSuccess(out, id, .o([("models", modelCatalog())]))
        default:
            controlError(out, id, "Unsupported control request subtype: \(subtype)", code: "unsupported_request")
        }
    }

    /// `get_context_usage`: a 200k window holding a 3k system prompt, 12k of tools and 1,000
    /// tokens per finished turn; `FAKE_CLAUDE_CONTEXT_TOKENS` sets the messages' share instead.
    private func contextUsageResponse() -> J {
        let maxTokens = 200_000
        let turns = sh.locked { sh.resultCount }
        let messages = ProcessInfo.processInfo.environment["FAKE_CLAUDE_CONTEXT_TOKENS"].flatMap { Int($0) } ?? turns * 1000
        let used = 3000 + 12000 + messages
        func category(_ name: String, _ tokens: Int, _ kind: String) -> J {
            .o([("id", .s(name.lowercased().replacingOccurrences(of: " ", with: "_"))), ("name", .s(name)),
                ("tokens", .i(tokens)), ("kind", .s(kind))])
        }
        return .o([
            ("categories", .a([
                category("System prompt", 3000, "used"), category("System tools", 12000, "used"),
                category("Messages", messages, "used"), category("Free space", max(0, maxTokens - used), "free"),
            ])),
            ("totalTokens", .i(used)), ("maxTokens", .i(maxTokens)),
            ("percentage", .d(Double(used) * 100 / Double(maxTokens))), ("gridRows", .a([])),
        ])
    }

    /// The models of the `initialize` answer and of `list_models` (the real CLI gives both the same).
    private func modelCatalog() -> J {
        func model(_ value: String, _ resolved: String, _ display: String, _ description: String) -> J {
            .o([
                ("value", .s(value)), ("resolvedModel", .s(resolved)), ("displayName", .s(display)),
                ("description", .s(description)), ("supportsEffort", .b(true)),
                ("supportedEffortLevels", .a(["low", "medium", "high", "xhigh", "max"].map(J.s))),
            ])
        }
        return .a([
            model("default", defaultModel, "Default (recommended)", "Use the default model (currently Opus 5.5)"),
            model("sonnet", "claude-sonnet-5-5", "Sonnet", "Sonnet 5.5 · Efficient for routine tasks"),
            model("opus", "claude-opus-5-5", "Opus", "Opus 5.5 · Best for everyday, complex tasks"),
            model("haiku", "claude-haiku-5-5", "Haiku", "Haiku 5.5 · Fastest for quick answers"),
        ])
    }

    private func initializeResponse() -> J {
        let mode = sh.locked { sh.permissionMode }
        func command(_ name: String, _ description: String, _ hint: String) -> J {
            .o([("name", .s(name)), ("description", .s(description)), ("argumentHint", .s(hint)), ("builtin", .b(true))])
        }
        return .o([
            ("commands", .a([
                command("clear", "Clear conversation history and free up context", ""),
                command("compact", "Free up context by summarizing the conversation so far", "<optional custom summarization instructions>"),
                command("context", "Visualize current context usage as a colored grid", ""),
                command("cost", "Show the total cost and duration of the current session", ""),
                command("model", "Set the AI model for Claude Code", "[model]"),
                command("review", "Review a pull request", "[pr-number]"),
                command("doctor", "Health-check the user's Claude Code setup", ""),
                command("config", "Set a setting by key", "key=value"),
                command("heapdump", "Dump the JS heap to the Desktop", ""),
                command("__remote-workflow", "Run the workflow script delivered in this session environment", ""),
            ])),
            ("agents", .a([])),
            ("output_style", .safe("default")),
            ("available_output_styles", .a(["default", "Proactive", "Concise", "Explanatory", "Learning"].map(J.s))),
            ("models", modelCatalog()),
            ("account", .o([("tokenSource", .safe("none")), ("apiKeySource", .safe("ANTHROPIC_API_KEY")), ("apiProvider", .safe("firstParty"))])),
            ("pid", .i(Int(getpid()))),
            ("claude_code_version", .safe(fakeVersion)),
            ("current_permission_mode", .s(mode)),
            ("analytics_disabled", .b(true)),
            ("sandbox_enabled", .b(false)),
            ("fast_mode_state", .safe("off")),
            ("session_state", .safe(sh.locked { sh.turnActive } ? "running" : "idle")),
            ("capabilities", .a(["ui_surface_v1", "get_usage_detached_v1"].map(J.s))),
        ])
    }
}

func lifecycle(_ uuid: String, _ state: String, _ sid: String) -> J {
    .o([
        ("type", .safe("command_lifecycle")), ("command_uuid", .s(uuid)), ("state", .safe(state)),
        ("uuid", .safe(newUUID())), ("session_id", .s(sid)),
    ])
}

/// `FAKE_CLAUDE_HOSTILE`: a broken CLI, for Parley's "a script always ends" tests.
enum Hostility: String {
    /// Reads stdin and writes nothing at all, not even the answer to `initialize`.
    case silent
    /// Answers control requests (`initialize` too) but never runs a turn.
    case mute
    /// Answers every stdin line with a line that is not JSON, and nothing else.
    case nonJSON = "non-json"
    /// Closes its stdout at once, then reads and ignores stdin.
    case closeStdout = "close-stdout"

    /// Whether the process outlives stdin EOF (until a signal), like a hung CLI.
    var outlivesEOF: Bool { self == .silent || self == .closeStdout }
}

let hostility = ProcessInfo.processInfo.environment["FAKE_CLAUDE_HOSTILE"].flatMap(Hostility.init(rawValue:))

/// `FAKE_CLAUDE_DEAF=1`: interrupt control requests are acknowledged and ignored (a hung CLI);
/// only SIGINT or stronger stops a turn.
let deafToInterrupts = ProcessInfo.processInfo.environment["FAKE_CLAUDE_DEAF"] == "1"
