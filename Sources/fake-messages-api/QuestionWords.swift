import Foundation

/// The words that make the model ask the user: `mock-ask` (one question), `mock-ask-multi` (two
/// questions, the second multiSelect) and `mock-plan` (in plan mode: write the plan file, then call
/// ExitPlanMode), and what the request says about the tool results the CLI sent back.
extension Behaviour {
    /// The AskUserQuestion input of `mock-ask` (as in capture 23) or `mock-ask-multi`.
    static func askInput(multi: Bool) -> [String: Any] {
        let color: [String: Any] = [
            "question": "Which color do you prefer?", "header": "Color", "multiSelect": false,
            "options": [["label": "Red", "description": "warm"], ["label": "Blue", "description": "cool"]]
                + (multi ? [["label": "Green", "description": "calm"]] : []),
        ]
        let sizes: [String: Any] = [
            "question": "Which sizes do you need?", "header": "Sizes", "multiSelect": true,
            "options": [["label": "Small", "description": "up to 10 items"], ["label": "Medium", "description": "up to 100"],
                        ["label": "Large", "description": "more"]],
        ]
        return ["questions": multi ? [color, sizes] : [color]]
    }

    /// The plan `mock-plan` writes (Markdown).
    static let planText = "# Plan: greet the user\n\n1. Read `main.swift`\n2. **Add** the greeting\n3. Run the tests\n"

    /// The tool call of `mock-plan`: a Write of the plan to the plan file the CLI named in its
    /// plan-mode reminder; outside plan mode (no plan file named) an ExitPlanMode with the plan.
    static func planTool(_ r: MessagesRequest) -> (name: String, input: String) {
        guard let path = r.planFilePath else { return ("ExitPlanMode", JSON.string(["plan": planText])) }
        return ("Write", JSON.string(["file_path": path, "content": planText], sorted: true))
    }

    /// After `mock-plan`'s Write of the plan file came back: the ExitPlanMode call (no argument:
    /// the CLI reads the plan from the file and sends it with the permission question).
    func exitPlanModeAfterPlanWrite(_ r: MessagesRequest, n: Int) -> Plan? {
        guard r.afterToolResult, r.lastUserText.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty,
              r.lastToolUse?.name == "Write", (r.lastToolUse?.filePath ?? "").contains("/.claude/plans/") else { return nil }
        var p = Plan(chunk: options.chunkSize, label: "mock-plan ExitPlanMode")
        p.blocks = [.text("The plan is ready."), .toolUse(id: toolID(n), name: "ExitPlanMode", input: "{}")]
        p.stopReason = "tool_use"
        return p
    }
}

extension MessagesRequest {
    /// The plan file the CLI's plan-mode reminder names (`…/.claude/plans/<slug>.md`), if any.
    static func planFilePath(in messages: [Any]) -> String? {
        guard let data = try? JSONSerialization.data(withJSONObject: messages),
              let text = String(data: data, encoding: .utf8)?.replacingOccurrences(of: "\\/", with: "/"),
              let marker = text.range(of: "/.claude/plans/") else { return nil }
        let stops: Set<Character> = [" ", "\"", "\\", "\n", "`", "'"]
        let start = text[..<marker.lowerBound].lastIndex(where: { stops.contains($0) }).map { text.index(after: $0) } ?? text.startIndex
        guard let end = text[marker.upperBound...].range(of: ".md")?.upperBound else { return nil }
        let path = String(text[start..<end])
        return path.contains(where: { stops.contains($0) }) ? nil : path
    }

    /// The tool_result blocks of the last user message: `tool_use_id`, `is_error`, `content` (its text).
    static func toolResults(in message: [String: Any]) -> [[String: Any]] {
        (message["content"] as? [Any] ?? []).compactMap { $0 as? [String: Any] }.filter { $0["type"] as? String == "tool_result" }.map { block in
            let content = block["content"] as? String ?? text(of: block["content"], skipReminders: false)
            return ["tool_use_id": block["tool_use_id"] as? String ?? "", "is_error": block["is_error"] as? Bool ?? false, "content": content]
        }
    }

    /// The last tool_use block of the last assistant message: its name and `file_path`.
    static func lastToolUse(in messages: [Any]) -> (name: String, filePath: String?)? {
        for m in messages.reversed() {
            guard let m = m as? [String: Any], m["role"] as? String == "assistant" else { continue }
            let uses = (m["content"] as? [Any] ?? []).compactMap { $0 as? [String: Any] }.filter { $0["type"] as? String == "tool_use" }
            guard let use = uses.last else { return nil }
            return (use["name"] as? String ?? "", (use["input"] as? [String: Any])?["file_path"] as? String)
        }
        return nil
    }
}
