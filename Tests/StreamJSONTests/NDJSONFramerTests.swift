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

    /// The borrowing path (what the session uses) gives the same lines as a naive split, for
    /// any chunking: lines inside a chunk, lines across chunks, CRLF, blank lines.
    @Test func borrowedLinesMatchANaiveSplitForAnyChunking() {
        var generator = SystemRandomNumberGenerator()
        let pieces = ["{\"a\":1}", "", "  ", "x\r", String(repeating: "long ", count: 400), "é✓", "\r", "tail"]
        for _ in 0..<200 {
            var text = ""
            for _ in 0..<Int.random(in: 1...30, using: &generator) {
                text += pieces.randomElement(using: &generator)! + "\n"
            }
            if Bool.random(using: &generator) { text += "unterminated" }
            let bytes = Array(text.utf8)
            var expected: [[UInt8]] = []
            for piece in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
                var line = Array(piece)
                if line.last == 0x0D { line.removeLast() }
                if !line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { expected.append(line) }
            }
            var framer = NDJSONFramer()
            var got: [[UInt8]] = []
            var offset = 0
            while offset < bytes.count {
                let size = min(bytes.count - offset, Int.random(in: 1...700, using: &generator))
                bytes[offset..<(offset + size)].withUnsafeBufferPointer { chunk in
                    framer.append(borrowing: chunk) { line in
                        if case .complete(let borrowed) = line { got.append(Array(borrowed)) } else { Issue.record("oversized") }
                    }
                }
                offset += size
            }
            if case .complete(let last)? = framer.finish() { got.append(last) }
            #expect(got == expected)
        }
    }

    /// With a limit, a line that outgrows it across chunks is counted, not held, and the next
    /// line is intact, whichever way the bytes are cut.
    @Test func borrowedOversizedLinesAreCountedAcrossChunks() {
        let bytes = Array((String(repeating: "A", count: 1000) + "\nok\n" + String(repeating: "B", count: 300) + "\nend\n").utf8)
        for size in [1, 7, 64, 99, 100, 101, 250, 1003, 2000] {
            var framer = NDJSONFramer(maximumLineLength: 100)
            var got: [String] = []
            var offset = 0
            while offset < bytes.count {
                let end = min(bytes.count, offset + size)
                bytes[offset..<end].withUnsafeBufferPointer { chunk in
                    framer.append(borrowing: chunk) { line in
                        switch line {
                        case .complete(let borrowed): got.append(String(decoding: borrowed, as: UTF8.self))
                        case .oversized(let count): got.append("<oversized \(count)>")
                        }
                    }
                }
                offset = end
            }
            // A chunk that holds a whole long line frames it (the limit bounds what is *held*).
            let long = size >= 1001 ? String(repeating: "A", count: 1000) : "<oversized 1000>"
            let longB = size >= 301 ? String(repeating: "B", count: 300) : "<oversized 300>"
            #expect(got == [long, "ok", longB, "end"], "chunks of \(size)")
        }
    }
}
