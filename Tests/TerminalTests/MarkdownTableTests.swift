import ParleyTestSupport
import Testing
@testable import Terminal

@Suite struct MarkdownTableTests {
    func render(_ document: String, width: Int = 80) -> StyledText {
        var renderer = MarkdownStreamRenderer(ruleWidth: 5, tableWidth: width)
        return renderer.feed(document) + renderer.finish()
    }

    let document = "Files:\n| Name | Size |\n|:-----|-----:|\n| a.txt | 12 |\n| **b**.md | 1234 |\nDone.\n"

    @Test func aTableIsDrawnWithAlignedColumns() {
        #expect(render(document).plainText == """
            Files:
            ┌───────┬──────┐
            │ Name  │ Size │
            ├───────┼──────┤
            │ a.txt │   12 │
            │ b.md  │ 1234 │
            └───────┴──────┘
            Done.

            """)
    }

    @Test func headerIsBoldBordersUseTheRuleStyleAndCellsKeepInlineStyles() {
        let text = render(document)
        #expect(text.fragments.contains { $0.text == "Name" && $0.style.isBold })
        #expect(text.fragments.contains { $0.text == "b" && $0.style.isBold })
        #expect(text.fragments.contains { $0.text.hasPrefix("┌") && $0.style == MarkdownTheme.standard.rule })
    }

    @Test func centeredColumnsAndRaggedRows() {
        let text = render("| a | b | c |\n|---|:-:|---|\n| x |\n| 1 | 2 | 3 | 4 |\n").plainText
        #expect(text == """
            ┌───┬───┬───┐
            │ a │ b │ c │
            ├───┼───┼───┤
            │ x │   │   │
            │ 1 │ 2 │ 3 │
            └───┴───┴───┘

            """)
    }

    @Test func cellsWrapBetweenWordsToFitTheWidth() {
        let long = "| Option | Meaning |\n|---|---|\n| `--color` | when to colour the output: auto, always or never |\n"
        let text = render(long, width: 40).plainText
        let lines = text.split(separator: "\n")
        #expect(lines.allSatisfy { displayWidth(of: String($0)) <= 40 }, "\(text)")
        #expect(lines.allSatisfy { displayWidth(of: String($0)) == displayWidth(of: String(lines[0])) }, "\(text)")
        #expect(text.contains("│ --color │ when to colour the output: │"), "\(text)")
        #expect(text.contains("│         │ auto, always or never      │"), "\(text)")
        // A word wider than its column is cut.
        let cut = render("| a |\n|---|\n| \(String(repeating: "x", count: 30)) |\n", width: 20).plainText
        #expect(cut.split(separator: "\n").allSatisfy { displayWidth(of: String($0)) <= 20 }, "\(cut)")
    }

    @Test func pipesInCodeSpansAndEscapesStayInTheCell() {
        let text = render("| expr | note |\n|---|---|\n| `a|b` | x \\| y |\n").plainText
        #expect(text.contains("│ a|b  │ x | y │"), "\(text)")
    }

    @Test func linesStartingWithAPipeThatAreNoTableAreText() {
        #expect(markup(render("| just **one** line\nnext\n")) == "| just <b>one</> line\nnext\n")
        #expect(render("| a |\n| b |\n").plainText == "| a |\n| b |\n")
        #expect(render("| a |\n| b |").plainText == "| a |\n| b |")
    }

    @Test func aTableIsHeldUntilItEndsAndTheOutputDoesNotDependOnTheSplits() {
        var renderer = MarkdownStreamRenderer(tableWidth: 80)
        #expect(renderer.feed("| a | b |\n|---|---|\n| 1 | 2 |\n").isEmpty)
        let drawn = renderer.feed("\n")
        #expect(drawn.plainText.hasPrefix("┌───┬───┐\n"))
        #expect(renderer.finish().isEmpty)
        let whole = render(document)
        for size in [1, 2, 3, 7] {
            var pieces: [String] = []
            var rest = Substring(document)
            while !rest.isEmpty { pieces.append(String(rest.prefix(size))); rest = rest.dropFirst(size) }
            var split = MarkdownStreamRenderer(ruleWidth: 5, tableWidth: 80)
            var output = StyledText()
            for piece in pieces { output += split.feed(piece) }
            output += split.finish()
            #expect(output.normalized() == whole.normalized(), "pieces of \(size)")
        }
    }

    @Test func aTableAtTheEndOfTheReplyIsDrawnByFinish() {
        var renderer = MarkdownStreamRenderer(tableWidth: 80)
        #expect(renderer.feed("| a |\n|---|\n| 1 |").isEmpty)
        #expect(renderer.finish().plainText == "┌───┐\n│ a │\n├───┤\n│ 1 │\n└───┘")
    }

    @Test func codeBlocksKeepTheirPipeLines() {
        #expect(render("```\n| a |\n|---|\n```\n").plainText == "───\n| a |\n|---|\n─────\n")
    }
}

@Suite struct MarkdownLinkTests {
    func render(_ document: String) -> StyledText {
        var renderer = MarkdownStreamRenderer(ruleWidth: 5)
        return renderer.feed(document) + renderer.finish()
    }

    @Test func aLinkIsItsTextThenItsURL() {
        #expect(markup(render("See [the docs](https://example.com/docs) now.\n"))
            == "See <u>the docs</><d> (https://example.com/docs)</> now.\n")
        #expect(markup(render("[https://a.b](https://a.b)\n")) == "<u>https://a.b</>\n")
        #expect(markup(render("- [**bold** link](u)\n")) == "<cyan>•</> <b,u>bold</><u> link</><d> (u)</>\n")
    }

    @Test func whatIsNotALinkIsShownAsWritten() {
        for text in ["[x] done", "a [b] c", "[text] (url)", "[t](has space)", "[open", "[t](open", "`[c](d)`", "\\[e](f)"] {
            #expect(render(text + "\n").plainText == (text.hasPrefix("`") ? "[c](d)" : text.hasPrefix("\\") ? "[e](f)" : text) + "\n",
                    "\(text)")
        }
        #expect(markup(render("[a **b**\n")) == "[a <b>b</>\n")
        #expect(render("a[1] [b [c [d\n").plainText == "a[1] [b [c [d\n")
        #expect(render("[a [b] c [d](e)\n").plainText == "[a [b] c d (e)\n")
        #expect(render("␛[2J␛[3A x\n").plainText == "␛[2J␛[3A x\n")
    }

    @Test func aLinkSplitAnywhereRendersTheSame() {
        let document = "Read [the *guide*](https://example.com/g) and [x] then [y](z).\n"
        let whole = render(document).normalized()
        let scalars = Array(document.unicodeScalars)
        for size in [1, 2, 5] {
            var renderer = MarkdownStreamRenderer(ruleWidth: 5)
            var output = StyledText()
            var index = 0
            while index < scalars.count {
                let end = min(index + size, scalars.count)
                output += renderer.feed(String(String.UnicodeScalarView(scalars[index..<end])))
                index = end
            }
            output += renderer.finish()
            #expect(output.normalized() == whole, "pieces of \(size)")
        }
    }

    @Test func anOverlongLinkIsShownAsWritten() {
        let url = String(repeating: "u", count: InlineMarkdown.maximumLinkBytes + 10)
        #expect(render("[t](\(url))\n").plainText == "[t](\(url))\n")
    }
}

/// Tables and links never depend on where a reply was cut, and never lose or invent text.
@Suite struct MarkdownTableAndLinkSplitTests {
    static let tokens = RendererEquivalenceTests.tokens + [
        "[", "]", "(", ")", "](", "[a](b)", "[**x**](https://e.com)", "|", "| a | b |", "|---|:-:|", "\\|", "`|`", "\n| ",
        " |\n", "|\n", "[x] ", "␛[2J",
    ]

    @Test func randomDocumentsRenderTheSameHoweverTheyAreSplit() {
        var generator = SeededGenerator(seed: 14)
        for round in 0..<400 {
            var document = ""
            for _ in 0..<(20 + round % 60) { document += Self.tokens[Int(generator.next() % UInt64(Self.tokens.count))] }
            var whole = MarkdownStreamRenderer(ruleWidth: 5, tableWidth: 30)
            let expected = (whole.feed(document) + whole.finish()).normalized()
            let chunks = RendererEquivalenceTests.randomSplit(document, &generator, maximum: round % 2 == 0 ? 3 : 17)
            var split = MarkdownStreamRenderer(ruleWidth: 5, tableWidth: 30)
            var output = StyledText()
            for chunk in chunks { output += split.feed(chunk) }
            output += split.finish()
            #expect(output.normalized() == expected, "\(chunks.debugDescription)")
            if output.normalized() != expected { return }
        }
    }
}
