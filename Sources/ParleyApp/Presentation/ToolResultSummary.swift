/// One-line summaries of the results of tools whose output a reader does not need line by
/// line: `Read 120 lines`, `Found 3 files`, `Fetched 12 lines`, instead of the file's text or
/// the CLI's own wording.
enum ToolResultSummary {
    /// The summary of a successful result of `tool`, or `nil` to show the output itself (another
    /// tool, or an output this does not recognise, such as an image).
    static func summary(of content: String, tool: String) -> String? {
        switch tool {
        case "Read":
            // The CLI numbers each line of the file: `     7→text` or `7<tab>text`; a file that ends
            // with a newline gets an empty last numbered line, which is not a line of the file.
            let numbered = content.split(separator: "\n").compactMap(numberedLineText)
            let count = numbered.count - (numbered.count > 1 && numbered.last?.isEmpty == true ? 1 : 0)
            return numbered.isEmpty ? nil : "Read " + counted(count, "line")
        case "Grep":
            let lines = lines(of: content)
            guard let first = lines.first else { return "No matches found" }
            if first.hasPrefix("Found ") || first.hasPrefix("No ") { return String(first) }
            return "Found " + counted(lines.count, "line")
        case "Glob":
            let files = lines(of: content).filter { !$0.hasPrefix("(Results are truncated") }
            if files.isEmpty || files.first?.hasPrefix("No files found") == true { return "No files found" }
            return "Found " + counted(files.count, "file")
        case "WebFetch":
            return "Fetched " + counted(lines(of: content).count, "line")
        case "Task", "Agent":
            // A backgrounded subagent: the result is only the CLI's instructions to the model.
            return content.hasPrefix("Async agent launched") ? "Working in the background" : nil
        default:
            return nil
        }
    }

    /// Whether `tool` runs a subagent.
    static func isSubagent(_ tool: String) -> Bool { tool == "Task" || tool == "Agent" }

    /// A subagent's report without what the CLI adds for the model: the `[Subagent hand-back]`
    /// marker, `agentId: …`, the advice to `use SendMessage…`, the transcript file and usage lines.
    static func withoutSubagentInternals(_ content: String) -> String {
        let internals = ["[Subagent hand-back]", "agentId:", "output_file:", "Do NOT Read or tail", "<usage>", "</usage>",
                         "total_tokens:", "tool_uses:", "duration_ms:"]
        return content.split(separator: "\n", omittingEmptySubsequences: false).filter { line in
            let trimmed = line.drop(while: \.isWhitespace)
            return !internals.contains { trimmed.hasPrefix($0) } && !trimmed.contains("SendMessage")
        }.joined(separator: "\n")
    }

    private static func lines(of content: String) -> [Substring] {
        content.split(separator: "\n").filter { !$0.allSatisfy(\.isWhitespace) }
    }

    /// The text of a line numbered by the CLI, or `nil` for another line.
    private static func numberedLineText(_ line: Substring) -> Substring? {
        let rest = line.drop(while: { $0 == " " })
        let digits = rest.prefix(while: \.isASCIIDigitCharacter)
        let after = rest.dropFirst(digits.count)
        guard !digits.isEmpty, let separator = after.first, separator == "→" || separator == "\t" else { return nil }
        return after.dropFirst()
    }

    static func counted(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }
}

extension Character {
    fileprivate var isASCIIDigitCharacter: Bool { isASCII && isNumber }
}
