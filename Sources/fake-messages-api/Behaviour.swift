import Foundation

/// What the server understood of a `POST /v1/messages` body.
struct MessagesRequest {
    var model: String
    var stream: Bool
    var maxTokens: Int?
    var systemText: String
    /// Text of the last `role:"user"` message (text blocks joined with " ", the CLI's own context blocks left out: see `cliContextPrefixes`).
    var lastUserText: String
    /// The last user message holds a `tool_result` block. Then `lastUserText` is only the text sent with it
    /// (empty for a plain tool round trip; the next prompt after an interrupted tool otherwise).
    var afterToolResult: Bool
    var hasTools: Bool
    var messageCount: Int
    /// Text of the `role:"system"` entries the CLI puts into `messages[]` (environment, cwd, …).
    var contextText: String
    /// The tool_result blocks of the last user message (recorded as `tool_results`).
    var toolResults: [[String: Any]] = []
    /// The plan file named by the CLI's plan-mode reminder.
    var planFilePath: String?
    /// The last tool call of the last assistant message.
    var lastToolUse: (name: String, filePath: String?)?

    init(body: [String: Any]) {
        model = body["model"] as? String ?? "claude-mock"
        stream = body["stream"] as? Bool ?? false
        maxTokens = (body["max_tokens"] as? NSNumber)?.intValue
        hasTools = !((body["tools"] as? [Any]) ?? []).isEmpty
        systemText = Self.text(of: body["system"], skipReminders: false)
        let messages = body["messages"] as? [Any] ?? []
        messageCount = messages.count
        lastUserText = ""
        afterToolResult = false
        var contextParts: [String] = []
        for m in messages {
            if let m = m as? [String: Any], m["role"] as? String == "system" {
                contextParts.append(Self.text(of: m["content"], skipReminders: false))
            }
        }
        contextText = contextParts.joined(separator: "\n")
        planFilePath = Self.planFilePath(in: messages)
        lastToolUse = Self.lastToolUse(in: messages)
        for m in messages.reversed() {
            guard let m = m as? [String: Any], m["role"] as? String == "user" else { continue }
            if let blocks = m["content"] as? [Any] {
                afterToolResult = blocks.contains { ($0 as? [String: Any])?["type"] as? String == "tool_result" }
            }
            toolResults = Self.toolResults(in: m)
            lastUserText = Self.text(of: m["content"], skipReminders: true)
            if afterToolResult {
                // A prompt sent after an interrupted tool arrives in the same message as the tool_result.
                let blocks = (m["content"] as? [Any] ?? []).filter {
                    !((($0 as? [String: Any])?["text"] as? String)?.hasPrefix("[Request interrupted") ?? false)
                }
                lastUserText = Self.text(of: blocks, skipReminders: true)
            }
            break
        }
    }

    /// Text blocks the CLI adds to a user message itself (reminders, /compact summaries, local-command echoes).
    static let cliContextPrefixes = [
        "<system-reminder>", "<local-command-", "<command-name>", "<command-message>",
        "This session is being continued from a previous conversation",
    ]

    /// Plain text of a string or a list of content blocks.
    static func text(of content: Any?, skipReminders: Bool) -> String {
        if let s = content as? String { return s }
        guard let blocks = content as? [Any] else { return "" }
        var parts: [String] = []
        for b in blocks {
            guard let b = b as? [String: Any], b["type"] as? String == "text", let t = b["text"] as? String else { continue }
            if skipReminders && cliContextPrefixes.contains(where: { t.hasPrefix($0) }) { continue }
            parts.append(t)
        }
        return parts.joined(separator: " ")
    }

    /// "Primary working directory: /x" from the system prompt, if present.
    var primaryWorkingDirectory: String? {
        for marker in ["Primary working directory: ", "Working directory: "] {
            let haystack = contextText + "\n" + systemText
            guard let r = haystack.range(of: marker) else { continue }
            let rest = haystack[r.upperBound...]
            let line = rest.prefix { $0 != "\n" }.trimmingCharacters(in: .whitespaces)
            if !line.isEmpty { return line }
        }
        return nil
    }
}

