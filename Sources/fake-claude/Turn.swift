import Foundation
import StreamJSON
import ParleyTestSupport

import Glibc

enum TurnAbort: Error {
    case streaming
    case tools
}

private let rejectedWhileRunning =
    "The user doesn't want to proceed with this tool use. The tool use was rejected (eg. if it was a file edit, the new_string was NOT written to the file). STOP what you are doing and wait for the user to tell you how to proceed. Correction to the text above: this call was stopped while running, not refused before it ran. It may have run in part or in full, and its changes may have been written. No permission prompt was involved. Work it started elsewhere (a remote command, a background process) may still be running, so check before starting the same work again. The instruction to stop and wait still stands."
private let rejectedBeforeRunning =
    "The user doesn't want to proceed with this tool use. The tool use was rejected (eg. if it was a file edit, the new_string was NOT written to the file). STOP what you are doing and wait for the user to tell you how to proceed."

private let garbageLines: [[UInt8]] = [
    Array("this is not json at all\n".utf8),
    Array("\u{1b}[31m\u{1b}[1mANSI junk on stdout\u{1b}[0m\u{1b}[2K\r\n".utf8),
    [0xff, 0xfe, 0x80, 0x41, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0x0a],
    Array("{\"type\": \"assistant\", \"message\": \n".utf8),
    Array("[1,2,3]\n".utf8),
    Array("\"just a string\"\n".utf8),
    Array("{\"no_type\":true}\n".utf8),
    Array("Warning: something happened at 0x7ffd\n".utf8),
]

private let stderrBlock: [UInt8] = {
    var bytes: [UInt8] = []
    var n = 0
    while bytes.count < 65536 - 100 {
        bytes += Array("fake-claude stderr flood line \(n): lorem ipsum dolor sit amet consectetur adipiscing elit\n".utf8)
        n += 1
    }
    return bytes
}()

/// Runs turns on the main thread, one at a time.
final class TurnRunner {
    let sh: Shared
    let cfg: Config
    var out: Output { sh.out }

    // Per-turn state.
    var d = Directives("")
    var sid = ""
    var uuids: [String] = []
    var startMS = 0.0
    var firstContentMS: Double?
    var rounds = 0
    var turnCost = 0.0
    var inTokens = 0
    var outTokens = 0
    var begun: [String] = []
    var denials: [J] = []
    var garbageIndex = 0
    var streamedDeltas = 0
    var crashedChecked = false
    var firstAssistant = true
    var stderrRemaining = 0
    var lastStopReason: String?
    var promptText = ""

    init(_ sh: Shared) {
        self.sh = sh
        self.cfg = sh.cfg
    }

    // MARK: output helpers

    func emit(_ value: J) {
        if d.loneSurrogate { out.emit(withLoneSurrogates(value.line)) } else { out.line(value) }
        if d.garbage {
            out.emit(garbageLines[garbageIndex % garbageLines.count])
            garbageIndex += 1
        }
    }

    var model: String { sh.locked { sh.model } }

    func system(_ subtype: String, _ fields: [(String, J)]) -> J {
        .o([("type", .safe("system")), ("subtype", .safe(subtype))] + fields + [("session_id", .s(sid)), ("uuid", .safe(newUUID()))])
    }

    func streamEvent(_ event: J, _ msgID: String, extra: [(String, J)] = []) -> J {
        .o([("type", .safe("stream_event")), ("event", event), ("session_id", .s(sid)), ("parent_tool_use_id", .null),
            ("uuid", .safe(newUUID()))] + extra + [("api_message_id", .s(msgID))])
    }

