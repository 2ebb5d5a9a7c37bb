import Glibc

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
/// costs linear time. A line that lies within one chunk is never copied
/// (``append(borrowing:emit:)``).
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

    /// The beginning of a line that has not ended yet.
    private var buffer: [UInt8] = []
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
        func copying(_ line: BorrowedLine) {
            switch line {
            case .complete(let bytes): emit(.complete(Array(bytes)))
            case .oversized(let count): emit(.oversized(byteCount: count))
            }
        }
        if chunk.withContiguousStorageIfAvailable({ append(borrowing: $0, emit: copying) }) != nil { return }
        Array(chunk).withUnsafeBufferPointer { append(borrowing: $0, emit: copying) }
    }

    /// A framed line whose bytes are only valid during the `emit` call that gets them.
    public enum BorrowedLine {
        /// A complete line's bytes, terminator removed.
        case complete(UnsafeBufferPointer<UInt8>)
        /// A line longer than ``NDJSONFramer/maximumLineLength``; its bytes were discarded.
        case oversized(byteCount: Int)
    }

    /// Appends a chunk and calls `emit` for every line it completes, in order, without
    /// copying: a line that lies within `chunk` is passed as a slice of it, one that began in
    /// an earlier chunk as the framer's own buffer. Same lines as ``append(_:emit:)``.
    public mutating func append(borrowing chunk: UnsafeBufferPointer<UInt8>, emit: (BorrowedLine) -> Void) {
        guard let base = chunk.baseAddress, !chunk.isEmpty else { return }
        var start = 0
        if discarding || !buffer.isEmpty {
            // The line that began earlier: complete it, or keep (or count) all of the chunk.
            guard let newline = chunk.firstNewline(from: 0, to: chunk.count) else {
                keepTail(of: chunk, from: 0)
                return
            }
            if discarding {
                emit(.oversized(byteCount: discardedCount + newline))
                discarding = false
                discardedCount = 0
            } else {
                buffer.append(contentsOf: UnsafeBufferPointer(start: base, count: newline))
                buffer.withUnsafeBufferPointer { Self.emitLine($0, from: 0, to: $0.count, emit) }
                // A huge line's buffer is not kept around; an ordinary one's capacity is.
                buffer.removeAll(keepingCapacity: buffer.capacity <= 1 << 20)
            }
            start = newline + 1
        }
        while let newline = chunk.firstNewline(from: start, to: chunk.count) {
            Self.emitLine(chunk, from: start, to: newline, emit)
            start = newline + 1
        }
        keepTail(of: chunk, from: start)
    }

    /// Keeps `chunk[start...]`, the beginning of a line, for the next chunk; a line over the
    /// limit is counted instead of kept.
    private mutating func keepTail(of chunk: UnsafeBufferPointer<UInt8>, from start: Int) {
        guard start < chunk.count else { return }
        let tail = UnsafeBufferPointer(rebasing: chunk[start...])
        if discarding {
            discardedCount += tail.count
            return
        }
        buffer.append(contentsOf: tail)
        if buffer.count > maximumLineLength {
            discarding = true
            discardedCount += buffer.count
            buffer.removeAll(keepingCapacity: false)
        }
    }

    /// Emits `bytes[start..<end]` (a line without its `\n`) unless it is blank; a final
    /// `\r` is dropped.
    private static func emitLine(
        _ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int, _ emit: (BorrowedLine) -> Void
    ) {
        var lineEnd = end
        if lineEnd > start, bytes[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
        if !isBlank(bytes, start, lineEnd) {
            emit(.complete(UnsafeBufferPointer(rebasing: bytes[start..<lineEnd])))
        }
    }

    /// Ends the stream: returns the unterminated last line, if any (a child that dies
    /// mid-line leaves one).
    public mutating func finish() -> Line? {
        defer {
            buffer.removeAll()
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
