// MARK: - Validation without building

extension JSONParser {
    /// Checks the value at ``index`` exactly as ``value()`` would parse it (the same bytes fail,
    /// under the same depth limit) and moves past it, building nothing.
    mutating func skipValue() throws(Failure) {
        guard index < bytes.count else { throw Failure() }
        switch bytes[index] {
        case UInt8(ascii: "{"): try skipObject()
        case UInt8(ascii: "["): try skipArray()
        case UInt8(ascii: "\""): _ = try skipString()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default: _ = try number()  // also rejects numbers that overflow a Double, as value() does
        }
    }

    /// Validates the object at ``index`` like ``skipValue()`` and reports each member, in order:
    /// `member(keyStart, keyEnd, keyHasEscapes, valueStart)`, key bounds without the quotes.
    mutating func scanMembers(_ member: (Int, Int, Bool, Int) -> Void) throws(Failure) {
        depth += 1
        guard depth <= Self.maximumDepth else { throw Failure() }
        defer { depth -= 1 }
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw Failure() }
            let keyStart = index + 1
            let escaped = try skipString()
            let keyEnd = index - 1
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw Failure() }
            index += 1
            skipWhitespace()
            let valueStart = index
            try skipValue()
            member(keyStart, keyEnd, escaped, valueStart)
            skipWhitespace()
            guard index < bytes.count else { throw Failure() }
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: ",") { continue }
            if byte == UInt8(ascii: "}") { return }
            throw Failure()
        }
    }

    private mutating func skipObject() throws(Failure) {
        try scanMembers { _, _, _, _ in }
    }

    private mutating func skipArray() throws(Failure) {
        depth += 1
        guard depth <= Self.maximumDepth else { throw Failure() }
        defer { depth -= 1 }
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return
        }
        while true {
            skipWhitespace()
            try skipValue()
            skipWhitespace()
            guard index < bytes.count else { throw Failure() }
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: ",") { continue }
            if byte == UInt8(ascii: "]") { return }
            throw Failure()
        }
    }

    /// Validates the string at ``index`` like ``string()`` and moves past it; returns whether
    /// it holds an escape. UTF-8 is checked on the raw bytes: escapes are ASCII and decode to
    /// whole scalars, so the raw bytes are valid exactly when the decoded ones are.
    mutating func skipString() throws(Failure) -> Bool {
        let start = index + 1  // after the opening quote
        let count = bytes.count
        let base = UnsafeRawPointer(bytes.baseAddress!)
        var i = start
        var ascii = true
        var escaped = false
        while i < count {
            // Eight bytes at a time up to the first that needs a look (quote, backslash, control).
            while count - i >= 8 {
                let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                // Non-ASCII (possibly past the end of the string: then validation merely runs).
                if word & 0x8080_8080_8080_8080 != 0 { ascii = false }
                let special = Self.hasZeroByte(word ^ 0x2222_2222_2222_2222)
                    | Self.hasZeroByte(word ^ 0x5C5C_5C5C_5C5C_5C5C)
                    | Self.hasByteBelow0x20(word)
                if special != 0 {
                    // The lowest flagged byte is exact (borrows only run upwards).
                    i += special.trailingZeroBitCount >> 3
                    break
                }
                i += 8
            }
            guard i < count else { break }
            let byte = bytes[i]
            if byte == UInt8(ascii: "\"") {
                guard ascii || Self.isValidUTF8(UnsafeBufferPointer(rebasing: bytes[start..<i])) else {
                    throw Failure()
                }
                index = i + 1
                return escaped
            }
            if byte == UInt8(ascii: "\\") {
                escaped = true
                index = i
                try skipEscape()
                i = index
                continue
            }
            if byte < 0x20 { throw Failure() }
            if byte >= 0x80 { ascii = false }
            i += 1
        }
        throw Failure()
    }

    /// Nonzero when some byte of `word` is zero (exact as to whether; not as to which).
    @inline(__always)
    private static func hasZeroByte(_ word: UInt64) -> UInt64 {
        (word &- 0x0101_0101_0101_0101) & ~word & 0x8080_8080_8080_8080
    }

    /// Nonzero when some byte of `word` is below 0x20.
    @inline(__always)
    private static func hasByteBelow0x20(_ word: UInt64) -> UInt64 {
        (word &- 0x2020_2020_2020_2020) & ~word & 0x8080_8080_8080_8080
    }

    /// One escape sequence at ``index`` (the backslash), checked like ``string()`` decodes it.
    private mutating func skipEscape() throws(Failure) {
        index += 1
        guard index < bytes.count else { throw Failure() }
        let escape = bytes[index]
        index += 1
        switch escape {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
             UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            return
        case UInt8(ascii: "u"):
            _ = try unicodeEscape()
        default:
            throw Failure()
        }
    }
}
