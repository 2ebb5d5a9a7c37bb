import ParleyTestSupport
import Testing
@testable import Terminal

/// The byte-level renderer and writer against the scalar-at-a-time originals
/// (``ReferenceMarkdownRenderer`` and the string-joining SGR code below): for
/// the same deltas, every `feed` must return exactly the same styled text, so
/// the terminal bytes are the same too.
@Suite("Renderer equivalence with the scalar reference")
struct RendererEquivalenceTests {
    /// Markdown with every construct and awkward case the renderer knows about.
    static let richDocument: String = {
        var text = """
            # Title with **bold** and `code`
            ## Sub *it* _under_
            ###### six\t###
            ####### seven is text
            #nospace and # alone
            Plain **bold**, *italic*, _under_, ***both***, **bold _nested_ bold**, `code` and `` a ` b ``.
            snake_case_name, __dunder__, 2 * 3 * 4, 2*3*4, a**b**c, a__b__c, ****four****, *****five*****
            Escapes: \\*not\\* \\_not\\_ \\`not\\` \\\\ \\q \\é and a trailing backslash \\
            Unclosed **bold and *italic and `code to the end
            Unicode: héllo wörld ✓ 日本語 **粗体** `コード` *é* _ü_ **🎉** 👩‍👩‍👧 e\u{301}*x*\u{301} x*\u{301}*
            Spaces: *\u{A0}nbsp\u{A0}* **\u{2003}em** *٣digit* ١*x* ª*y* *x*ª
            CRLF line\r\n**crlf bold**\r\nlone\rcarriage\r\n
              - nested bullet *it*
            - one
            * star
            + plus
            -no space
            1. first
            2) second
            10. tenth
            1234567890. too long
            1.no space
               3. indented
            > quoted **b** `c`
            >tight
            >
            ---
            ***
            ___
            - - -
            -- not a rule
            +++

            ```swift
            let x = "**not bold**" // `tick` \\*
              indented code\r
            ```
            ~~~
            ``` inside tilde
            ~~~~
            ````
            ```
            not closed by a shorter fence
            ````
            ``` info with ` tick is text
            \t tab start *x*

            """
        text += String(repeating: " ", count: 300) + "after 300 spaces **b**\n"
        text += String(repeating: "#", count: 300) + " hashes\n"
        text += String(repeating: "-", count: 300) + "\n"
        text += "```\n" + String(repeating: " ", count: 300) + "```\ncode\n```\n"
        text += String(repeating: "`", count: 260) + "x\n"
        text += "last line without newline **bold"
        return text
    }()

    /// Pieces random documents are made of.
    static let tokens: [String] = [
        "*", "**", "***", "****", "_", "__", "___", "`", "``", "```", "\\", "\\*", "\\\\", "\n", "\n", "\n", "\r\n", "\r",
        " ", " ", "  ", "   ", "\t", "#", "## ", "####### ", "- ", "* ", "+ ", "1. ", "42) ", "> ", ">", "~~~", "```swift",
        "---", "word", "word", "text", "a", "9", "snake_case", "2*3", "é", "日本", "🎉", "e\u{301}", "\u{A0}", "\u{2003}",
        "١", "ª", "✓", "x*y", "(", ")", ".", ",",
    ]

    static func randomDocument(_ generator: inout SeededGenerator, tokens count: Int) -> String {
        var document = ""
        for _ in 0..<count { document += tokens[Int(generator.next() % UInt64(tokens.count))] }
        return document
    }

    /// Random splits at scalar boundaries (deltas are Swift strings), some empty.
    static func randomSplit(_ document: String, _ generator: inout SeededGenerator, maximum: Int) -> [String] {
        let scalars = Array(document.unicodeScalars)
        var chunks: [String] = []
        var index = 0
        while index < scalars.count {
            let end = min(scalars.count, index + Int(generator.next() % UInt64(maximum + 1)))
            chunks.append(String(String.UnicodeScalarView(scalars[index..<end])))
            index = end
        }
        return chunks
    }

