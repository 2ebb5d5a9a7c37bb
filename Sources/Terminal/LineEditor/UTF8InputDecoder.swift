/// Turns bytes read from the terminal into Unicode scalars for libedit.
///
/// Replacing libedit's reader means decoding UTF-8 ourselves. A sequence cut
/// between two reads is completed by the next one; invalid bytes are dropped,
/// as libedit itself does.
struct UTF8InputDecoder {
    private var partial: [UInt8] = []
    private var expected = 0
    private var decoded: [Unicode.Scalar] = []
    private var readIndex = 0

    /// Whether decoded scalars are waiting.
    var hasPending: Bool { readIndex < decoded.count }

    /// How many decoded scalars are waiting.
    var pendingCount: Int { decoded.count - readIndex }

    /// The waiting scalar `offset` places ahead, without taking it.
    func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        readIndex + offset < decoded.count ? decoded[readIndex + offset] : nil
    }

    /// Drops `count` waiting scalars.
    mutating func skip(_ count: Int) {
        readIndex = min(decoded.count, readIndex + count)
    }

    /// Adds bytes.
    mutating func feed(_ bytes: some Sequence<UInt8>) {
        if readIndex == decoded.count {
            decoded.removeAll(keepingCapacity: true)
            readIndex = 0
        }
        for byte in bytes { consume(byte) }
    }

    /// The next decoded scalar.
    mutating func next() -> Unicode.Scalar? {
        guard readIndex < decoded.count else { return nil }
        defer { readIndex += 1 }
        return decoded[readIndex]
    }

    private mutating func consume(_ byte: UInt8) {
        if expected > 0 {
            if byte & 0xC0 == 0x80 {
                partial.append(byte)
                if partial.count == expected { finishSequence() }
                return
            }
            partial.removeAll()
            expected = 0
        }
        switch byte {
        case 0x00..<0x80: decoded.append(Unicode.Scalar(byte))
        case 0xC2..<0xE0: begin(byte, length: 2)
        case 0xE0..<0xF0: begin(byte, length: 3)
        case 0xF0..<0xF5: begin(byte, length: 4)
        default: break
        }
    }

    private mutating func begin(_ byte: UInt8, length: Int) {
        partial = [byte]
        expected = length
    }

    private mutating func finishSequence() {
        var value = UInt32(partial[0]) & (expected == 2 ? 0x1F : expected == 3 ? 0x0F : 0x07)
        for byte in partial.dropFirst() { value = value << 6 | UInt32(byte & 0x3F) }
        let minimum: UInt32 = expected == 2 ? 0x80 : expected == 3 ? 0x800 : 0x10000
        if value >= minimum, let scalar = Unicode.Scalar(value) { decoded.append(scalar) }
        partial.removeAll()
        expected = 0
    }
}
