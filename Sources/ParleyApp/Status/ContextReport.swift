import AgentSession
import Foundation
import StreamJSON
import Terminal

/// How full the conversation's context is, as `/context` and the status row show it, from the
/// CLI's `get_context_usage` answer (``ContextUsage``).
enum ContextReport {
    /// Past this share of the window Parley warns, once per conversation.
    static let warningPercentage = 80.0

    /// The share of the window in use, in percent (the CLI's own figure when it gives one).
    static func percentage(of usage: ContextUsage) -> Double {
        usage.percentage ?? (usage.maxTokens > 0 ? Double(usage.totalTokens) * 100 / Double(usage.maxTokens) : 0)
    }

    /// `context 45,000 / 200,000 tokens (23%)`, then one aligned line per category.
    static func lines(for usage: ContextUsage) -> [StyledText] {
        let percent = percentage(of: usage)
        var lines = [StyledText("context \(count(usage.totalTokens)) / \(count(usage.maxTokens)) tokens (\(rounded(percent)))",
                                percent >= warningPercentage ? .color(.yellow) : .plain)]
        let nameWidth = usage.categories.map { displayWidth(of: $0.name) }.max() ?? 0
        let countWidth = usage.categories.map { count($0.tokens).count }.max() ?? 0
        for category in usage.categories {
            let name = category.name + String(repeating: " ", count: max(0, nameWidth - displayWidth(of: category.name)))
            let tokens = count(category.tokens)
            let share = usage.maxTokens > 0 ? Double(category.tokens) * 100 / Double(usage.maxTokens) : 0
            lines.append(StyledText("  \(name)  " + String(repeating: " ", count: countWidth - tokens.count) + tokens
                                    + "  " + rounded(share), category.kind == "free" ? .dim : .plain))
        }
        return lines
    }

    /// The warning said once when the context passes ``warningPercentage``.
    static func warning(for usage: ContextUsage) -> String {
        "⚠ context \(rounded(percentage(of: usage))) full: claude compacts it soon; /compact now, or /new to start afresh"
    }

    /// The `context_usage` object of `--output-format json`.
    static func fields(for usage: ContextUsage) -> [String: JSONValue] {
        [
            "total_tokens": .number(Double(usage.totalTokens)), "max_tokens": .number(Double(usage.maxTokens)),
            "percentage": .number(percentage(of: usage)),
            "categories": .array(usage.categories.map { category in
                .object(["name": .string(category.name), "tokens": .number(Double(category.tokens)),
                         "kind": category.kind.map(JSONValue.string) ?? .null])
            }),
        ]
    }

    /// `45,000`.
    static func count(_ value: Int) -> String {
        let digits = Array(String(abs(value)))
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { grouped += "," }
            grouped.append(digit)
        }
        return (value < 0 ? "-" : "") + grouped
    }

    /// `23%`, or `0.4%` below 1.
    static func rounded(_ percent: Double) -> String {
        percent > 0 && percent < 1 ? String(format: "%.1f%%", percent) : "\(Int(percent.rounded()))%"
    }
}
