import ParleyTestSupport
import Testing
@testable import Terminal

/// Renders styled text as compact markup for readable expectations:
/// plain text as is, styled runs as `<attrs>text</>`.
func markup(_ text: StyledText) -> String {
    text.normalized().fragments.map { fragment in
        let style = fragment.style
        guard !style.isPlain else { return fragment.text }
        var attributes: [String] = []
        if style.isBold { attributes.append("b") }
        if style.isDim { attributes.append("d") }
        if style.isItalic { attributes.append("i") }
        if style.isUnderlined { attributes.append("u") }
        if let color = style.foreground { attributes.append("\(color)") }
        return "<\(attributes.joined(separator: ","))>\(fragment.text)</>"
    }.joined()
}

func renderWhole(_ document: String) -> StyledText {
    var renderer = MarkdownStreamRenderer(ruleWidth: 5)
    return renderer.feed(document) + renderer.finish()
}

func renderChunks(_ chunks: [String]) -> StyledText {
    var renderer = MarkdownStreamRenderer(ruleWidth: 5)
    var output = StyledText()
    for chunk in chunks { output += renderer.feed(chunk) }
    return output + renderer.finish()
}

let markdownDocuments: [String] = [
    "Hello **bold** and *italic* and _under_ and `code` done.\n",
    "# Title\n## Sub *it*\n### Third\n####### not a heading\n#nospace\n",
    "Intro:\n\n```swift\nlet x = \"**not bold**\"\n  `tick`\n```\nAfter.\n",
    "~~~\nplain fence ``` inside\n~~~~\ntext\n",
    "- one\n- two **b**\n  - nested\n* star item\n+ plus item\n1. first\n2) second\n10. tenth\n",
    "> quoted *text*\n>tight\n\n---\n***\n___\n-- not a rule\n",
    "Escapes: \\*not italic\\* and \\`not code\\` and \\\\ backslash \\q.\n",
    "snake_case_name and 2 * 3 * 4 and 2*3 and ****four**** end\n",
    "***both*** and **bold _nested_** and `` code with ` tick `` x\n",
    "Unclosed **bold to the end\nnext line plain\n",
    "Unicode: héllo wörld ✓ 日本語 **粗体** `コード`\n",
    "no trailing newline **bold**",
    "```python\nprint('hi')",
    "CRLF line\r\n**b**\r\n",
    "",
    "   indented para\n    four spaces\n  1. indented ordered\n",
    "```\n``` \nafter\n",
    "#\n##\n>\n-\n1.\n`\n``\n*\n",
]