    func assistant(_ msgID: String, _ block: J, extra: [(String, J)] = []) -> J {
        var fields: [(String, J)] = [
            ("type", .safe("assistant")),
            ("message", .o([
                ("id", .s(msgID)), ("type", .safe("message")), ("role", .safe("assistant")), ("model", .s(model)),
                ("content", .a([block])), ("stop_reason", .null), ("stop_sequence", .null),
                ("usage", .raw(#"{"input_tokens":5,"output_tokens":1,"cache_creation_input_tokens":0,"cache_read_input_tokens":0}"#)),
                ("context_management", .null),
            ])),
            ("parent_tool_use_id", .null), ("session_id", .s(sid)), ("uuid", .safe(newUUID())),
            ("timestamp", .safe(isoTimestamp())), ("request_id", .s("req_" + msgID.dropFirst(4))),
        ]
        fields += extra
        if firstAssistant, let first = uuids.first {
            fields.append(("user_message_uuid", .s(first)))
            fields.append(("user_message_uuids", .a(uuids.map(J.s))))
        }
        firstAssistant = false
        return .o(fields)
    }

    func userLine(_ content: J, extra: [(String, J)] = []) -> J {
        .o([("type", .safe("user")), ("message", .o([("role", .safe("user")), ("content", content)])),
            ("parent_tool_use_id", .null), ("session_id", .s(sid)), ("uuid", .safe(newUUID())),
            ("timestamp", .safe(isoTimestamp()))] + extra)
    }

    func sessionState(_ state: String) {
        guard cfg.emitSessionState else { return }
        emit(.o([("type", .safe("system")), ("subtype", .safe("session_state_changed")), ("state", .safe(state)),
                 ("uuid", .safe(newUUID())), ("session_id", .s(sid))]))
    }

    // MARK: crashes

    func crashIf(_ point: CrashPoint) {
        guard let crash = d.crash, d.effectiveCrashPoint == point else { return }
        if d.once, let dir = cfg.stateDir {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in promptText.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            let marker = dir + "/once-" + String(hash, radix: 16)
            let fd = open(marker, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if fd < 0 { return }  // already fired once
            close(fd)
        }
        switch crash {
        case .exit(let code):
            out.exitHoldingLockNoReap(code)
        case .signal(let sig):
            Recorder.shared.record(.o([("event", .safe("exit")), ("code", .null), ("signal", .i(Int(sig)))]))
            signal(sig, SIG_DFL)
            kill(getpid(), sig)
            // A signal that does not end the process (ignored by default): leave anyway.
            _exit(128 + sig)
        }
    }

    func ackInterrupts() {
        for id in sh.takeInterruptIDs() {
            controlSuccess(out, id, .o([("still_queued", .a([]))]))
        }
    }

    // MARK: the turn

    func run(_ batch: [UserMessage]) {
        let prompt = batch.map(\.text).joined(separator: "\n")
        promptText = prompt
        d = Directives(cfg.extraDirectives + " " + prompt)
        uuids = batch.compactMap(\.uuid)
        startMS = monotonicMS()
        firstContentMS = nil
        rounds = 0
        turnCost = 0
        inTokens = 0
        outTokens = 0
        begun = []
        denials = []
        garbageIndex = 0
        streamedDeltas = 0
        crashedChecked = false
        firstAssistant = true
        lastStopReason = nil
        stderrRemaining = Int((d.stderrMB ?? 0) * 1024 * 1024)
        let (sessionID, earlier) = sh.locked { (sh.sessionID, sh.history) }
        sid = sessionID
        out.setBytewise(d.bytewise)
        defer { out.setBytewise(false) }

        for uuid in uuids { emit(lifecycle(uuid, "started", sid)) }

        let trimmed = prompt.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed == "/clear" {
            clearCommand(batch)
            finish(batch)
            return
        }

        if d.strayResult { strayResult() }
        if !batch.contains(where: \.asksForReply) {
            // `"shouldQuery": false`: into the history, init and an empty result, no model call.
            emit(initLine(historyTurns: earlier.count))
            appendHistory(prompt)
            emitResult(subtype: "success", isError: false, terminal: "completed", stopReason: nil, numTurns: 0,
                       resultText: "", safe: true, errors: nil, apiStatus: .null, apiType: nil)
            finish(batch)
            return
        }

        emit(initLine(historyTurns: earlier.count))
        if cfg.replayUserMessages {
            for message in batch {
                emit(.o([("type", .safe("user")), ("message", J(message.message)), ("session_id", .s(sid)),
                         ("parent_tool_use_id", .null), ("uuid", .s(message.uuid ?? newUUID())),
                         ("timestamp", .safe(isoTimestamp())), ("isReplay", .b(true))]))
            }
        }
        sessionState("running")
        appendHistory(prompt)
        crashIf(.start)

        if trimmed == "/compact" || trimmed == "/cost" || trimmed == "/context" {
            localCommand(trimmed)
            finish(batch)
            return
        }

        if d.tinyLines > 0 { tinyLines() }
        if d.backgroundTask { startBackgroundTask() }
        if d.hostile { _ = writeAll(2, Array("fake-claude stderr: \(hostileText)\n".utf8)) }
        if d.delayMS > 0, sh.sleepInterruptible(d.delayMS) {
            ackInterrupts()
            emit(userLine(.a([.o([("type", .safe("text")), ("text", .safe("[Request interrupted by user]"))])])))
            errorResult(terminal: "aborted_streaming", stopReason: nil, numTurns: 1)
            finish(batch)
            return
        }

        if d.notLoggedIn || d.errorStatus != nil {
            apiError(d.errorStatus ?? 401, text: d.notLoggedIn ? "Not logged in · Please run /login" : nil)
            finish(batch)
            return
        }

        var finalText: String
        var safeText = false
        if d.hostile {
            finalText = "Hostile reply: \(hostileText) end of reply"
        } else if d.table {
            finalText = markdownTableReply
        } else if let reply = d.reply {
            finalText = reply
        } else if d.history {
            finalText = earlier.isEmpty ? "(no history)" : earlier.joined(separator: "\n")
        } else if let mb = d.hugeMB {
            finalText = makeHuge(mb)
            safeText = true
        } else if let n = d.words {
            finalText = makeWords(n)
        } else if let n = d.numbered {
            finalText = (1...max(1, n)).map { "w" + String(repeating: "0", count: max(0, 3 - String($0).count)) + String($0) }
                .joined(separator: " ")
        } else {
            finalText = "Echo: " + prompt
        }
        if d.loneSurrogate { finalText += " half \(loneSurrogateMark)" }

        do {
            if d.parallel {
                try parallelTurn(finalText: finalText)
            } else if d.subagent {
                try subagentTurn(finalText: finalText)
            } else if d.usesTool {
                try toolTurn(finalText: finalText, safe: safeText)
            } else {
                let msgID = try messageStart()
                var index = 0
                if d.thinking { try thinkingBlock(msgID); index = 1 }
                try textBlock(index, finalText, msgID, safe: safeText)
                crashIf(.end)
                messageEnd(msgID, "end_turn")
                successResult(finalText, safe: safeText)
            }
        } catch TurnAbort.streaming {
            errorResult(terminal: "aborted_streaming", stopReason: nil, numTurns: rounds + 1)
        } catch TurnAbort.tools {
            errorResult(terminal: "aborted_tools", stopReason: "tool_use", numTurns: rounds + 2)
        } catch {}
        finish(batch)
    }

    /// Lifecycle `completed`, late interrupt acknowledgements, the `after` crash point.
    private func finish(_ batch: [UserMessage]) {
        for uuid in uuids { emit(lifecycle(uuid, "completed", sid)) }
        sessionState("idle")
        for id in sh.endTurn() {
            controlSuccess(out, id, .o([("still_queued", .a([]))]))
        }
        crashIf(.after)
    }

    // MARK: blocks

    /// `status{requesting}` (+ retries) and `message_start`; returns the message id.
    func messageStart() throws -> String {
        if cfg.partial { emit(system("status", [("status", .safe("requesting"))])) }
        for attempt in 0..<d.retries {
            emit(system("api_retry", [
                ("attempt", .i(attempt + 1)), ("max_retries", .i(cfg.maxRetries)), ("retry_delay_ms", .i(600 * (1 << min(attempt, 6)))),
                ("error_status", .i(529)), ("error", .safe("overloaded")),
            ]))
        }
        d.retries = 0
        let n = sh.nextCounter()
        let msgID = "msg_fake_\(n)"
        rounds += 1
        begun.append(msgID)
        let ttft = Int(monotonicMS() - startMS)
        if firstContentMS == nil { firstContentMS = monotonicMS() }
        if cfg.partial {
            emit(streamEvent(.o([
                ("type", .safe("message_start")),
                ("message", .o([
                    ("id", .s(msgID)), ("type", .safe("message")), ("role", .safe("assistant")), ("model", .s(model)),
                    ("content", .a([])), ("stop_reason", .null), ("stop_sequence", .null),
                    ("usage", .raw(#"{"input_tokens":5,"output_tokens":1,"cache_creation_input_tokens":0,"cache_read_input_tokens":0}"#)),
                ])),
            ]), msgID, extra: [("ttft_ms", .i(ttft)), ("thinking_display", .safe("updates"))]))
        }
        return msgID
    }

    func messageEnd(_ msgID: String, _ stopReason: String) {
        if cfg.partial {
            emit(streamEvent(.o([
                ("type", .safe("message_delta")),
                ("delta", .o([("stop_reason", .s(stopReason)), ("stop_sequence", .null)])),
                ("usage", .o([("output_tokens", .i(7))])),
            ]), msgID))
            emit(streamEvent(.o([("type", .safe("message_stop"))]), msgID))
        }
        turnCost += 0.00016
        inTokens += 5
        outTokens += 7
        lastStopReason = stopReason
    }

    func chunks(_ text: String, safe: Bool) -> [String] {
        if safe || text.utf8.count > 1_000_000 { return [text] }
        var result: [String] = []
        var current = ""
        var count = 0
        for ch in text {
            current.append(ch)
            count += 1
            if count == 8 {
                result.append(current)
                current = ""
                count = 0
            }
        }
        if !current.isEmpty { result.append(current) }
        return result
    }

    func floodStderr(_ bytes: Int) {
        var remaining = bytes
        while remaining > 0 {
            let n = min(remaining, stderrBlock.count)
            _ = stderrBlock.withUnsafeBytes { writeAll(2, UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            remaining -= n
        }
        stderrRemaining -= bytes
    }

    func textBlock(_ index: Int, _ text: String, _ msgID: String, safe: Bool) throws {
        if cfg.partial {
            emit(streamEvent(.o([("type", .safe("content_block_start")), ("index", .i(index)),
                                 ("content_block", .o([("type", .safe("text")), ("text", .safe(""))]))]), msgID))
        }
        let pieces = chunks(text, safe: safe)
        let stderrShare = pieces.isEmpty ? stderrRemaining : stderrRemaining / (pieces.count + 1)
        var streamed = ""
        for (k, piece) in pieces.enumerated() {
            if d.slowMS > 0 {
                if sh.sleepInterruptible(d.slowMS) { try abortStreaming(index, streamed, msgID) }
            } else if sh.isInterrupted {
                try abortStreaming(index, streamed, msgID)
            }
            if cfg.partial {
                let textValue: J = safe ? .safe(piece) : .s(piece)
                emit(streamEvent(.o([("type", .safe("content_block_delta")), ("index", .i(index)),
                                     ("delta", .o([("type", .safe("text_delta")), ("text", textValue)]))]), msgID))
            }
            if pieces.count == 1 { streamed = piece } else { streamed += piece }
            if stderrShare > 0 { floodStderr(stderrShare) }
            if d.hang && k == 0 {
                sh.waitForInterrupt()
                try abortStreaming(index, streamed, msgID)
            }
            streamedDeltas += 1
            if streamedDeltas == 2 || (k == pieces.count - 1 && !crashedChecked) {
                crashedChecked = true
                crashIf(.stream)
            }
        }
        if pieces.isEmpty {
            crashedChecked = true
            crashIf(.stream)
            if d.hang {
                sh.waitForInterrupt()
                try abortStreaming(index, streamed, msgID)
            }
        }
        if stderrRemaining > 0 { floodStderr(stderrRemaining) }
        emit(assistant(msgID, .o([("type", .safe("text")), ("text", safe ? .safe(text) : .s(text))])))
        if cfg.partial {
            emit(streamEvent(.o([("type", .safe("content_block_stop")), ("index", .i(index))]), msgID))
        }
    }

    func abortStreaming(_ index: Int, _ streamed: String, _ msgID: String) throws -> Never {
        ackInterrupts()
        if !streamed.isEmpty {
            emit(assistant(msgID, .o([("type", .safe("text")), ("text", .s(streamed))]), extra: [("aborted", .b(true))]))
        }
        emit(userLine(.a([.o([("type", .safe("text")), ("text", .safe("[Request interrupted by user]"))])])))
        if cfg.partial {
            emit(streamEvent(.o([("type", .safe("content_block_stop")), ("index", .i(index))]), msgID))
            emit(streamEvent(.raw(#"{"type":"message_delta","context_management":null,"delta":{"container":null,"stop_details":null,"stop_reason":null,"stop_sequence":null},"usage":{"output_tokens_details":{"thinking_tokens":0},"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"input_tokens":5,"iterations":[],"output_tokens":1,"server_tool_use":{"web_search_requests":0,"web_fetch_requests":0},"fallback_credit":null}}"#), msgID))
            emit(streamEvent(.o([("type", .safe("message_stop"))]), msgID,
                             extra: [("abandoned_blocks", .o([("api_message_id", .s(msgID)), ("from_block_index", .i(index + 1))]))]))
        }
        turnCost += 0.00008
        inTokens += 5
        outTokens += 4
        throw TurnAbort.streaming
    }

    func thinkingBlock(_ msgID: String) throws {
        let thought = "The user wants a reply. I will think briefly, then answer."
        if cfg.partial {
            emit(streamEvent(.o([("type", .safe("content_block_start")), ("index", .i(0)),
                                 ("content_block", .o([("type", .safe("thinking")), ("thinking", .safe("")), ("signature", .safe(""))]))]), msgID))
            emit(system("thinking_tokens", [("tokens", .i(14))]))
            for piece in chunks(thought, safe: false) {
                if d.slowMS > 0 {
                    if sh.sleepInterruptible(d.slowMS) { try abortStreaming(0, "", msgID) }
                } else if sh.isInterrupted {
                    try abortStreaming(0, "", msgID)
                }
                emit(streamEvent(.o([("type", .safe("content_block_delta")), ("index", .i(0)),
                                     ("delta", .o([("type", .safe("thinking_delta")), ("thinking", .s(piece))]))]), msgID))
            }
            emit(streamEvent(.o([("type", .safe("content_block_delta")), ("index", .i(0)),
                                 ("delta", .o([("type", .safe("signature_delta")), ("signature", .safe("ZmFrZS1zaWduYXR1cmU="))]))]), msgID))
        }
        emit(assistant(msgID, .o([("type", .safe("thinking")), ("thinking", .s(thought)), ("signature", .safe("ZmFrZS1zaWduYXR1cmU="))])))
        if cfg.partial {
            emit(streamEvent(.o([("type", .safe("content_block_stop")), ("index", .i(0))]), msgID))
        }
    }

    func toolUseBlock(_ index: Int, _ msgID: String, _ toolID: String, _ name: String, _ input: J) {
        if cfg.partial {
            emit(streamEvent(.o([("type", .safe("content_block_start")), ("index", .i(index)),
                                 ("content_block", .o([("type", .safe("tool_use")), ("id", .s(toolID)), ("name", .s(name)), ("input", .o([]))]))]), msgID))
            let json = Array(input.text)
            let half = json.count / 2
            for part in [String(json[..<half]), String(json[half...])] where !part.isEmpty {
                emit(streamEvent(.o([("type", .safe("content_block_delta")), ("index", .i(index)),
                                     ("delta", .o([("type", .safe("input_json_delta")), ("partial_json", .s(part))]))]), msgID))
            }
        }
        emit(assistant(msgID, .o([("type", .safe("tool_use")), ("id", .s(toolID)), ("name", .s(name)), ("input", input)])))
        if cfg.partial {
            emit(streamEvent(.o([("type", .safe("content_block_stop")), ("index", .i(index))]), msgID))
        }
    }

    // MARK: tools and permissions

    func toolTurn(finalText: String, safe: Bool) throws {
        let msgID = try messageStart()
        var index = 0
        if d.thinking { try thinkingBlock(msgID); index = 1 }
        try textBlock(index, "Let me run a command.", msgID, safe: false)
        let toolID = "toolu_fake_\(sh.nextCounter())"
        let toolName = d.todo != nil ? "TodoWrite" : d.permissionTool ?? "Bash"
        let input = toolInput(toolName)
        let calledName = d.hostile && d.permissionTool == nil ? toolName + hostileText : toolName
        toolUseBlock(index + 1, msgID, toolID, calledName, input)
        messageEnd(msgID, "tool_use")

        var secondText = finalText
        var secondSafe = safe
        if d.permissionTool != nil {
            let verdict = try permissionPhase(toolID, toolName, input)
            secondText = verdict
            secondSafe = false
        } else if toolName == "TodoWrite" {
            toolResult(toolID, "Todos have been modified successfully. Ensure that you continue to use the todo list to track "
                       + "your progress. Please proceed with the current tasks if applicable", isError: false,
                       useResult: .o([("oldTodos", .a([])), ("newTodos", todoItems())]), meta: .o([("id", .s(toolID))]))
        } else {
            try bashTool(toolID)
        }

        let limit = d.maxTurns ? (cfg.maxTurns ?? 1) : cfg.maxTurns
        if let limit, limit < 2 {
            let numTurns = rounds + 1
            errorResult(terminal: "max_turns", stopReason: "tool_use", numTurns: numTurns, subtype: "error_max_turns",
                        errors: ["Reached maximum number of turns (\(limit))"])
            return
        }

        let msg2 = try messageStart()
        try textBlock(0, secondText, msg2, safe: secondSafe)
        crashIf(.end)
        messageEnd(msg2, "end_turn")
        successResult(secondText, safe: secondSafe)
    }

    func toolInput(_ name: String) -> J {
        switch name {
        case "Bash":
            if d.permissionTool != nil, d.hostile {
                return .o([("command", .s(hostilePermissionCommand)), ("description", .safe("Read notes"))])
            }
            if d.permissionTool != nil {
                return .o([("command", .safe("touch fake_claude_marker.txt")), ("description", .safe("Create a marker file"))])
            }
            let command = d.toolSleepMS > 0
                ? "sleep \(Double(d.toolSleepMS) / 1000) && echo hello-from-tool" : "echo hello-from-tool"
            return .o([("command", .s(command)), ("description", .safe("echo"))])
        case "Write":
            return .o([("file_path", .s(cfg.cwd + "/fake_written.txt")), ("content", .safe("hello\\n"))])
        case "Edit", "MultiEdit":
            return fileEditInput(name)
        case "TodoWrite":
            return .o([("todos", todoItems())])
        case "AskUserQuestion":
            return .raw(#"{"questions":[{"question":"Which color do you prefer?","header":"Color","options":[{"label":"Red","description":"warm"},{"label":"Blue","description":"cool"}],"multiSelect":false}]}"#)
        default:
            return .o([("value", .safe("fake"))])
        }
    }

    /// `fc:todo`: one step per state, `Step 1`, `Step 2`, …
    func todoItems() -> J {
        let states = ["done": "completed", "doing": "in_progress", "todo": "pending"]
        return .a((d.todo ?? []).enumerated().map { index, state in
            .o([("content", .s("Step \(index + 1)")), ("status", .s(states[state] ?? state)),
                ("activeForm", .s("Doing step \(index + 1)"))])
        })
    }

    /// `fc:bgtask`: a background Bash task the CLI reports (`task_started`); it runs until a
    /// `stop_task` request stops it.
    func startBackgroundTask() {
        let id = "bfake\(sh.nextCounter())"
        sh.locked { _ = sh.runningTasks.insert(id) }
        emit(system("task_started", [("task_id", .s(id)), ("tool_use_id", .s("toolu_fake_bg")),
                                     ("description", .safe("npm run watch")), ("task_type", .safe("local_bash"))]))
    }

    func spawnSleepChild() -> pid_t? {
        let path = FileManager.default.isExecutableFile(atPath: "/bin/sleep") ? "/bin/sleep" : "/usr/bin/sleep"
        // The tool's process gets /dev/null for stdio (like the real CLI's tool children, it does
        // not hold our stdout open); it stays in our process group, or (setsid) leaves it.
        guard let child = try? CleanSpawn.spawn(
            [path, "300"], environment: ProcessInfo.processInfo.environment,
            stdin: .null, stdout: .null, stderr: .null, newSession: cfg.spawnChildInOwnSession) else { return nil }
        let pid = child.pid
        ChildRegistry.shared.add(pid)
        Recorder.shared.record(.o([("event", .safe("child")), ("pid", .i(Int(pid))), ("pgid", .i(Int(getpgid(pid)))),
                                   ("sid", .i(Int(getsid(pid))))]))
        return pid
    }

    func bashTool(_ toolID: String) throws {
        if d.hostile {
            toolResult(toolID, "hello-from-tool\n" + hostileText + "\nlast line", isError: false, useResult: .safe("hostile"),
                       meta: .o([("id", .s(toolID))]))
            return
        }
        let child = cfg.spawnChild ? spawnSleepChild() : nil
        crashIf(.tool)
        let interrupted: Bool
        if d.toolSleepMS > 0 {
            interrupted = sh.sleepInterruptible(d.toolSleepMS)
        } else {
            interrupted = sh.isInterrupted
        }
        if let child { ChildRegistry.shared.kill(child) }
        if interrupted { try abortTools(toolID, rejectedWhileRunning) }
        emit(userLine(
            .a([.o([("tool_use_id", .s(toolID)), ("type", .safe("tool_result")), ("content", .safe("hello-from-tool")), ("is_error", .b(false))])]),
            extra: [
                ("tool_use_result", .raw(#"{"stdout":"hello-from-tool","stderr":"","interrupted":false,"isImage":false,"noOutputExpected":false}"#)),
                ("tool_result_meta", .a([.o([("id", .s(toolID)), ("permission_decision", .raw(#"{"decision":"accept","source":"config","reason_type":"subcommandResults"}"#))])])),
            ]))
    }

    func abortTools(_ toolID: String, _ text: String) throws -> Never {
        ackInterrupts()
        emit(userLine(
            .a([.o([("type", .safe("tool_result")), ("content", .s(text)), ("is_error", .b(true)), ("tool_use_id", .s(toolID))])]),
            extra: [("tool_use_result", .safe("User rejected tool use")),
                    ("tool_result_meta", .a([.o([("id", .s(toolID)), ("non_execution_kind", .safe("user-rejected"))])]))]))
        emit(userLine(.a([.o([("type", .safe("text")), ("text", .safe("[Request interrupted by user for tool use]"))])])))
        throw TurnAbort.tools
    }

    func toolResult(_ toolID: String, _ content: String, isError: Bool, useResult: J, meta: J) {
        var block: [(String, J)] = [("tool_use_id", .s(toolID)), ("type", .safe("tool_result")), ("content", .s(content))]
        if isError { block.append(("is_error", .b(true))) }
        emit(userLine(.a([.o(block)]), extra: [("tool_use_result", useResult), ("tool_result_meta", .a([meta]))]))
    }

    func successfulToolResult(_ toolID: String, _ name: String, _ input: JSONValue, source: String) {
        let content: String
        let useResult: J
        switch name {
        case "Edit", "MultiEdit":
            content = applyFileEdit(input)
            useResult = .s(content)
        case "Write":
            let path = input["file_path"]?.stringValue ?? ""
            content = "File created successfully at: \(path) (file state is current in your context — no need to Read it back)"
            useResult = .o([("type", .safe("create")), ("filePath", .s(path)), ("content", .s(input["content"]?.stringValue ?? "")),
                            ("structuredPatch", .a([])), ("originalFile", .null), ("userModified", .b(false))])
        case "Bash":
            content = "fake-claude ran: \(input["command"]?.stringValue ?? "")"
            useResult = .o([("stdout", .s(content)), ("stderr", .safe("")), ("interrupted", .b(false)), ("isImage", .b(false)),
                            ("noOutputExpected", .b(false))])
        case "AskUserQuestion":
            let answers = input["answers"]?.objectValue ?? [:]
            content = "User has answered your questions: "
                + answers.keys.sorted().map { "\"\($0)\"=\"\(answers[$0]?.stringValue ?? "")\"" }.joined(separator: ", ")
                + ". You can now continue with the user's answers in mind."
            useResult = .o([("questions", J(input["questions"] ?? .array([]))), ("answers", J(input["answers"] ?? .object([:])))])
        default:
            content = "fake-claude: \(name) completed"
            useResult = .s(content)
        }
        toolResult(toolID, content, isError: false, useResult: useResult,
                   meta: .o([("id", .s(toolID)), ("permission_decision", .o([("decision", .safe("accept")), ("source", .s(source))]))]))
    }

    /// Asks (or auto-decides) permission for the tool; returns the second round's text.
    func permissionPhase(_ toolID: String, _ name: String, _ input: J) throws -> String {
        let inputValue = (try? JSONValue.parse(Data(input.text.utf8))) ?? .object([:])
        let (mode, rules) = sh.locked { (sh.permissionMode, sh.allowedRules) }
        let autoAllowed = rules.contains(name) || mode == "bypassPermissions"
            || (mode == "acceptEdits" && ["Write", "Edit", "MultiEdit", "NotebookEdit"].contains(name))
        let child = cfg.spawnChild ? spawnSleepChild() : nil
        defer { if let child { ChildRegistry.shared.kill(child) } }
        crashIf(.tool)
        if autoAllowed {
            successfulToolResult(toolID, name, inputValue, source: "config")
            return "Echo: allowed"
        }
        let denial = J.o([("tool_name", .s(name)), ("tool_use_id", .s(toolID)), ("tool_input", input)])
        if !cfg.stdioPermissions {
            let target = inputValue["file_path"]?.stringValue
            let message = target.map { "Claude requested permissions to write to \($0), but you haven't granted it yet." }
                ?? "Claude requested permissions to use \(name), but you haven't granted it yet."
            emit(system("permission_denied", [("tool_name", .s(name)), ("tool_use_id", .s(toolID)), ("message", .s(message))]))
            toolResult(toolID, message, isError: true, useResult: .s("Error: " + message),
                       meta: .o([("id", .s(toolID)), ("non_execution_kind", .safe("permission-rule"))]))
            denials.append(denial)
            return "Echo: denied"
        }

        let requestID = newUUID()
        var request: [(String, J)] = [
            ("subtype", .safe("can_use_tool")), ("tool_name", .s(name)), ("display_name", .s(d.hostile ? "Read" : name)),
            ("input", input),
        ]
        switch name {
        case "Write", "Edit", "MultiEdit":
            let path = inputValue["file_path"]?.stringValue ?? ""
            request.append(("description", .s((path as NSString).lastPathComponent)))
            request.append(("permission_suggestions", .raw(#"[{"type":"setMode","mode":"acceptEdits","destination":"session"}]"#)))
            request.append(("tool_use_id", .s(toolID)))
        case "Bash":
            let command = inputValue["command"]?.stringValue ?? ""
            request.append(("description", .s(inputValue["description"]?.stringValue ?? "")))
            request.append(("decision_reason", d.hostile ? .s(hostilePermissionReason) : .safe("This command requires approval")))
            request.append(("decision_reason_type", .safe("other")))
            request.append(("permission_suggestions", .a([.o([
                ("type", .safe("addRules")), ("rules", .a([.o([("toolName", .safe("Bash")), ("ruleContent", .s(command))])])),
                ("behavior", .safe("allow")), ("destination", .safe("localSettings")),
            ])])))
            request.append(("tool_use_id", .s(toolID)))
        case "AskUserQuestion":
            request.append(("tool_use_id", .s(toolID)))
            request.append(("requires_user_interaction", .b(true)))
        default:
            request.append(("tool_use_id", .s(toolID)))
        }
        sessionState("requires_action")
        sh.expectPermission(requestID)
        emit(.o([("type", .safe("control_request")), ("request_id", .s(requestID)), ("request", .o(request))]))
        let outcome = sh.waitPermission()
        sessionState("running")
        switch outcome {
        case .interrupted:
            emit(.o([("type", .safe("control_cancel_request")), ("request_id", .s(requestID))]))
            try abortTools(toolID, rejectedBeforeRunning)
        case .eof:
            let message = "Tool permission request failed: AbortError: The operation was aborted."
            toolResult(toolID, message, isError: true, useResult: .s("Error: " + message),
                       meta: .o([("id", .s(toolID)), ("non_execution_kind", .safe("permission-error"))]))
            return "Echo: permission aborted"
        case .error(let error):
            let message = "Tool permission request failed: Error: \(error)"
            toolResult(toolID, message, isError: true, useResult: .s("Error: " + message),
                       meta: .o([("id", .s(toolID)), ("non_execution_kind", .safe("permission-error"))]))
            return "Echo: permission error"
        case .response(let response):
            if response["behavior"]?.stringValue == "allow" {
                let updated = response["updatedInput"].flatMap { $0.isNull ? nil : $0 } ?? inputValue
                applyPermissionUpdates(response["updatedPermissions"]?.arrayValue ?? [])
                successfulToolResult(toolID, name, updated, source: "user_temporary")
                return "Echo: allowed"
            }
            denials.append(denial)
            if response["interrupt"]?.boolValue == true {
                sh.locked { sh.interruptRequested = true }
                try abortTools(toolID, rejectedBeforeRunning)
            }
            let message = response["message"]?.stringValue ?? "Permission denied"
            toolResult(toolID, message, isError: true, useResult: .s("Error: " + message),
                       meta: .o([("id", .s(toolID)), ("non_execution_kind", .safe("permission-rule")),
                                 ("permission_decision", .raw(#"{"decision":"reject","source":"user_reject"}"#))]))
            return "Echo: denied"
        }
    }

    func applyPermissionUpdates(_ updates: [JSONValue]) {
        for update in updates {
            switch update["type"]?.stringValue {
            case "addRules":
                let names = (update["rules"]?.arrayValue ?? []).compactMap { $0["toolName"]?.stringValue }
                sh.locked { for n in names { sh.allowedRules.insert(n) } }
            case "setMode":
                if let mode = update["mode"]?.stringValue, validPermissionModes.contains(mode) {
                    sh.locked { sh.permissionMode = mode }
                    emit(.o([("type", .safe("system")), ("subtype", .safe("status")), ("status", .null), ("permissionMode", .s(mode)),
                             ("uuid", .safe(newUUID())), ("session_id", .s(sid))]))
                }
            default: break
            }
        }
    }

    // MARK: other turn kinds

    func tinyLines() {
        let perBatch = 100
        let batchMS = d.tinyRate > 0 ? Double(perBatch) * 1000 / Double(d.tinyRate) : 0
        var next = monotonicMS()
        for k in 0..<d.tinyLines {
            out.emit(Array("{\"type\":\"fake_tiny\",\"i\":\(k)}\n".utf8))
            if batchMS > 0 && k % perBatch == perBatch - 1 {
                next += batchMS
                let wait = next - monotonicMS()
                if wait > 0 { usleep(useconds_t(wait * 1000)) }
            }
        }
    }

    /// An API error turn; `text` replaces the error text (and means no retries).
    func apiError(_ status: Int, text override: String? = nil) {
        if cfg.partial { emit(system("status", [("status", .safe("requesting"))])) }
        let (retryKind, assistantError, errorType): (String, String, String)
        switch status {
        case 529: (retryKind, assistantError, errorType) = ("overloaded", "server_error", "overloaded_error")
        case 500, 502, 503, 504: (retryKind, assistantError, errorType) = ("server_error", "server_error", "api_error")
        case 429: (retryKind, assistantError, errorType) = ("rate_limit", "rate_limit", "rate_limit_error")
        case 401: (retryKind, assistantError, errorType) = ("authentication_failed", "authentication_failed", "authentication_error")
        case 404: (retryKind, assistantError, errorType) = ("unknown", "model_not_found", "not_found_error")
        case 400: (retryKind, assistantError, errorType) = ("unknown", "unknown", "invalid_request_error")
        default: (retryKind, assistantError, errorType) = ("unknown", "unknown", "api_error")
        }
        let retryable = [401, 408, 429, 500, 502, 503, 504, 529].contains(status)
        if retryable && override == nil {
            for attempt in 0..<cfg.maxRetries {
                emit(system("api_retry", [
                    ("attempt", .i(attempt + 1)), ("max_retries", .i(cfg.maxRetries)),
                    ("retry_delay_ms", .i(600 * (1 << min(attempt, 6)))), ("error_status", .i(status)), ("error", .safe(retryKind)),
                ]))
            }
        }
        var text = "API Error: \(status) fake \(errorType) (HTTP \(status))"
        if status >= 500 { text += ". This is a server-side issue, usually temporary — try again in a moment." }
        if d.hostile { text += " " + hostileText }
        if let override { text = override }
        emit(.o([
            ("type", .safe("assistant")),
            ("message", .o([
                ("diagnostics", .null), ("id", .safe(newUUID())), ("container", .null), ("model", .safe("<synthetic>")),
                ("role", .safe("assistant")), ("stop_details", .null), ("stop_reason", .safe("stop_sequence")), ("stop_sequence", .safe("")),
                ("type", .safe("message")),
                ("usage", .raw(#"{"output_tokens_details":null,"input_tokens":0,"output_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"server_tool_use":{"web_search_requests":0,"web_fetch_requests":0},"service_tier":null,"cache_creation":{"ephemeral_1h_input_tokens":0,"ephemeral_5m_input_tokens":0},"inference_geo":null,"iterations":null,"speed":null,"fallback_credit":null}"#)),
                ("content", .a([.o([("type", .safe("text")), ("text", .s(text))])])), ("context_management", .null),
            ])),
            ("parent_tool_use_id", .null), ("session_id", .s(sid)), ("uuid", .safe(newUUID())), ("timestamp", .safe(isoTimestamp())),
            ("error", .s(assistantError)), ("request_id", .s("req_fake_\(sh.nextCounter())")), ("is_api_error_message", .b(true)),
            ("api_error_status", .i(status)), ("api_error_type", .s(errorType)),
        ]))
        rounds = 1
        lastStopReason = "stop_sequence"
        emitResult(subtype: "success", isError: true, terminal: "api_error", stopReason: "stop_sequence", numTurns: 1,
                   resultText: text, safe: false, errors: nil, apiStatus: .i(status), apiType: errorType)
    }

    func localCommand(_ command: String) {
        let name = String(command.dropFirst())
        switch name {
        case "compact":
            emit(system("status", [("status", .safe("compacting"))]))
            emit(system("status", [("status", .null), ("compact_result", .safe("success"))]))
            emit(system("compact_boundary", [("compact_metadata", .raw(#"{"trigger":"manual","pre_tokens":12,"post_tokens":2548,"cumulative_dropped_tokens":0,"duration_ms":46}"#))]))
            emit(userLine(.s("This session is being continued from a previous conversation that ran out of context. The summary below covers the earlier portion of the conversation."),
                          extra: [("isReplay", .b(false)), ("isSynthetic", .b(true))]))
            emit(userLine(.safe("<local-command-stdout>Compacted </local-command-stdout>"), extra: [("isReplay", .b(true))]))
        default:
            let total = sh.locked { sh.totalCost }
            let text = name == "cost"
                ? "Total cost:            $\(String(format: "%.4f", total))\nTotal duration (API):  0s\nTotal duration (wall): 0s"
                : "Context Usage\n\(model) · 2.5k/1000k tokens (0%)"
            emit(assistant("msg_fake_\(sh.nextCounter())", .o([("type", .safe("text")), ("text", .s(text))])))
        }
        emitResult(subtype: "success", isError: false, terminal: nil, stopReason: nil, numTurns: 0, resultText: "",
                   safe: false, errors: nil, apiStatus: nil, apiType: nil, localCommand: name)
    }

    func clearCommand(_ batch: [UserMessage]) {
        let newID = newUUID()
        emit(.o([("type", .safe("conversation_reset")), ("new_conversation_id", .s(newID)), ("uuid", .s(newID)), ("trigger", .safe("clear")),
                 ("timestamp", .safe(isoTimestamp())), ("session_id", .s(sid))]))
        sh.locked {
            sh.sessionID = newID
            sh.history = []
            sh.totalCost = 0
        }
        sid = newID
        writeLastSession(cfg, newID)
        emit(initLine(historyTurns: 0))
        emitResult(subtype: "success", isError: false, terminal: nil, stopReason: nil, numTurns: 0, resultText: "",
                   safe: false, errors: nil, apiStatus: nil, apiType: nil, localCommand: "clear")
    }

    // MARK: results

    func successResult(_ text: String, safe: Bool) {
        emitResult(subtype: "success", isError: false, terminal: "completed", stopReason: lastStopReason ?? "end_turn",
                   numTurns: rounds, resultText: text, safe: safe, errors: nil, apiStatus: .null, apiType: nil)
    }

    func errorResult(terminal: String, stopReason: String?, numTurns: Int, subtype: String = "error_during_execution", errors: [String]? = nil) {
        let errs = errors ?? ["[ede_diagnostic] result_type=user last_content_type=n/a stop_reason=\(stopReason ?? "null")"]
        emitResult(subtype: subtype, isError: true, terminal: terminal, stopReason: stopReason, numTurns: numTurns,
                   resultText: nil, safe: false, errors: errs, apiStatus: nil, apiType: nil)
    }

    func usage(_ input: Int, _ output: Int) -> J {
        .raw(#"{"input_tokens":\#(input),"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":\#(output),"output_tokens_details":{"thinking_tokens":0},"server_tool_use":{"web_search_requests":0,"web_fetch_requests":0},"service_tier":"standard","cache_creation":{"ephemeral_1h_input_tokens":0,"ephemeral_5m_input_tokens":0},"inference_geo":"","iterations":[],"speed":"standard","fallback_credit":null}"#)
    }

    func modelUsage(_ model: String, _ input: Int, _ output: Int, _ cost: Double) -> J {
        .o([(model, .o([
            ("inputTokens", .i(input)), ("outputTokens", .i(output)), ("cacheReadInputTokens", .i(0)),
            ("cacheCreationInputTokens", .i(0)), ("webSearchRequests", .i(0)), ("costUSD", .d(cost)),
            ("contextWindow", .i(1_000_000)), ("maxOutputTokens", .i(128_000)), ("thinkingTokens", .i(0)),
            ("cacheCreationEphemeral5mInputTokens", .i(0)), ("cacheCreationEphemeral1hInputTokens", .i(0)),
            ("canonicalModel", .s(model)), ("provider", .safe("firstParty")), ("costBasis", .safe("list")),
        ]))])
    }

    func emitResult(subtype: String, isError: Bool, terminal: String?, stopReason: String?, numTurns: Int,
                    resultText: String?, safe: Bool, errors: [String]?, apiStatus: J?, apiType: String?,
                    localCommand: String? = nil) {
        let durationMS = Int(monotonicMS() - startMS)
        let apiMS = max(0, Int((monotonicMS() - (firstContentMS ?? monotonicMS()))) + (rounds > 0 ? 1 : 0))
        let model = self.model
        let (total, totalAPI, sessIn, sessOut, index) = sh.locked { () -> (Double, Int, Int, Int, Int) in
            sh.totalCost += turnCost
            sh.totalAPIms += apiMS
            sh.sessionInputTokens += inTokens
            sh.sessionOutputTokens += outTokens
            let index = sh.resultCount
            sh.resultCount += 1
            sh.lastResultIsError = isError
            return (sh.totalCost, sh.totalAPIms, sh.sessionInputTokens, sh.sessionOutputTokens, index)
        }
        var f: [(String, J)] = []
        if localCommand != nil { f.append(("is_error", .b(isError))) }
        f += [
            ("duration_api_ms", .i(totalAPI)),
        ]
        if localCommand != nil { f.append(("num_turns", .i(numTurns))) }
        f += [
            ("stop_reason", .str(stopReason)),
            ("session_id", .s(sid)),
            ("total_cost_usd", .d(total)),
            ("usage", usage(inTokens, outTokens)),
            ("modelUsage", modelUsage(model, sessIn, sessOut, total)),
            ("permission_denials", .a(denials)),
        ]
        if let terminal { f.append(("terminal_reason", .s(terminal))) }
        f += [
            ("fast_mode_state", .safe("off")), ("fast_mode_disabled_reason", .safe("sdk_opt_in_required")),
            ("subagent_stats", .raw(#"{"spawned":0,"requested":{"background":0,"foreground":0,"unset":0},"started_in_background":0,"max_depth":0,"spawned_by_subagents":0,"completed":0,"failed":0,"killed":{"parent":0,"user":0,"system":0},"refused":{"depth_limit":0,"concurrency_limit":0,"budget":0},"by_type":{}}"#)),
            ("safety_stops", .i(0)),
        ]
        if localCommand == nil {
            f.append(("is_error", .b(isError)))
            f.append(("num_turns", .i(numTurns)))
        }
        f.append(("subtype", .s(subtype)))
        if let apiStatus { f.append(("api_error_status", apiStatus)) }
        if let apiType { f.append(("api_error_type", .s(apiType))) }
        if let resultText { f.append(("result", safe ? .safe(resultText) : .s(resultText))) }
        if let errors { f.append(("errors", .a(errors.map(J.s)))) }
        if let localCommand { f.append(("local_command", .s(localCommand))) }
        let ttft = firstContentMS.map { Int($0 - startMS) }
        if terminal == "completed", let ttft { f.append(("ttft_ms", .i(ttft))) }
        f += [("type", .safe("result")), ("duration_ms", .i(durationMS)), ("uuid", .safe(newUUID()))]
        if cfg.partial && terminal != "aborted_tools" && terminal != "max_turns" && localCommand == nil {
            f.append(("begun_message_ids", .a(begun.map(J.s))))
        }
        if terminal == "completed", let ttft {
            f += [("ttft_stream_ms", .i(ttft)), ("time_to_request_ms", .i(max(0, ttft - 1))), ("first_content_frame_ms", .i(ttft))]
        }
        if let first = uuids.first {
            f += [("user_message_uuid", .s(first)), ("user_message_uuids", .a(uuids.map(J.s)))]
        }
        f += [
            ("queued_turn_count", .i(sh.locked { sh.queue.count })),
            ("result_index", .i(index)),
            ("model_usage_since_last_result", modelUsage(model, inTokens, outTokens, turnCost)),
        ]
        emit(.o(f))
    }

    /// `fc:strayresult`: a finished-looking `result` that belongs to another message (its
    /// `user_message_uuid(s)` name a uuid never sent), before this turn's own output.
    func strayResult() {
        let other = newUUID()
        emit(.o([
            ("type", .safe("result")), ("subtype", .safe("success")), ("is_error", .b(false)),
            ("result", .safe("stray result")), ("num_turns", .i(1)), ("duration_ms", .i(0)), ("session_id", .s(sid)),
            ("total_cost_usd", .i(0)), ("uuid", .safe(newUUID())),
            ("user_message_uuid", .s(other)), ("user_message_uuids", .a([.s(other)])),
        ]))
    }

    // MARK: init and history

    func initLine(historyTurns: Int) -> J {
        let (storedModel, mode) = sh.locked { (sh.model, sh.permissionMode) }
        let model = d.hostile ? storedModel + hostileText : storedModel
        return .o([
            ("type", .safe("system")), ("subtype", .safe("init")), ("cwd", .s(cfg.cwd)), ("session_id", .s(sid)),
            ("tools", .raw(staticInit.tools)), ("mcp_servers", .a([])), ("model", .s(model)), ("permissionMode", .s(mode)),
            ("slash_commands", .raw(staticInit.slashCommands)),
            ("terminal_slash_commands", .raw(#"["doctor","color","focus","reload-plugins"]"#)),
            ("apiKeySource", .safe(staticInit.apiKeySource)), ("claude_code_version", .safe(fakeVersion)),
            ("output_style", .safe("default")),
            ("agents", .raw(#"["claude","Explore","general-purpose","Plan","statusline-setup"]"#)),
            ("skills", .raw(#"["debug","code-review","simplify","verify"]"#)),
            ("plugins", .a([])),
            ("capabilities", .raw(#"["interrupt_receipt_v1","interrupt_cancel_queued_v1","interrupt_send_now_v1","msg_lifecycle_v1","request_marker_lists_v1"]"#)),
            ("analytics_disabled", .b(true)), ("product_feedback_disabled", .b(true)), ("served_by_anthropic", .b(false)),
            ("uuid", .safe(newUUID())), ("sandbox_enabled", .b(false)),
            ("original_cwd", .s(cfg.cwd)), ("additional_directories", .a([])),
            ("fast_mode_state", .safe("off")), ("fast_mode_disabled_reason", .safe("sdk_opt_in_required")),
            ("view_mode", .safe("default")),
            ("fake_history_turns", .i(historyTurns)),
        ])
    }

    lazy var staticInit: (tools: String, slashCommands: String, apiKeySource: String) = {
        let tools = J.a(toolList(cfg).map(J.s)).text
        let commands = J.a(["debug", "code-review", "simplify", "verify", "clear", "compact", "context", "cost", "init",
                            "model", "review", "security-review", "usage"].map(J.s)).text
        let key = ProcessInfo.processInfo.environment["ANTHROPIC_API_KEY"] != nil ? "ANTHROPIC_API_KEY" : "none"
        return (tools, commands, key)
    }()

    func appendHistory(_ prompt: String) {
        let id = sh.locked { () -> String in
            sh.history.append(prompt)
            return sh.sessionID
        }
        guard let path = historyPath(cfg, id) else { return }
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        writeAll(fd, Array((jsonString(prompt) + "\n").utf8))
        close(fd)
    }
}

extension Output {
    /// A crash: exit without reaping tool children (they are orphaned, like the real CLI's after SIGKILL).
    func exitHoldingLockNoReap(_ code: Int32) -> Never {
        Recorder.shared.record(.o([("event", .safe("exit")), ("code", .i(Int(code))), ("crash", .b(true))]))
        _exit(code)
    }
}

// MARK: - session files

func historyPath(_ cfg: Config, _ sessionID: String) -> String? {
    guard let dir = cfg.stateDir else { return nil }
    return dir + "/sessions/" + sessionID + ".history"
}

func loadHistory(_ cfg: Config, _ sessionID: String) -> [String]? {
    guard let path = historyPath(cfg, sessionID), let data = FileManager.default.contents(atPath: path) else { return nil }
    var prompts: [String] = []
    for line in data.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
        if case .string(let s)? = try? JSONValue.parse(Data(line)) { prompts.append(s) }
    }
    return prompts
}

func lastSessionPath(_ cfg: Config) -> String? {
    guard let dir = cfg.stateDir else { return nil }
    let key = String(cfg.cwd.map { $0.isLetter || $0.isNumber ? $0 : "-" })
    return dir + "/last-session" + key
}

func writeLastSession(_ cfg: Config, _ sessionID: String) {
    guard let path = lastSessionPath(cfg) else { return }
    try? sessionID.write(toFile: path, atomically: true, encoding: .utf8)
}
