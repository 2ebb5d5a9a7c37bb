/// One-line summaries of the results of tools whose output a reader does not need line by
/// line: `Read 120 lines`, `Found 3 files`, `Fetched 12 lines`, instead of the file's text or
/// the CLI's own wording.
enum ToolResultSummary {
    /// The summary of a successful result of `tool`, or `nil` to show the output itself (another
    /// tool, or an output this does not recognise, such as an image).
    static func summary(of content: String, tool: String) -> String? {
        switch tool {
        case "Read":
            // The CLI numbers each line of the file: `     7→text` (or a tab after the number).
            let count = lines(of: content).count(where: isNumberedLine)
            return count == 0 ? nil : "Read " + counted(count, "line")
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
        default:
            return nil
        }
    }

    private static func lines(of content: String) -> [Substring] {
        content.split(separator: "\n").filter { !$0.allSatisfy(\.isWhitespace) }
    }

    private static func isNumberedLine(_ line: Substring) -> Bool {
        let rest = line.drop(while: { $0 == " " })
        let digits = rest.prefix(while: \.isASCIIDigitCharacter)
        guard !digits.isEmpty, let next = rest.dropFirst(digits.count).first else { return false }
        return next == "→" || next == "\t"
    }

    static func counted(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }
}

extension Character {
    fileprivate var isASCIIDigitCharacter: Bool { isASCII && isNumber }
}