/// Builds the reply plan for a request from a script line or the magic words.
struct Behaviour {
    let options: Options
    let state: ServerState

    static let lorem = """
        lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et \
        dolore magna aliqua ut enim ad minim veniam quis nostrud exercitation ullamco laboris nisi ut aliquip \
        ex ea commodo consequat
        """.split(separator: " ").map(String.init)

    /// `mock-hostile`: terminal escapes the model writes into its reply (issue 12): set the title,
    /// write the clipboard ("rm -rf ~/"), clear the screen, move up and erase, ask for the cursor
    /// position, and a C1 CSI. Streamed in `--chunk` pieces, so sequences are split between deltas.
    static let hostileText = "\u{1B}]0;PWNED-TITLE\u{07}\u{1B}]52;c;cm0gLXJmIH4v\u{07}\u{1B}[2J\u{1B}[3A\u{1B}[2K\u{1B}[6n\u{9B}2J"

    static func words(_ n: Int) -> String {
        var out = ""
        for i in 0..<max(0, n) {
            if i > 0 { out += (i % 60 == 0) ? "\n\n" : " " }
            out += lorem[i % lorem.count]
        }
        return out
    }

    func toolID(_ n: Int, _ k: Int = 0) -> String { k == 0 ? "toolu_01_\(n)" : "toolu_01_\(n)_\(k)" }

    /// A side request (model probe, title, …): never scripted, never magic.
    func isSide(_ r: MessagesRequest) -> Bool { sideKind(r) != nil }

    /// "probe" (`max_tokens` ≤ 1, e.g. the `set_model` check), "compact" (`/compact` or auto-compaction),
    /// "title" (a tool-less request whose system prompt asks for a title); nil for a conversation request.
    func sideKind(_ r: MessagesRequest) -> String? {
        if let m = r.maxTokens, m <= 1 { return "probe" }
        if r.lastUserText.contains("create a detailed summary of the conversation")
            || r.lastUserText.hasPrefix("CRITICAL: Respond with TEXT ONLY") { return "compact" }
        let s = r.systemText.lowercased()
        if !r.hasTools && s.contains("title") && !s.contains("agent sdk") && !s.contains("claude code, anthropic") {
            return "title"
        }
        return nil
    }

    func plan(for r: MessagesRequest, n: Int, isSide side: Bool) -> Plan {
        if options.missingModels.contains(r.model) {
            return Plan.error(404, chunk: options.chunkSize, message: "model: \(r.model)")
        }
        if side {
            var p = Plan(chunk: options.chunkSize, label: "side " + (sideKind(r) ?? ""))
            p.blocks = [.text(sideReply(r))]
            return p
        }
        if let line = state.nextScriptLine() {
            return scripted(line, r: r, n: n)
        }
        return magic(text: r.lastUserText, r: r, n: n)
    }

    func sideReply(_ r: MessagesRequest) -> String {
        switch sideKind(r) {
        case "compact"?:
            return "<analysis>mock analysis</analysis>\n<summary>Mock summary of the conversation so far.</summary>"
        case "title"?:
            return "{\"title\": \"Mock session\"}"
        default:
            return "OK"
        }
    }

    // MARK: magic words

    private func strip(_ token: Substring) -> String {
        var t = String(token)
        while let last = t.last, ".,;!?)\"'".contains(last) { t.removeLast() }
        while let first = t.first, "(\"'".contains(first) { t.removeFirst() }
        return t
    }

    /// `word` or `wordxN`: nil if the token is not that word; else the count limit (nil = always).
    private func counted(_ token: String, _ word: String) -> (matched: Bool, limit: Int?) {
        guard token.hasPrefix(word) else { return (false, nil) }
        let rest = token.dropFirst(word.count)
        if rest.isEmpty { return (true, nil) }
        if rest.hasPrefix("x"), let n = Int(rest.dropFirst()), n >= 0 { return (true, n) }
        return (false, nil)
    }

    /// True while the failure should still happen (counts per distinct prompt line).
    private func shouldFail(token: String, limit: Int?, text: String) -> Bool {
        guard let limit else { return true }
        let line = text.split(separator: "\n").first { $0.contains(token) }.map(String.init) ?? text
        return state.bump(key: token + "\u{0}" + line) <= limit
    }