@Suite("Markdown stream renderer")
struct MarkdownStreamRendererTests {
    @Test func inlineStyles() {
        #expect(markup(renderWhole("Hello **bold** and *italic* and _under_ and `code` done.\n"))
            == "Hello <b>bold</> and <i>italic</> and <i>under</> and <cyan>code</> done.\n")
    }

    @Test func headings() {
        #expect(markup(renderWhole("# Title\n## Sub *it*\n### Third\n####### x\n#nospace\n"))
            == "<b,u,magenta>Title</>\n<b,magenta>Sub </><b,i,magenta>it</>\n<b>Third</>\n####### x\n#nospace\n")
    }

    @Test func fencedCodeBlock() {
        #expect(markup(renderWhole("Intro:\n```swift\nlet x = \"**no**\"\n```\nAfter.\n"))
            == "Intro:\n<d>─── swift</>\n<yellow>let x = \"**no**\"</>\n<d>─────</>\nAfter.\n")
    }

    @Test func codeBlockWithoutLanguageAndLongerFence() {
        #expect(markup(renderWhole("~~~~\n~~~\ncode\n~~~~\n"))
            == "<d>───</>\n<yellow>~~~</>\n<yellow>code</>\n<d>─────</>\n")
    }

    @Test func lists() {
        #expect(markup(renderWhole("- one\n  - nested\n1. first\n2) second\n"))
            == "<cyan>•</> one\n  <cyan>◦</> nested\n<cyan>1.</> first\n<cyan>2)</> second\n")
    }

    @Test func quotesAndRules() {
        #expect(markup(renderWhole("> quoted **b**\n---\n-- x\n"))
            == "<d>│ </><i>quoted </><b,i>b</>\n<d>─────</>\n-- x\n")
    }

    @Test func escapesAndLiteralDelimiters() {
        #expect(renderWhole("\\*no\\* \\` \\\\ \\q\n").plainText == "*no* ` \\ \\q\n")
        #expect(markup(renderWhole("snake_case_name 2 * 3 2*3 ****x****\n"))
            == "snake_case_name 2 * 3 2*3 ****x****\n")
    }

    @Test func codeSpanWithLongerDelimiter() {
        #expect(markup(renderWhole("`` a ` b `` c\n")) == "<cyan> a ` b </> c\n")
    }

    @Test func unclosedEmphasisEndsWithTheLine() {
        #expect(markup(renderWhole("x **bold\nplain\n")) == "x <b>bold</>\nplain\n")
    }

    @Test func finishKeepsAMissingFinalNewlineMissing() {
        #expect(markup(renderWhole("end **b**")) == "end <b>b</>")
        #expect(markup(renderWhole("## H")) == "<b,magenta>H</>")
    }

    @Test func finishResetsForTheNextDocument() {
        var renderer = MarkdownStreamRenderer(ruleWidth: 5)
        _ = renderer.feed("```\nopen code")
        _ = renderer.finish()
        #expect(markup(renderer.feed("**b**\n")) == "<b>b</>\n")
    }

    @Test func streamingShowsTextBeforeTheLineEnds() {
        var renderer = MarkdownStreamRenderer()
        #expect(renderer.feed("Hello wor").plainText == "Hello wor")
        #expect(markup(renderer.feed("ld **bo")) == "ld <b>bo</>")
        #expect(markup(renderer.feed("ld** and")) == "<b>ld</> and")
        #expect(renderer.feed("\n`").plainText == "\n")
        #expect(renderer.feed("``swift").isEmpty)
        #expect(markup(renderer.feed("\n")) == "<d>─── swift</>\n")
        #expect(markup(renderer.feed("1")) == "<yellow>1</>")
        var list = MarkdownStreamRenderer()
        #expect(list.feed("1").isEmpty)
        #expect(markup(list.feed("2. x")) == "<cyan>12.</> x")
    }

    @Test func heldBackPrefixesNeverShowHalfMarkers() {
        for (chunks, forbidden) in [
            (["**bo", "ld**"], "*"),
            (["`", "``swift\n", "code\n", "``", "`\n"], "`"),
            (["#", "# head\n"], "#"),
            (["- it", "em\n"], "-"),
        ] {
            var renderer = MarkdownStreamRenderer()
            for chunk in chunks {
                #expect(!renderer.feed(chunk).plainText.contains(forbidden), "\(chunks)")
            }
            #expect(!renderer.finish().plainText.contains(forbidden))
        }
    }

    @Test(arguments: markdownDocuments.indices)
    func splittingAnywhereGivesTheSameOutput(documentIndex: Int) {
        let document = markdownDocuments[documentIndex]
        let expected = renderWhole(document).normalized()
        let scalars = Array(document.unicodeScalars)
        func string(_ slice: ArraySlice<Unicode.Scalar>) -> String { String(String.UnicodeScalarView(slice)) }
        for split in 0...scalars.count {
            let chunks = [string(scalars[..<split]), string(scalars[split...])]
            #expect(renderChunks(chunks).normalized() == expected, "split at \(split)")
        }
        // Every pair of split points on shorter documents.
        if scalars.count <= 70 {
            for first in 0...scalars.count {
                for second in first...scalars.count {
                    let chunks = [
                        string(scalars[..<first]), string(scalars[first..<second]), string(scalars[second...]),
                    ]
                    #expect(renderChunks(chunks).normalized() == expected, "splits at \(first), \(second)")
                }
            }
        }
        // One scalar at a time.
        #expect(renderChunks(scalars.map { String($0) }).normalized() == expected)
    }

    @Test func splittingTheWholeCorpusRandomly() {
        let document = markdownDocuments.joined(separator: "\n")
        let expected = renderWhole(document).normalized()
        var generator = SeededGenerator(seed: 42)
        let scalars = Array(document.unicodeScalars)
        for _ in 0..<200 {
            var chunks: [String] = []
            var index = 0
            while index < scalars.count {
                let length = Int(generator.next() % 12)
                let end = min(scalars.count, index + length)
                chunks.append(String(String.UnicodeScalarView(scalars[index..<end])))
                index = end
            }
            #expect(renderChunks(chunks).normalized() == expected)
        }
    }

    @Test func heldBackTextIsBoundedByTheLine() {
        var renderer = MarkdownStreamRenderer()
        var shown = 0
        for _ in 0..<2_000 {
            shown += renderer.feed("word **bold** ").plainText.count
        }
        // Everything but possibly the trailing space's successor is already shown.
        #expect(shown >= 2_000 * 10 - 1)
        var codeRenderer = MarkdownStreamRenderer()
        _ = codeRenderer.feed("```\n")
        #expect(codeRenderer.feed("let a = 1").plainText == "let a = 1")
    }
}

