import ParleyTestSupport
import Testing
@testable import Terminal

@Suite("Inert text")
struct InertTextTests {
    /// The attacks of issue 12, and what is shown instead.
    @Test(arguments: [
        ("\u{1B}]0;PWNED\u{07}after", "␛]0;…after"),
        ("\u{1B}]52;c;cm0gLXJmIH4v\u{07}x", "␛]52;…x"),
        ("\u{1B}]52;c;cm0gLXJmIH4v\u{1B}\\x", "␛]52;…x"),
        ("\u{1B}[2J", "␛[2J"),
        ("\u{1B}[6n", "␛[6n"),
        ("a\u{1B}[3A\u{1B}[2Kb", "a␛[3A␛[2Kb"),
        ("\u{1B}[38;5;196mred\u{1B}[0m", "␛[38;5;196mred␛[0m"),
        ("\u{1B}c", "␛c"),
        ("\u{1B}(B", "␛(B"),
        ("\u{1B}P1$r\u{1B}\\", "␛P1…"),
        ("\u{1B}_hidden\u{07}", "␛_…"),
        ("\u{1B}]8;;http://x\u{07}link\u{1B}]8;;\u{07}", "␛]8;…link␛]8;…"),
        ("\u{1B}", "␛"),
        ("\u{1B}\u{1B}[A", "␛␛[A"),
        ("\u{1B}\n", "␛\n"),
        ("\u{1B}é", "␛é"),
    ])
    func escapeSequencesAreShownNotSent(input: String, shown: String) {
        #expect(InertText.make(input) == shown)
    }

    @Test(arguments: [
        ("\u{9B}2J", "␛[2J"),
        ("\u{9D}0;title\u{9C}x", "␛]0;…x"),
        ("\u{9D}0;title\u{07}x", "␛]0;…x"),
        ("\u{90}payload\u{9C}", "␛P…"),
        ("\u{85}", "␛E"),
        ("\u{80}\u{9F}x\u{9C}", "␛@␛_…"),
        ("\u{1B}\u{9B}m", "␛␛[m"),
    ])
    func c1ControlsAreTheirSevenBitForm(input: String, shown: String) {
        #expect(InertText.make(input) == shown)
    }

    @Test func c0ControlsAndDeleteBecomePictures() {
        #expect(InertText.make("a\u{07}b\u{08}c\u{00}d\u{7F}e\u{1F}") == "a␇b␈c␀d␡e␟")
        #expect(InertText.make("tab\tand\nnewline") == "tab\tand\nnewline")
        #expect(InertText.make("dos\r\nline") == "dos\nline")
        #expect(InertText.make("over\rwrite") == "over␍write")
        #expect(InertText.make("end\r") == "end␍")
        #expect(InertText.make("\r\r\n") == "␍\n")
    }

    @Test func longSequencesAreCut() {
        let parameters = String(repeating: "1", count: 100)
        #expect(InertText.make("\u{1B}[\(parameters)m") == "␛[1111111111111111…m")
        #expect(InertText.make("\u{1B}]123456;x\u{07}") == "␛]1234…")
        // An unterminated string hides at most the rest of its line.
        #expect(InertText.make("\u{1B}]0;never ends\nnext line") == "␛]0;…\nnext line")
        #expect(InertText.make("\u{1B}]0;never ends") == "␛]0;…")
        // A malformed CSI ends at the first byte that cannot belong to it.
        #expect(InertText.make("\u{1B}[12\u{7F}x") == "␛[12␡x")
        #expect(InertText.make("\u{1B}[1é") == "␛[1é")
    }

    @Test func printableTextIsUntouchedAndNotCopied() {
        let text = "Hello, wörld ✓ 🎉 © \u{A0}nbsp — `code` **bold**\n\ttabbed"
        #expect(InertText.make(text) == text)
        #expect(InertText.isInert(text))
        #expect(!InertText.isInert("a\u{1B}b"))
        #expect(!InertText.isInert("a\u{9B}b"))
        var stream = InertTextStream()
        #expect(stream.feed(text) == text)
        #expect(stream.isAtText)
    }