    func magic(text: String, r: MessagesRequest, n: Int) -> Plan {
        if let exit = exitPlanModeAfterPlanWrite(r, n: n) { return exit }
        var p = Plan(chunk: options.chunkSize, label: "echo")
        if r.afterToolResult && text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            p.label = "after tool_result"
            p.blocks = [.text("Echo: ")]
            return p
        }
        let tokens = text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }).map(strip)
        var labels: [String] = []
        var echo = "Echo: " + text
        var thinking = false
        var tools: [(name: String, input: String)] = []
        var preText: String?

        for t in tokens {
            // HTTP errors: mock-errNNN, mock-errNNNxN
            if t.hasPrefix("mock-err"), t.count >= 11, let status = Int(t.dropFirst(8).prefix(3)) {
                let (ok, limit) = counted(t, "mock-err\(status)")
                if ok {
                    if shouldFail(token: t, limit: limit, text: text) {
                        var e = Plan.error(status, chunk: options.chunkSize)
                        if status == 429 || status == 529 { e.extraHeaders = [("retry-after", "1")] }
                        e.label = t
                        return e
                    }
                    labels.append("\(t) passed")
                    continue
                }
            }
            for (word, make) in [
                ("mock-sse-error", { (k: Int) in StreamFailure.sseError(afterDeltas: k) }),
                ("mock-stall", { (k: Int) in StreamFailure.stall(afterDeltas: k) }),
                ("mock-close", { (k: Int) in StreamFailure.close(afterDeltas: k) }),
            ] {
                let (ok, limit) = counted(t, word)
                guard ok else { continue }
                if r.stream && shouldFail(token: t, limit: limit, text: text) {
                    p.failure = make(word == "mock-stall" ? 1 : 2)
                    labels.append(t)
                }
            }
            if t == "mock-slow" {
                p.delay = options.slowDelay
                labels.append(t)
            } else if t.hasPrefix("mock-slow="), let ms = Double(t.dropFirst(10)) {
                p.delay = ms / 1000
                labels.append(t)
            } else if t.hasPrefix("mock-words="), let count = Int(t.dropFirst(11)) {
                echo += "\n\n" + Self.words(count)
                labels.append(t)
            } else if t.hasPrefix("mock-chunk="), let c = Int(t.dropFirst(11)), c > 0 {
                p.chunk = c
            } else if t == "mock-table" {
                echo = Self.markdownTable
                labels.append(t)
            } else if t == "mock-links" {
                echo = Self.markdownLinks
                labels.append(t)
            } else if t.hasPrefix("mock-usage="), let tokens = Int(t.dropFirst(11)), tokens >= 0 {
                p.outputTokens = tokens
                labels.append(t)
            } else if t == "mock-hostile" {
                echo += " " + Self.hostileText + " end of reply"
                labels.append(t)
            } else if t == "mock-thinking" {
                thinking = true
                labels.append(t)
            } else if t == "mock-write" || t.hasPrefix("mock-write=") {
                let dir = options.cwd ?? r.primaryWorkingDirectory ?? FileManager.default.currentDirectoryPath
                var path = t == "mock-write" ? "mock_written.txt" : String(t.dropFirst(11))
                if !path.hasPrefix("/") { path = (dir as NSString).appendingPathComponent(path) }
                tools.append(("Write", JSON.string(["file_path": path, "content": "hello\n"], sorted: true)))
                labels.append(t)
            } else if let (word, defaultPath) = [("mock-edit", "mock_edit.txt"), ("mock-multiedit", "mock_edit.txt"),
                                                 ("mock-overwrite", "mock_edit.txt")].first(where: { t == $0.0 || t.hasPrefix($0.0 + "=") }) {
                let dir = options.cwd ?? r.primaryWorkingDirectory ?? FileManager.default.currentDirectoryPath
                var path = t == word ? defaultPath : String(t.dropFirst(word.count + 1))
                if !path.hasPrefix("/") { path = (dir as NSString).appendingPathComponent(path) }
                tools.append(Self.fileTool(word, path: path))
                labels.append(t)
            } else if t == "mock-parallel" {
                preText = preText ?? "Running two commands."
                for word in ["one", "two"] {
                    tools.append(("Bash", JSON.string(["command": "echo \(word)", "description": "say \(word)"], sorted: true)))
                }
                labels.append(t)
            } else if t == "mock-task" {
                preText = preText ?? "Asking a subagent."
                let input = ["description": "run a tool", "prompt": "please use a tool", "subagent_type": "general-purpose"]
                tools.append(("Task", JSON.string(input, sorted: true)))
                labels.append(t)
            } else if t == "mock-sleeptool" || t.hasPrefix("mock-sleeptool=") {
                let secs = t == "mock-sleeptool" ? "30" : String(t.dropFirst(15))
                // 2.1.331 refuses `sleep N` alone or first ("Blocked: standalone sleep …"); this form runs.
                let command = "echo sleeping; sleep \(secs); echo slept"
                tools.append(("Bash", JSON.string(["command": command, "description": "wait \(secs) s"], sorted: true)))
                labels.append(t)
            } else if t == "mock-ask" || t == "mock-ask-multi" {
                tools.append(("AskUserQuestion", JSON.string(Self.askInput(multi: t == "mock-ask-multi"))))
                labels.append(t)
            } else if t == "mock-plan" {
                preText = preText ?? "Here is my plan."
                tools.append(Self.planTool(r))
                labels.append(t)
            } else if t.lowercased() == "tool" && preText == nil {
                preText = "Let me run a command."
                tools.append(("Bash", JSON.string(["command": "echo hello-from-tool", "description": "say hello"], sorted: true)))
                labels.append("tool")
            }
        }
        // mock-tool=NAME:JSON (the JSON may contain spaces: scan the raw text).
        let chars = Array(text)
        let marker = Array("mock-tool=")
        var i = 0
        while i + marker.count <= chars.count {
            if Array(chars[i..<(i + marker.count)]) == marker {
                var j = i + marker.count
                var name = ""
                while j < chars.count, chars[j] != ":", !chars[j].isWhitespace { name.append(chars[j]); j += 1 }
                var input = "{}"
                if j < chars.count, chars[j] == ":", j + 1 < chars.count, chars[j + 1] == "{",
                   let end = JSON.balancedEnd(in: chars, from: j + 1) {
                    let candidate = String(chars[(j + 1)..<end])
                    if JSON.parse(candidate) is [String: Any] { input = candidate }
                    j = end
                }
                if !name.isEmpty {
                    tools.append((name, input))
                    labels.append("mock-tool=\(name)")
                }
                i = j
            } else {
                i += 1
            }
        }

        if p.delay > 0 && !text.contains("mock-words=") {
            // Like the captures' mock: 30 more 8-character pieces, so a slow reply lasts about 30 × delay.
            echo += " " + (0..<30).map { i in "slow" + (i < 10 ? "0" : "") + "\(i). " }.joined()
        }
        if thinking {
            p.blocks.append(.thinking("Let me think about this. The user wrote: \(text)", signature: "mock-signature-\(n)"))
        }
        if tools.isEmpty {
            p.blocks.append(.text(echo))
        } else {
            if let preText { p.blocks.append(.text(preText)) } else if thinking { p.blocks.append(.text("Calling a tool.")) }
            for (k, tool) in tools.enumerated() {
                p.blocks.append(.toolUse(id: toolID(n, k), name: tool.name, input: tool.input))
            }
            p.stopReason = "tool_use"
        }
        if !labels.isEmpty { p.label = labels.joined(separator: " ") }
        return p
    }

    /// The tool call of `mock-edit` (`beta` → `BETA` + `beta two`), `mock-multiedit` (`alpha` →
    /// `ALPHA`, `gamma` → `GAMMA`) and `mock-overwrite` (a Write of `alpha\nBETA\ngamma\n`).
    static func fileTool(_ word: String, path: String) -> (name: String, input: String) {
        switch word {
        case "mock-multiedit":
            let edits = [["old_string": "alpha", "new_string": "ALPHA"], ["old_string": "gamma", "new_string": "GAMMA"]]
            return ("MultiEdit", JSON.string(["file_path": path, "edits": edits] as [String: Any], sorted: true))
        case "mock-overwrite":
            return ("Write", JSON.string(["file_path": path, "content": "alpha\nBETA\ngamma\n"], sorted: true))
        default:
            return ("Edit", JSON.string(["file_path": path, "old_string": "beta", "new_string": "BETA\nbeta two"], sorted: true))
        }
    }

    /// The reply of `mock-table`: a paragraph, a Markdown pipe table with a long cell, a paragraph.
    static let markdownTable = """
        Here are the options:
        | Option | Default | Meaning |
        |:-------|:-------:|--------:|
        | `--color` | auto | when to colour the output: auto, always or never, following NO_COLOR |
        | `--cwd` | . | the directory claude runs in |
        That is all.
        """

    /// The reply of `mock-links`: Markdown links whose URLs are allowed (https, mailto), one whose
    /// scheme is not (ftp), one whose URL hides a terminal escape, and a link that is its URL.
    static let markdownLinks = "See [the docs](https://example.com/docs), [write](mailto:ada@example.com), "
        + "[old](ftp://example.com/f), [evil](https://example.com/\u{1B}]0;PWNED-TITLE\u{07}x) and "
        + "[https://example.com/same](https://example.com/same). Done."

    // MARK: script lines

    /// A script line: a JSON object (see Docs/FakeMessagesAPI.md).
    func scripted(_ line: [String: Any], r: MessagesRequest, n: Int) -> Plan {
        if let e = line["error"] {
            let o = e as? [String: Any] ?? [:]
            let status = (o["status"] as? NSNumber)?.intValue ?? (e as? NSNumber)?.intValue ?? 500
            var p = Plan.error(status, chunk: options.chunkSize, message: o["message"] as? String, type: o["type"] as? String)
            p.label = "script error \(status)"
            return p
        }
        var p: Plan
        if let prompt = line["prompt"] as? String {
            p = magic(text: prompt, r: r, n: n)
        } else {
            p = Plan(chunk: options.chunkSize, label: "script")
            if let thinking = line["thinking"] as? String {
                p.blocks.append(.thinking(thinking, signature: "mock-signature-\(n)"))
            }
            if let text = line["text"] as? String {
                p.blocks.append(.text(text))
            }
            var tools: [[String: Any]] = []
            if let t = line["tool"] as? [String: Any] { tools.append(t) }
            if let ts = line["tools"] as? [Any] { tools += ts.compactMap { $0 as? [String: Any] } }
            for (k, t) in tools.enumerated() {
                let name = t["name"] as? String ?? "Bash"
                var object = t["input"] as? [String: Any]
                // A relative file_path (Read, Write, Edit) is taken under the cwd, as for mock-write.
                if let path = object?["file_path"] as? String, !path.hasPrefix("/") {
                    let dir = options.cwd ?? r.primaryWorkingDirectory ?? FileManager.default.currentDirectoryPath
                    object?["file_path"] = (dir as NSString).appendingPathComponent(path)
                }
                let input = (object ?? t["input"]).map { JSON.string($0) } ?? "{}"
                p.blocks.append(.toolUse(id: t["id"] as? String ?? toolID(n, k), name: name, input: input))
            }
            if p.blocks.isEmpty { p.blocks.append(.text("Echo: " + r.lastUserText)) }
            p.stopReason = tools.isEmpty ? "end_turn" : "tool_use"
        }
        p.label = "script: " + p.label
        if let s = line["stop_reason"] as? String { p.stopReason = s }
        if let c = (line["chunk"] as? NSNumber)?.intValue, c > 0 { p.chunk = c }
        if let d = (line["delay_ms"] as? NSNumber)?.doubleValue { p.delay = d / 1000 }
        if r.stream {
            if let k = (line["sse_error_after"] as? NSNumber)?.intValue { p.failure = .sseError(afterDeltas: k) }
            if let k = (line["stall_after"] as? NSNumber)?.intValue { p.failure = .stall(afterDeltas: k) }
            if let k = (line["close_after"] as? NSNumber)?.intValue { p.failure = .close(afterDeltas: k) }
        }
        return p
    }
}
