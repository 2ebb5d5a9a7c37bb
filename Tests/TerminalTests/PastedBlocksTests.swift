import Testing

@testable import Terminal

@Suite("Pasted blocks")
struct PastedBlocksTests {
    @Test func smallPastesStayTextLargeOnesBecomeLabels() {
        #expect(!PastedBlocks.isLarge("one\ntwo\nthree"))
        #expect(PastedBlocks.isLarge("1\n2\n3\n4"))
        #expect(!PastedBlocks.isLarge(String(repeating: "x", count: 1000)))
        #expect(PastedBlocks.isLarge(String(repeating: "x", count: 1001)))
    }

    @Test func labelsNumberThePastesAndExpandOnSubmit() {
        var blocks = PastedBlocks()
        let text = (1...120).map { "line \($0)" }.joined(separator: "\n")
        let first = blocks.add(text)
        let second = blocks.add(String(repeating: "y", count: 1500))
        #expect(first == "[Pasted text #1 +120 lines]")
        #expect(second == "[Pasted text #2 1500 chars]")
        #expect(blocks.expand("see \(first) and \(second)!") == "see \(text) and \(String(repeating: "y", count: 1500))!")
        #expect(blocks.expand("[Pasted text #3 +2 lines]") == "[Pasted text #3 +2 lines]")
        blocks.reset()
        #expect(blocks.add("a\nb\nc\nd") == "[Pasted text #1 +4 lines]")
    }

    @Test func aLabelIsFoundWholeAtEitherSideOfTheCursor() {
        var blocks = PastedBlocks()
        let label = blocks.add("1\n2\n3\n4")
        let line = Array("ab\(label)cd".unicodeScalars)
        let end = 2 + label.unicodeScalars.count
        #expect(blocks.labelLength(endingAt: end, in: line) == label.unicodeScalars.count)
        #expect(blocks.labelLength(endingAt: end - 1, in: line) == nil)
        #expect(blocks.labelLength(startingAt: 2, in: line) == label.unicodeScalars.count)
        #expect(blocks.labelLength(startingAt: 3, in: line) == nil)
        #expect(blocks.labelLength(endingAt: 1, in: line) == nil)
    }
}
