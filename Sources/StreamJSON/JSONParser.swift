/// A strict, allocation-light JSON parser producing ``JSONValue``.
///
/// It replaces `JSONDecoder().decode(JSONValue.self, …)` on the hot path: decoding through
/// `Codable` tried each case in turn and threw (and built) a `DecodingError` for every miss,
/// so a `system/init` line with a hundred strings cost hundreds of microseconds. This parser
/// reads the bytes once and accepts exactly RFC 8259 JSON, like `JSONDecoder`: UTF-8 only,
/// no control characters in strings, no leading zeros, `NaN` or trailing commas, at most 512
/// levels of nesting, nothing but whitespace after the value. Numbers become `Double` (as
/// before); a duplicate key keeps its last value. Where it differs from Foundation on purpose
/// (a lone surrogate escape becomes U+FFFD; no trailing commas, byte-order marks or UTF-16),
/// `JSONParserDifferentialTests` shows it and Docs/Protocol.md §12 says why.
struct JSONParser {
    struct Failure: Error {}

    let bytes: UnsafeBufferPointer<UInt8>
    /// The next byte to read.
    var index: Int
    /// Containers open around ``index`` (the limit applies to the whole line).
    var depth = 0
    static let maximumDepth = 512

    /// A parser positioned at `index` (``LineDecoder`` reads single values of a validated line).
    init(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int = 0) {
        self.bytes = bytes
        self.index = index
    }

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(Failure) -> JSONValue {
        var parser = JSONParser(bytes)
        parser.skipWhitespace()
        let value = try parser.value()
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw Failure() }
        return value
    }

    static func parse(_ bytes: some Collection<UInt8>) throws(Failure) -> JSONValue {
        let result: Result<JSONValue, Failure>? = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(Failure) -> JSONValue in try parse(buffer) }
        }
        if let result { return try result.get() }
        let copy = Array(bytes)
        return try copy.withUnsafeBufferPointer { buffer in
            Result { () throws(Failure) -> JSONValue in try parse(buffer) }
        }.get()
    }

    // MARK: Values

    mutating func value() throws(Failure) -> JSONValue {
        guard index < bytes.count else { throw Failure() }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default: return .number(try number())
        }
    }

    private mutating func object() throws(Failure) -> JSONValue {
        depth += 1
        guard depth <= Self.maximumDepth else { throw Failure() }
        defer { depth -= 1 }
        index += 1
        // Members are collected first and hashed once into a dictionary of the right size.
        var members: [(String, JSONValue)] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object([:])
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw Failure() }
            let key = try string()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw Failure() }
            index += 1
            skipWhitespace()
            members.append((key, try value()))
            skipWhitespace()
            guard index < bytes.count else { throw Failure() }
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: ",") { continue }
            if byte == UInt8(ascii: "}") { return .object(Dictionary(members, uniquingKeysWith: { _, last in last })) }
            throw Failure()
        }
    }

    private mutating func array() throws(Failure) -> JSONValue {
        depth += 1
        guard depth <= Self.maximumDepth else { throw Failure() }
        defer { depth -= 1 }
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try value())
            skipWhitespace()
            guard index < bytes.count else { throw Failure() }
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: ",") { continue }
            if byte == UInt8(ascii: "]") { return .array(elements) }
            throw Failure()
        }
    }

    mutating func literal(_ word: StaticString) throws(Failure) {
        let count = word.utf8CodeUnitCount
        guard bytes.count - index >= count else { throw Failure() }
        let start = word.utf8Start
        for offset in 0..<count where bytes[index + offset] != start[offset] { throw Failure() }
        index += count
    }

    // MARK: Numbers

    mutating func number() throws(Failure) -> Double {
        let start = index
        func digit(_ i: Int) -> Bool { i < bytes.count && bytes[i] >= UInt8(ascii: "0") && bytes[i] <= UInt8(ascii: "9") }
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard digit(index) else { throw Failure() }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if digit(index) { throw Failure() }  // leading zero
        } else {
            while digit(index) { index += 1 }
        }
        var integral = true
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            integral = false
            index += 1
            guard digit(index) else { throw Failure() }
            while digit(index) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            integral = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digit(index) else { throw Failure() }
            while digit(index) { index += 1 }
        }
        let length = index - start
        // Short integers (ids, counts, token numbers) without going through text.
        if integral, length <= 15 {
            var value: Int64 = 0
            var i = start
            let negative = bytes[i] == UInt8(ascii: "-")
            if negative { i += 1 }
            while i < index {
                value = value * 10 + Int64(bytes[i] - UInt8(ascii: "0"))
                i += 1
            }
            return negative ? (value == 0 ? -0.0 : -Double(value)) : Double(value)
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else { throw Failure() }
        return value
    }

    // MARK: Strings

    mutating func string() throws(Failure) -> String {
        index += 1  // opening quote
        let start = index
        // Fast path: no escapes. Scan to the closing quote; reject control characters.
        var ascii = true
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: bytes[start..<index])
                index += 1
                guard ascii || Self.isValidUTF8(slice) else { throw Failure() }
                return String(decoding: slice, as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw Failure() }
            if byte >= 0x80 { ascii = false }
            index += 1
        }
        guard index < bytes.count else { throw Failure() }
        // Slow path: copy the plain prefix, then decode escapes.
        var buffer: [UInt8] = []
        buffer.reserveCapacity(index - start + 16)
        buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return try buffer.withUnsafeBufferPointer { copy throws(Failure) -> String in
                    guard Self.isValidUTF8(copy) else { throw Failure() }
                    return String(decoding: copy, as: UTF8.self)
                }
            }
            if byte < 0x20 { throw Failure() }
            if byte != UInt8(ascii: "\\") {
                // Copy a run of plain bytes at once.
                let runStart = index
                while index < bytes.count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\"),
                      bytes[index] >= 0x20 {
                    index += 1
                }
                buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                continue
            }
            index += 1
            guard index < bytes.count else { throw Failure() }
            let escape = bytes[index]
            index += 1
            switch escape {
            case UInt8(ascii: "\""): buffer.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): buffer.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "/"): buffer.append(UInt8(ascii: "/"))
            case UInt8(ascii: "b"): buffer.append(0x08)
            case UInt8(ascii: "f"): buffer.append(0x0C)
            case UInt8(ascii: "n"): buffer.append(0x0A)
            case UInt8(ascii: "r"): buffer.append(0x0D)
            case UInt8(ascii: "t"): buffer.append(0x09)
            case UInt8(ascii: "u"):
                buffer.append(contentsOf: UTF8.encode(try unicodeEscape())!)
            default:
                throw Failure()
            }
        }
        throw Failure()
    }

    /// The scalar of a `\uXXXX` escape whose `\u` has been read, with a following escaped low
    /// surrogate when it is a high one. A lone surrogate (a high one not followed by a low one,
    /// or a low one alone) is valid JSON text: JavaScript's `JSON.stringify` writes one when a
    /// string is cut between the halves of an emoji. It has no Unicode scalar, so it becomes
    /// U+FFFD, as invalid UTF-8 does when Swift decodes it.
    mutating func unicodeEscape() throws(Failure) -> Unicode.Scalar {
        let scalar = try hex4()
        if (0xDC00..<0xE000).contains(scalar) { return Self.replacement }
        guard (0xD800..<0xDC00).contains(scalar) else { return Unicode.Scalar(scalar)! }
        // A high surrogate pairs with an escaped low surrogate that follows at once; anything
        // else (including another high surrogate) is read on its own afterwards.
        guard bytes.count - index >= 6, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
        else { return Self.replacement }
        var next = self
        next.index += 2
        let low = try next.hex4()
        guard (0xDC00..<0xE000).contains(low) else { return Self.replacement }
        index = next.index
        return Unicode.Scalar(0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00))!
    }

    private static let replacement: Unicode.Scalar = "\u{FFFD}"

    mutating func hex4() throws(Failure) -> UInt32 {
        guard bytes.count - index >= 4 else { throw Failure() }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw Failure()
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    /// Strict UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF), as `JSONDecoder` requires.
    static func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let n = bytes.count
        while i < n {
            let b0 = bytes[i]
            if b0 < 0x80 { i += 1; continue }
            func continuation(_ k: Int) -> Bool { i + k < n && bytes[i + k] & 0xC0 == 0x80 }
            switch b0 {
            case 0xC2...0xDF:
                guard continuation(1) else { return false }
                i += 2
            case 0xE0...0xEF:
                guard continuation(1), continuation(2) else { return false }
                let b1 = bytes[i + 1]
                if b0 == 0xE0 && b1 < 0xA0 { return false }  // overlong
                if b0 == 0xED && b1 >= 0xA0 { return false }  // surrogate
                i += 3
            case 0xF0...0xF4:
                guard continuation(1), continuation(2), continuation(3) else { return false }
                let b1 = bytes[i + 1]
                if b0 == 0xF0 && b1 < 0x90 { return false }  // overlong
                if b0 == 0xF4 && b1 >= 0x90 { return false }  // above U+10FFFF
                i += 4
            default:
                return false
            }
        }
        return true
    }

    // MARK: Whitespace

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }
}
