import Testing
@testable import StreamJSON

@Suite struct NDJSONFramerTests {
    private func texts(_ lines: [NDJSONFramer.Line]) -> [String] {
        lines.map {
            switch $0 {
            case .complete(let bytes): String(decoding: bytes, as: UTF8.self)
            case .oversized(let count): "<oversized \(count)>"
            }
        }
    }

    @Test func splitsManyLinesInOneChunk() {
        var framer = NDJSONFramer()
        #expect(texts(framer.append(Array("a\nb\nc\n".utf8))) == ["a", "b", "c"])
        #expect(framer.pendingByteCount == 0)
    }

    @Test func joinsALineSplitAcrossChunks() {
        var framer = NDJSONFramer()
        #expect(framer.append(Array("{\"ty".utf8)).isEmpty)
        #expect(framer.append(Array("pe\":1".utf8)).isEmpty)
        #expect(texts(framer.append(Array("}\n{\"x".utf8))) == ["{\"type\":1}"])
        #expect(texts(framer.append(Array("\":2}\n".utf8))) == ["{\"x\":2}"])
    }

    @Test func oneByteAtATime() {
        var framer = NDJSONFramer()
        let input = "first line\r\nsecond\n\n  \nthird\n"
        var lines: [NDJSONFramer.Line] = []
        for byte in input.utf8 { lines += framer.append([byte]) }
        #expect(texts(lines) == ["first line", "second", "third"])
    }

    @Test func stripsCRLFAndSkipsBlankLines() {
        var framer = NDJSONFramer()
        #expect(texts(framer.append(Array("a\r\n\r\n\t \nb\n".utf8))) == ["a", "b"])
    }

    @Test func finishReturnsAnUnterminatedTail() {
        var framer = NDJSONFramer()
        #expect(texts(framer.append(Array("done\npartial".utf8))) == ["done"])
        #expect(framer.finish().map { texts([$0]) } == ["partial"])
        #expect(framer.finish() == nil)
    }

    @Test func frames32MegabyteLineFedInChunks() {
        var framer = NDJSONFramer()
        let size = 32 << 20
        let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 65536)
        var lines: [NDJSONFramer.Line] = []
        for _ in 0..<(size / chunk.count) { lines += framer.append(chunk) }
        #expect(lines.isEmpty)
        lines += framer.append(Array("\nnext\n".utf8))
        #expect(lines.count == 2)
        if case .complete(let bytes) = lines[0] {
            #expect(bytes.count == size)
            #expect(bytes.allSatisfy { $0 == UInt8(ascii: "x") })
        } else {
            Issue.record("expected a complete line")
        }
        #expect(texts([lines[1]]) == ["next"])
    }

    @Test func reportsOversizedLinesWithoutHoldingThem() {
        var framer = NDJSONFramer(maximumLineLength: 100)
        var lines: [NDJSONFramer.Line] = []
        for _ in 0..<10 { lines += framer.append([UInt8](repeating: 65, count: 50)) }
        #expect(framer.pendingByteCount <= 600)
        lines += framer.append(Array("\nok\n".utf8))
        #expect(texts(lines) == ["<oversized 500>", "ok"])
    }

    @Test func invalidUTF8IsFramedNotDropped() {
        var framer = NDJSONFramer()
        let lines = framer.append([0xff, 0xfe, 0x41, 0x0a])
        #expect(lines == [.complete([0xff, 0xfe, 0x41])])
    }
}