    /// Feeds both renderers the same chunks and compares every output exactly.
    static func expectSameOutputs(_ chunks: [String], ruleWidth: Int = 5, sourceLocation: SourceLocation = #_sourceLocation) {
        var fast = MarkdownStreamRenderer(ruleWidth: ruleWidth)
        var reference = ReferenceMarkdownRenderer(ruleWidth: ruleWidth)
        for (index, chunk) in chunks.enumerated() {
            let got = fast.feed(chunk), expected = reference.feed(chunk)
            guard got == expected else {
                Issue.record("feed #\(index) of \(chunks.debugDescription): \(markup(got)) ≠ \(markup(expected))",
                             sourceLocation: sourceLocation)
                return
            }
        }
        #expect(fast.finish() == reference.finish(), "finish of \(chunks.debugDescription)", sourceLocation: sourceLocation)
    }

    @Test func wholeDocumentsMatch() {
        for document in markdownDocuments + [Self.richDocument] {
            Self.expectSameOutputs([document])
        }
    }

    @Test func everyScalarAlone() {
        for document in markdownDocuments + [Self.richDocument] {
            Self.expectSameOutputs(document.unicodeScalars.map { String($0) })
        }
    }

    @Test func randomSplitsOfTheRichDocument() {
        var generator = SeededGenerator(seed: 7)
        for round in 0..<300 {
            let chunks = Self.randomSplit(Self.richDocument, &generator, maximum: round % 3 == 0 ? 4 : round % 3 == 1 ? 16 : 90)
            Self.expectSameOutputs(chunks)
        }
    }

    @Test func randomDocumentsRandomlySplit() {
        var generator = SeededGenerator(seed: 2024)
        for round in 0..<1_500 {
            let document = Self.randomDocument(&generator, tokens: 1 + round % 60)
            Self.expectSameOutputs([document])
            Self.expectSameOutputs(Self.randomSplit(document, &generator, maximum: 1 + round % 9))
        }
    }

    @Test func outputIsIndependentOfTheSplit() {
        let expected = renderWhole(Self.richDocument).normalized()
        var generator = SeededGenerator(seed: 99)
        for round in 0..<100 {
            let chunks = Self.randomSplit(Self.richDocument, &generator, maximum: 1 + round % 40)
            #expect(renderChunks(chunks).normalized() == expected)
        }
    }

    @Test func theRendererStateSurvivesCopies() {
        // A copy taken mid-line continues independently (value semantics).
        var renderer = MarkdownStreamRenderer(ruleWidth: 5)
        _ = renderer.feed("Some **bo")
        var copy = renderer
        #expect(markup(renderer.feed("ld** x\n")) == "<b>ld</> x\n")
        #expect(markup(copy.feed("ld** y\n")) == "<b>ld</> y\n")
    }

    // MARK: - Scalar classes

