import Glibc

extension UnsafeBufferPointer<UInt8> {
    /// The index of the first `\n` in `self[from..<to]`, or nil when there is none.
    ///
    /// Found with `memchr`: indexing the buffer byte by byte costs a bounds check (and, through
    /// `Data`, an exclusivity check) per byte, which made line splitting the slow part of
    /// reading stream-json, tool results and transcripts.
    public func firstNewline(from: Int, to: Int) -> Int? {
        guard from < to, let base = baseAddress, let found = memchr(base + from, 0x0A, to - from) else { return nil }
        return UnsafeRawPointer(found) - UnsafeRawPointer(base)
    }
}
