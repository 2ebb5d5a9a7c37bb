/// Small helpers for walking valid UTF-8 (the bytes of a Swift `String`).
///
/// Every Markdown delimiter is ASCII, and in UTF-8 an ASCII byte never occurs
/// inside a multi-byte sequence, so the renderer scans bytes and decodes a
/// scalar only where a rule needs its properties.
enum UTF8Scanning {
    /// The length of the sequence a lead byte starts (1 for ASCII).
    @inline(__always)
    static func sequenceLength(lead: UInt8) -> Int {
        if lead < 0x80 { return 1 }
        if lead < 0xE0 { return 2 }
        if lead < 0xF0 { return 3 }
        return 4
    }

    /// Decodes the scalar at `index`, which must start a sequence of valid UTF-8.
    @inline(__always)
    static func scalar(in bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> (Unicode.Scalar, length: Int) {
        let lead = bytes[index]
        if lead < 0x80 { return (Unicode.Scalar(lead), 1) }
        let length = sequenceLength(lead: lead)
        var value: UInt32
        switch length {
        case 2: value = UInt32(lead & 0x1F)
        case 3: value = UInt32(lead & 0x0F)
        default: value = UInt32(lead & 0x07)
        }
        for offset in 1..<length { value = value << 6 | UInt32(bytes[index + offset] & 0x3F) }
        return (Unicode.Scalar(value) ?? "\u{FFFD}", length)
    }

    /// The last scalar of the non-empty `bytes[start..<end]`.
    @inline(__always)
    static func lastScalar(in bytes: UnsafeBufferPointer<UInt8>, start: Int, end: Int) -> Unicode.Scalar {
        let last = bytes[end - 1]
        if last < 0x80 { return Unicode.Scalar(last) }
        var lead = end - 1
        while lead > start, bytes[lead] & 0xC0 == 0x80 { lead -= 1 }
        return scalar(in: bytes, at: lead).0
    }

    /// Whether a scalar is white space (`Unicode.Scalar.Properties.isWhitespace`),
    /// without the property lookup for ASCII.
    @inline(__always)
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x80 { return value == 0x20 || (value >= 0x09 && value <= 0x0D) }
        return scalar.properties.isWhitespace
    }

    /// Whether a scalar is a letter or a number (alphabetic or with a numeric type),
    /// without the property lookup for ASCII.
    @inline(__always)
    static func isWord(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x80 {
            return (value >= 0x30 && value <= 0x39) || (value | 0x20 >= 0x61 && value | 0x20 <= 0x7A)
        }
        return scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }
}