    /// The fast scan reads eight bytes at a time: a control at any offset of a long text is found.
    @Test func aControlIsFoundAtEveryOffsetOfALongText() {
        for offset in 0..<40 {
            let before = String(repeating: "a", count: offset)
            let after = String(repeating: "b", count: 23)
            for (control, shown) in [("\u{1B}[2J", "␛[2J"), ("\u{9B}6n", "␛[6n"), ("\u{7F}", "␡"), ("\u{07}", "␇"), ("\r", "␍")] {
                #expect(InertText.make(before + control + after) == before + shown + after, "offset \(offset)")
                #expect(!InertText.isInert(before + control + after), "offset \(offset)")
            }
            let clean = before + "©\n\té ✓" + after + "\u{A0}"
            #expect(InertText.make(clean) == clean, "offset \(offset)")
        }
    }

    @Test func invalidUTF8BecomesReplacementCharacters() {
        let bytes: [UInt8] = [0x61, 0x9B, 0x32, 0x4A, 0xC2, 0x1B, 0x5B, 0x32, 0x4A, 0xFF, 0xC2]
        let shown = InertText.make(bytes: bytes)
        #expect(shown == "a\u{FFFD}2J\u{FFFD}␛[2J\u{FFFD}\u{FFFD}")
    }

    @Test func aSequenceSplitOverPiecesIsRecognisedAsOne() {
        let pieces = ["before \u{1B}", "]0;PW", "NED\u{1B}", "\\after \u{1B}[", "2", "J done\r", "\nend\r"]
        var stream = InertTextStream()
        var shown = pieces.map { stream.feed($0) }.joined()
        #expect(!stream.isAtText)
        shown += stream.finish()
        #expect(shown == "before ␛]0;…after ␛[2J done\nend␍")
        #expect(shown == InertText.make(pieces.joined()))
        #expect(stream.isAtText)
    }

    @Test func splittingAnywhereGivesTheSameText() {
        let samples = [
            "x\u{1B}]52;c;cm0gLXJmIH4v\u{07}y\u{1B}[2J\u{1B}[3A\u{1B}[2K\r\n\u{9B}6n\u{9D}0;t\u{9C}z\u{1B}P1\u{1B}\u{1B}\\",
            "\u{1B}]0;a\u{1B}[1m\u{1B}(B\u{1B} \u{1B}\u{7F}\r\r\u{85}é\u{1B}[é",
        ]
        for sample in samples {
            let whole = InertText.make(sample)
            let characters = Array(sample)
            for cut in 0...characters.count {
                for secondCut in cut...characters.count {
                    var stream = InertTextStream()
                    var shown = stream.feed(String(characters[..<cut]))
                    shown += stream.feed(String(characters[cut..<secondCut]))
                    shown += stream.feed(String(characters[secondCut...]))
                    shown += stream.finish()
                    #expect(shown == whole, "cut at \(cut), \(secondCut)")
                }
            }
        }
    }

    @Test func randomInputNeverYieldsAControl() {
        var generator = SeededGenerator(seed: 12)
        let alphabet: [UInt8] = [0x1B, 0x07, 0x0D, 0x0A, 0x09, 0x7F, 0x5B, 0x5D, 0x50, 0x5C, 0x3B, 0x30, 0x32, 0x4A, 0x20, 0x41, 0xC2, 0x9B, 0x9C, 0x85, 0xE2, 0x9C, 0x93, 0xFF]
        for _ in 0..<2000 {
            let length = Int.random(in: 0...40, using: &generator)
            let bytes = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }
            let shown = InertText.make(bytes: bytes)
            #expect(InertText.isInert(shown), "\(bytes)")
            for scalar in shown.unicodeScalars {
                let value = scalar.value
                #expect(value >= 0x20 || value == 0x0A || value == 0x09, "\(bytes)")
                #expect(!(0x7F...0x9F).contains(value), "\(bytes)")
            }
        }
    }

    @Test func styledTextKeepsItsStylesWhenMadeInert() {
        let text = StyledText("⏺ ", .bold) + StyledText("Read\u{1B}[2K", .bold) + StyledText("(x\u{07})")
        let inert = text.madeInert()
        #expect(inert.plainText == "⏺ Read␛[2K(x␇)")
        #expect(inert.fragments.map(\.style) == text.fragments.map(\.style))
        let clean = StyledText("clean", .dim)
        #expect(clean.madeInert() == clean)
    }
}

