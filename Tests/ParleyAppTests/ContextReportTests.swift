import AgentSession
import Terminal
import Testing

@testable import ParleyApp

@Suite("Context report")
struct ContextReportTests {
    let usage = ContextUsage(totalTokens: 45_000, maxTokens: 200_000, percentage: 22.5, categories: [
        .init(name: "System prompt", tokens: 3_000, kind: "used"),
        .init(name: "Messages", tokens: 42_000, kind: "used"),
        .init(name: "Free space", tokens: 155_000, kind: "free"),
    ])

    @Test func aTotalThenOneAlignedLinePerCategory() {
        #expect(ContextReport.lines(for: usage).map(\.plainText) == [
            "context 45,000 / 200,000 tokens (23%)",
            "  System prompt    3,000  2%",
            "  Messages        42,000  21%",
            "  Free space     155,000  78%",
        ])
        #expect(ContextReport.lines(for: usage).last?.fragments.first?.style == .dim)
    }

    @Test func theTotalIsYellowPastEightyPercent() {
        var full = usage
        full.percentage = 81
        #expect(ContextReport.lines(for: full).first?.fragments.first?.style == .color(.yellow))
        #expect(ContextReport.lines(for: usage).first?.fragments.first?.style == .plain)
    }

    @Test func withoutTheCLIsPercentageItIsComputed() {
        var bare = usage
        bare.percentage = nil
        #expect(ContextReport.percentage(of: bare) == 22.5)
        #expect(ContextReport.percentage(of: ContextUsage(totalTokens: 1, maxTokens: 0, percentage: nil, categories: [])) == 0)
    }

    @Test(arguments: [(0, "0"), (999, "999"), (1_000, "1,000"), (165_000, "165,000"), (1_234_567, "1,234,567")])
    func countsAreGrouped(value: Int, shown: String) {
        #expect(ContextReport.count(value) == shown)
    }

    @Test func smallSharesKeepADecimal() {
        #expect(ContextReport.rounded(0.5) == "0.5%")
        #expect(ContextReport.rounded(0) == "0%")
        #expect(ContextReport.rounded(82.5) == "83%")
    }

    @Test func categoryNamesFromTheCLIAreMadeInertBeforeTheyReachTheTerminal() {
        let hostile = ContextUsage(totalTokens: 1, maxTokens: 10, percentage: 10, categories: [
            .init(name: "Evil\u{1B}]0;PWNED\u{07}", tokens: 1, kind: "used"),
        ])
        // The console makes whole lines inert (EditorConsole); the line keeps the text to make inert.
        #expect(ContextReport.lines(for: hostile)[1].madeInert().plainText.contains("\u{1B}") == false)
    }
}