    @Test func asciiShortcutsAgreeWithUnicodeProperties() {
        for value in UInt32(0)..<0x80 {
            let scalar = Unicode.Scalar(value)!
            #expect(UTF8Scanning.isWhitespace(scalar) == scalar.properties.isWhitespace, "\(value)")
            #expect(UTF8Scanning.isWord(scalar) == (scalar.properties.isAlphabetic || scalar.properties.numericType != nil),
                    "\(value)")
        }
    }

    @Test func decodingScalarsFromBytes() {
        let text = "aé日🎉\u{301}z"
        var copy = text
        copy.withUTF8 { bytes in
            var index = 0
            var decoded: [Unicode.Scalar] = []
            while index < bytes.count {
                let (scalar, length) = UTF8Scanning.scalar(in: bytes, at: index)
                #expect(length == UTF8Scanning.sequenceLength(lead: bytes[index]))
                decoded.append(scalar)
                index += length
                #expect(UTF8Scanning.lastScalar(in: bytes, start: 0, end: index) == scalar)
            }
            #expect(decoded == Array(text.unicodeScalars))
        }
    }

    // MARK: - Terminal bytes

    /// The SGR sequence as it used to be built: codes joined with `;`.
    static func referenceSGR(_ style: Style) -> String {
        if style.isPlain { return "\u{1B}[0m" }
        var codes = ["0"]
        if style.isBold { codes.append("1") }
        if style.isDim { codes.append("2") }
        if style.isItalic { codes.append("3") }
        if style.isUnderlined { codes.append("4") }
        if let foreground = style.foreground { codes.append(String(foreground.foregroundCode)) }
        return "\u{1B}[" + codes.joined(separator: ";") + "m"
    }

    static func referenceBytes(_ text: StyledText, color: Bool, carriageReturns: Bool) -> [UInt8] {
        var output: [UInt8] = []
        var current = Style.plain
        for fragment in text.fragments where !fragment.text.isEmpty {
            if color, fragment.style != current {
                output += Array(referenceSGR(fragment.style).utf8)
                current = fragment.style
            }
            for byte in fragment.text.utf8 {
                if carriageReturns, byte == 10 { output.append(13) }
                output.append(byte)
            }
        }
        if color, !current.isPlain { output += Array("\u{1B}[0m".utf8) }
        return output
    }

    static let allStyles: [Style] = {
        var styles: [Style] = []
        for color in [nil] + TerminalColor.allCases.map(Optional.some) {
            for bits in 0..<16 {
                styles.append(Style(foreground: color, bold: bits & 1 != 0, dim: bits & 2 != 0,
                                    italic: bits & 4 != 0, underline: bits & 8 != 0))
            }
        }
        return styles
    }()

    @Test func everyStyleHasTheSameSequence() {
        for style in Self.allStyles {
            let expected = Self.referenceSGR(style)
            #expect(style.selectGraphicRendition == expected)
            #expect(style.selectGraphicRenditionLength == expected.utf8.count)
            #expect(expected.utf8.count <= Style.maximumSGRLength)
            var bytes: [UInt8] = [0x41]
            style.appendSelectGraphicRendition(to: &bytes)
            #expect(bytes == [0x41] + Array(expected.utf8))
        }
    }

    @Test func renderingMatchesTheReferenceBytes() {
        var generator = SeededGenerator(seed: 5)
        let texts = ["", "a", "line\n", "two\nlines\n", "é日🎉", "\n", "x\r\ny", String(repeating: "long text ", count: 40)]
        for _ in 0..<2_000 {
            var fragments: [StyledText.Fragment] = []
            for _ in 0..<Int(generator.next() % 5) {
                let text = texts[Int(generator.next() % UInt64(texts.count))]
                let style = generator.next() % 3 == 0 ? Style.plain : Self.allStyles[Int(generator.next() % UInt64(Self.allStyles.count))]
                fragments.append(StyledText.Fragment(text, style))
            }
            let styled = StyledText(fragments: fragments)
            for color in [false, true] {
                let expected = Self.referenceBytes(styled, color: color, carriageReturns: false)
                #expect(Array(styled.rendered(color: color).utf8) == expected)
                var appended: [UInt8] = [0x7A]
                styled.appendRendered(color: color, to: &appended)
                #expect(appended == [0x7A] + expected)
                var raw: [UInt8] = []
                ANSIWriter.append(styled.fragments, to: &raw, color: color, carriageReturns: true)
                #expect(raw == Self.referenceBytes(styled, color: color, carriageReturns: true))
                var lazy: [UInt8] = []
                ANSIWriter.append(styled.fragments.lazy.map { $0 }, to: &lazy, color: color, carriageReturns: true)
                #expect(lazy == raw)
                var string = "s"
                ANSIWriter.append(styled.fragments, to: &string, color: color, carriageReturns: false)
                #expect(Array(string.utf8) == [0x73] + expected)
            }
        }
    }
}
