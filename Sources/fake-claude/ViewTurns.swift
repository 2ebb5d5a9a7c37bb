import Foundation
import StreamJSON

/// Turns for the transcript views (issue 14): file edits that change a real file, and parallel
/// tool calls whose results come back after all the calls.
extension TurnRunner {
    /// The file that `fc:permission=Edit` and `fc:permission=MultiEdit` change.
    var editedFilePath: String { cfg.cwd + "/fake_edit.txt" }

    /// Edit: `beta` → `BETA` + a new line; MultiEdit: `alpha` → `ALPHA` and `gamma` → `GAMMA`.
    func fileEditInput(_ name: String) -> J {
        if name == "MultiEdit" {
            return .o([("file_path", .s(editedFilePath)), ("edits", .a([
                .o([("old_string", .safe("alpha")), ("new_string", .safe("ALPHA"))]),
                .o([("old_string", .safe("gamma")), ("new_string", .safe("GAMMA")), ("replace_all", .b(false))]),
            ]))])
        }
        return .o([("file_path", .s(editedFilePath)), ("old_string", .safe("beta")), ("new_string", .s("BETA\nbeta two"))])
    }

    /// Makes an Edit's or MultiEdit's replacements in the file (when it exists) and returns the
    /// CLI's wording of the result.
    func applyFileEdit(_ input: JSONValue) -> String {
        let path = input["file_path"]?.stringValue ?? ""
        let edits = input["edits"]?.arrayValue ?? [input]
        if var text = try? String(contentsOfFile: path, encoding: .utf8) {
            for edit in edits {
                guard let old = edit["old_string"]?.stringValue, let new = edit["new_string"]?.stringValue,
                      let range = text.range(of: old) else { continue }
                text.replaceSubrange(range, with: new)
            }
            try? text.write(toFile: path, atomically: false, encoding: .utf8)
        }
        return "The file \(path) has been updated. Here's the result of running `cat -n` on a snippet of the edited file:\n     1→…"
    }

    /// `fc:parallel`: `Bash(echo one)`, `Bash(echo two)` and `Read(<cwd>/fake_notes.txt)` in one
    /// message, then the results in the order Read, one, two, then the reply.
    func parallelTurn(finalText: String) throws {
        let msgID = try messageStart()
        try textBlock(0, "Running three tools.", msgID, safe: false)
        let base = "toolu_fake_\(sh.nextCounter())"
        let calls: [(String, String, J)] = [
            (base + "_1", "Bash", .o([("command", .safe("echo one")), ("description", .safe("one"))])),
            (base + "_2", "Bash", .o([("command", .safe("echo two")), ("description", .safe("two"))])),
            (base + "_3", "Read", .o([("file_path", .s(cfg.cwd + "/fake_notes.txt"))])),
        ]
        for (index, call) in calls.enumerated() { toolUseBlock(index + 1, msgID, call.0, call.1, call.2) }
        messageEnd(msgID, "tool_use")
        let numbered = (1...12).map { String(format: "%6d→note %d", $0, $0) }.joined(separator: "\n")
        toolResult(calls[2].0, numbered, isError: false, useResult: .safe("read"), meta: .o([("id", .s(calls[2].0))]))
        toolResult(calls[0].0, "one", isError: false, useResult: .safe("one"), meta: .o([("id", .s(calls[0].0))]))
        toolResult(calls[1].0, "two", isError: false, useResult: .safe("two"), meta: .o([("id", .s(calls[1].0))]))
        let msg2 = try messageStart()
        try textBlock(0, finalText, msg2, safe: false)
        messageEnd(msg2, "end_turn")
        successResult(finalText, safe: false)
    }

    /// `fc:subagent`: a Task call whose subagent runs in the background, as the real CLI (2.1.331)
    /// reports it: `task_started`, the "Async agent launched" result (agentId, SendMessage advice),
    /// the subagent's text, Bash call and result (with `parent_tool_use_id`), `task_updated`,
    /// `task_notification`, then the reply.
    func subagentTurn(finalText: String) throws {
        let msgID = try messageStart()
        try textBlock(0, "Asking a subagent.", msgID, safe: false)
        let taskID = "toolu_fake_\(sh.nextCounter())"
        let agentID = "a\(sh.nextCounter())fake"
        toolUseBlock(1, msgID, taskID, "Task", .o([("description", .safe("run a tool")), ("prompt", .safe("please use a tool")),
                                                   ("subagent_type", .safe("general-purpose"))]))
        messageEnd(msgID, "tool_use")
        emit(system("task_started", [("task_id", .s(agentID)), ("tool_use_id", .s(taskID)), ("description", .safe("run a tool")),
                                     ("subagent_type", .safe("general-purpose")), ("task_type", .safe("local_agent"))]))
        let launched = "Async agent launched successfully. (This tool result is internal metadata.)\nagentId: \(agentID) (internal ID - "
            + "do not mention to user. Use SendMessage with to: '\(agentID)' to continue this agent.)\nThe agent is working in the background."
        toolResult(taskID, launched, isError: false, useResult: .o([("isAsync", .b(true)), ("agentId", .s(agentID))]),
                   meta: .o([("id", .s(taskID))]))
        let bashID = "toolu_fake_\(sh.nextCounter())"
        let subMsg = "msg_fake_sub_\(sh.nextCounter())"
        emit(withParent(assistant(subMsg, .o([("type", .safe("text")), ("text", .safe("Let me run a command."))])), taskID))
        emit(withParent(assistant(subMsg, .o([("type", .safe("tool_use")), ("id", .s(bashID)), ("name", .safe("Bash")),
                                             ("input", .o([("command", .safe("echo hello-from-tool")), ("description", .safe("say hello"))]))])),
                        taskID))
        emit(withParent(userLine(.a([.o([("tool_use_id", .s(bashID)), ("type", .safe("tool_result")),
                                          ("content", .safe("hello-from-tool")), ("is_error", .b(false))])])), taskID))
        emit(system("task_updated", [("task_id", .s(agentID)), ("patch", .o([("status", .safe("completed"))]))]))
        emit(system("task_notification", [("task_id", .s(agentID)), ("tool_use_id", .s(taskID)), ("status", .safe("completed")),
                                          ("summary", .safe("Echo: "))]))
        let msg2 = try messageStart()
        try textBlock(0, finalText, msg2, safe: false)
        messageEnd(msg2, "end_turn")
        successResult(finalText, safe: false)
    }

    /// A line with its `parent_tool_use_id` set.
    func withParent(_ line: J, _ parent: String) -> J {
        guard case .o(let fields) = line else { return line }
        return .o(fields.map { $0.0 == "parent_tool_use_id" ? ($0.0, .s(parent)) : $0 })
    }
}
