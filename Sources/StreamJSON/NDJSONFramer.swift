/// Splits a byte stream into newline-delimited lines.
///
/// Feed it chunks exactly as they come off a pipe, in any sizes: a line may arrive split
/// across many chunks, and one chunk may hold many lines. It yields each complete line
/// without its terminator (`\n`, or `\r\n`), skips blank lines, and keeps the unfinished
/// tail for the next chunk. It never looks at line contents, so it cannot fail: decoding
/// is a separate step.
///
/// Lines of any length are accepted (bounded only by ``maximumLineLength``; a longer
/// line is reported as ``Line/oversized(byteCount:)`` and its bytes are dropped rather
/// than held). Scanning is incremental: bytes already searched for a newline are not
/// searched again when the next chunk arrives, so a 64 MB line fed in small chunks
/// costs linear time.
public struct NDJSONFramer: Sendable {
    /// One framed line.
    public enum Line: Sendable, Equatable {
        /// A complete line's bytes, terminator removed.
        case complete([UInt8])
        /// A line longer than ``NDJSONFramer/maximumLineLength``; its bytes were discarded.
        case oversized(byteCount: Int)
    }

    /// Lines longer than this many bytes are discarded and reported as oversized.
    public let maximumLineLength: Int

    private var buffer: [UInt8] = []
    private var scannedUpTo = 0
    private var discarding = false
    private var discardedCount = 0

    /// Creates a framer. The default line limit is 1 GiB: far above any real event.
    public init(maximumLineLength: Int = 1 << 30) {
        self.maximumLineLength = maximumLineLength
    }

    /// Bytes held for a line that has not ended yet.
    public var pendingByteCount: Int { buffer.count + discardedCount }

    /// Appends a chunk and returns every line it completes, in order.
    public mutating func append(_ chunk: some Collection<UInt8>) -> [Line] {
        var lines: [Line] = []
        append(chunk) { lines.append($0) }
        return lines
    }

    /// Appends a chunk and calls `emit` for every line it completes, in order.
    public mutating func append(_ chunk: some Collection<UInt8>, emit: (Line) -> Void) {
        buffer.append(contentsOf: chunk)
        var lineStart = 0
        var index = scannedUpTo
        let end = buffer.count
        buffer.withUnsafeBufferPointer { bytes in
            while index < end {
                if bytes[index] == UInt8(ascii: "\n") {
                    if discarding {
                        emit(.oversized(byteCount: discardedCount + (index - lineStart)))
                        discarding = false
                        discardedCount = 0
                    } else {
                        var lineEnd = index
                        if lineEnd > lineStart, bytes[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
                        if !Self.isBlank(bytes, lineStart, lineEnd) {
                            emit(.complete(Array(bytes[lineStart..<lineEnd])))
                        }
                    }
                    lineStart = index + 1
                }
                index += 1
            }
        }
        if lineStart > 0 {
            buffer.removeSubrange(0..<lineStart)
        }
        scannedUpTo = buffer.count
        if buffer.count > maximumLineLength {
            discarding = true
            discardedCount += buffer.count
            buffer.removeAll(keepingCapacity: false)
            scannedUpTo = 0
        }
    }

    /// Ends the stream: returns the unterminated last line, if any (a child that dies
    /// mid-line leaves one).
    public mutating func finish() -> Line? {
        defer {
            buffer.removeAll()
            scannedUpTo = 0
            discarding = false
            discardedCount = 0
        }
        if discarding { return .oversized(byteCount: discardedCount + buffer.count) }
        var tail = buffer[...]
        if tail.last == UInt8(ascii: "\r") { tail = tail.dropLast() }
        let blank = tail.allSatisfy { $0 == 0x20 || $0 == 0x09 }
        return blank ? nil : .complete(Array(tail))
    }

    private static func isBlank(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        var i = start
        while i < end {
            let byte = bytes[i]
            if byte != 0x20 && byte != 0x09 { return false }
            i += 1
        }
        return true
    }
}
