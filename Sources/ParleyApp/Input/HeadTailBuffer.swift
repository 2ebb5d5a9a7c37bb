/// Keeps the first and the last bytes of an output of any length, and counts what it drops,
/// so that a command's output goes into the conversation at a bounded size and says what was
/// cut (`!command`, Docs/Commands.md). Memory stays within about twice the limits.
struct HeadTailBuffer: Sendable {
    let headLimit: Int
    let tailLimit: Int
    private var head: [UInt8] = []
    private var tail: [UInt8] = []
    /// Bytes and newlines seen in all.
    private(set) var totalBytes = 0
    private var totalNewlines = 0

    init(headLimit: Int, tailLimit: Int) {
        self.headLimit = headLimit
        self.tailLimit = tailLimit
    }

    /// Kept to 15 KiB from the start and 15 KiB from the end.
    static func standard() -> HeadTailBuffer { HeadTailBuffer(headLimit: 15 * 1024, tailLimit: 15 * 1024) }

    mutating func append(_ bytes: [UInt8]) {
        totalBytes += bytes.count
        totalNewlines += bytes.reduce(0) { $1 == newline ? $0 + 1 : $0 }
        let intoHead = min(headLimit - head.count, bytes.count)
        head.append(contentsOf: bytes[..<intoHead])
        tail.append(contentsOf: bytes[intoHead...])
        if tail.count > 2 * tailLimit { tail.removeFirst(tail.count - tailLimit) }
    }

    /// Whether anything was dropped.
    var isTruncated: Bool { totalBytes > head.count + min(tail.count, tailLimit) }

    /// The output as text (invalid UTF-8 as U+FFFD). When bytes were dropped, whole lines are
    /// kept where possible and a line in the middle says how many bytes and lines were cut.
    var text: String {
        guard isTruncated else { return String(decoding: head + tail, as: UTF8.self) }
        // Cut at a line end when that keeps at least half of each part, else inside the line
        // (never inside a character).
        let keptHead = head.lastIndex(of: newline).flatMap { $0 >= head.count / 2 ? head[...$0] : nil }
            ?? head.prefix(completePrefixLength(of: head[...]))
        let lastTail = tail.suffix(tailLimit)
        let keptTail = lastTail.firstIndex(of: newline).flatMap { $0 - lastTail.startIndex < lastTail.count / 2 ? lastTail[($0 + 1)...] : nil }
            ?? lastTail.dropFirst(leadingContinuationCount(of: lastTail))
        let cutBytes = totalBytes - keptHead.count - keptTail.count
        let cutLines = totalNewlines - count(newlinesIn: keptHead) - count(newlinesIn: keptTail)
        var text = String(decoding: keptHead, as: UTF8.self)
        if !text.isEmpty && !text.hasSuffix("\n") { text += "\n" }
        text += "[… \(cutBytes) bytes (\(cutLines) lines) cut from the middle …]\n"
        return text + String(decoding: keptTail, as: UTF8.self)
    }

    private var newline: UInt8 { UInt8(ascii: "\n") }

    private func count(newlinesIn bytes: ArraySlice<UInt8>) -> Int {
        bytes.reduce(0) { $1 == newline ? $0 + 1 : $0 }
    }

    /// The length of the longest prefix of `bytes` that does not end inside a UTF-8 character.
    private func completePrefixLength(of bytes: ArraySlice<UInt8>) -> Int {
        var lead = bytes.endIndex
        while lead > bytes.startIndex {
            lead -= 1
            if bytes[lead] & 0xC0 != 0x80 { break }
        }
        guard lead < bytes.endIndex else { return bytes.count }
        let byte = bytes[lead]
        let length = byte < 0x80 ? 1 : byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
        return lead + length > bytes.endIndex ? lead - bytes.startIndex : bytes.count
    }

    /// How many continuation bytes `bytes` starts with (the rest of a character cut off).
    private func leadingContinuationCount(of bytes: ArraySlice<UInt8>) -> Int {
        bytes.prefix { $0 & 0xC0 == 0x80 }.count
    }
}
