import Foundation
import ParleyTestSupport
import Testing
@testable import StreamJSON

/// ``JSONParser`` against Foundation's `JSONSerialization` (the parser `JSONDecoder` uses):
/// both accept or both reject, and what both accept has equal values. Where they differ on
/// purpose (Docs/Protocol.md §12), the difference is named here and the
/// input is normalised so that the rest of it must still agree:
/// - a lone UTF-16 surrogate escape: the parser reads U+FFFD, Foundation rejects the text;
/// - a trailing comma (`[1,]`, `{"a":1,}`): Foundation accepts it, the parser (RFC 8259) does not;
/// - text that is not UTF-8 (a byte-order mark, UTF-16 or UTF-32, which Foundation detects
///   from the first bytes): Foundation may accept it, the parser reads UTF-8 only;
/// - integers beyond 2^53: Foundation keeps them exact, the parser rounds them to `Double`;
/// - a U+FEFF that begins a run of unescaped text in a string: Foundation drops it;
/// - an out-of-range number under a key that a later duplicate replaces: Foundation never
///   reads it and accepts the text.
/// Duplicate keys (the last one wins), numbers out of `Double`'s range (both reject) and the
/// 512-level nesting limit are the same in both.
@Suite struct JSONParserDifferentialTests {
    // MARK: The comparison

    enum Difference: Equatable {
        case loneSurrogate
        case trailingComma
        case notUTF8
        /// Foundation drops a U+FEFF that begins a run of unescaped text in a string (the
        /// UTF-8 decoding it uses for each run takes it for a byte-order mark); the parser keeps it.
        case zeroWidthNoBreakSpace
        /// Foundation reads a number only when it is used, so an out-of-range one under a key
        /// that a later duplicate replaces passes; the parser rejects it.
        case unreadOutOfRangeNumber
    }

    /// Checks one input; returns the named difference it showed, if any.
    @discardableResult
    func expectAgreement(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> Difference? {
        let ours = try? JSONParser.parse(bytes)
        let theirs = Self.foundation(bytes)
        let shown = String(decoding: bytes.prefix(200), as: UTF8.self)
        switch (ours, theirs) {
        case (let ours?, let theirs?):
            if Self.agree(ours, theirs) { return nil }
            #expect(Self.agree(ours, theirs, ignoringFEFF: true), "values differ: \(shown)", sourceLocation: sourceLocation)
            return .zeroWidthNoBreakSpace
        case (nil, nil):
            return nil
        case (let ours?, nil):
            // Only a lone surrogate: with U+FFFD escaped in its place Foundation must agree.
            let replaced = Self.replacingLoneSurrogates(bytes)
            guard replaced != bytes, let theirs = Self.foundation(replaced) else {
                Issue.record("only the parser accepts: \(shown)", sourceLocation: sourceLocation)
                return nil
            }
            #expect(Self.agree(ours, theirs, ignoringFEFF: true), "values differ after U+FFFD: \(shown)",
                    sourceLocation: sourceLocation)
            return .loneSurrogate
        case (nil, let theirs?):
            if Self.looksNotUTF8(bytes) { return .notUTF8 }
            // Only trailing commas: without them the parser must accept the same value.
            let trimmed = Self.removingTrailingCommas(bytes)
            if trimmed != bytes, let ours = try? JSONParser.parse(trimmed) {
                #expect(Self.agree(ours, theirs, ignoringFEFF: true), "values differ without trailing commas: \(shown)",
                        sourceLocation: sourceLocation)
                return .trailingComma
            }
            // Only a number out of range that Foundation never read: with 0 in its place the
            // parser must accept the same value.
            let zeroed = Self.zeroingOutOfRangeNumbers(trimmed)
            guard zeroed != trimmed, let ours = try? JSONParser.parse(zeroed) else {
                Issue.record("only Foundation accepts: \(shown)", sourceLocation: sourceLocation)
                return nil
            }
            #expect(Self.agree(ours, theirs, ignoringFEFF: true), "values differ with 0 for a huge number: \(shown)",
                    sourceLocation: sourceLocation)
            return .unreadOutOfRangeNumber
        }
    }

    /// Foundation's reading of `bytes` as a ``JSONValue``; nil when it rejects them. Big
    /// integers (kept exact by Foundation) become the nearest `Double`, as in the parser.
    static func foundation(_ bytes: [UInt8]) -> JSONValue? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) else {
            return nil
        }
        return value(object)
    }

    private static func value(_ object: Any) -> JSONValue {
        switch object {
        case is NSNull: return .null
        case let number as NSNumber:
            if number === NSNumber(value: true) { return .bool(true) }
            if number === NSNumber(value: false) { return .bool(false) }
            if number is NSDecimalNumber { return .number(Double(number.stringValue) ?? .nan) }
            return .number(number.doubleValue)
        case let text as String: return .string(text)
        case let array as [Any]: return .array(array.map(value))
        case let members as [String: Any]: return .object(members.mapValues(value))
        default: return .string("unexpected \(type(of: object))")
        }
    }

    /// Equal values; strings scalar by scalar (not merely canonically equivalent), or
    /// `ignoringFEFF` after taking U+FEFF out of every string and key.
    static func agree(_ a: JSONValue, _ b: JSONValue, ignoringFEFF: Bool = false) -> Bool {
        func text(_ string: String) -> [Unicode.Scalar] {
            ignoringFEFF ? string.unicodeScalars.filter { $0 != "\u{FEFF}" } : Array(string.unicodeScalars)
        }
        // Keys that differ only by U+FEFF become one key for Foundation (its last value), two for the parser.
        func members(_ object: [String: JSONValue]) -> [String: [JSONValue]] {
            Dictionary(grouping: object, by: { String(String.UnicodeScalarView(text($0.key))) }).mapValues { $0.map(\.value) }
        }
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(let x), .number(let y)): return x == y
        case (.string(let x), .string(let y)): return text(x) == text(y)
        case (.array(let x), .array(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { agree($0, $1, ignoringFEFF: ignoringFEFF) }
        case (.object(let x), .object(let y)):
            let (x, y) = (members(x), members(y))
            return x.count == y.count && x.allSatisfy { key, values in
                y[key].map { theirs in
                    values.contains { ours in theirs.contains { agree(ours, $0, ignoringFEFF: ignoringFEFF) } }
                } ?? false
            }
        default: return false
        }
    }

    // MARK: Normalising the named differences

    /// Foundation guesses UTF-16 or UTF-32 from a byte-order mark or a zero byte among the
    /// first four; the parser reads UTF-8 only.
    static func looksNotUTF8(_ bytes: [UInt8]) -> Bool {
        bytes.starts(with: [0xEF, 0xBB, 0xBF]) || bytes.starts(with: [0xFE, 0xFF]) || bytes.starts(with: [0xFF, 0xFE])
            || bytes.prefix(4).contains(0)
    }

    /// `bytes` (valid JSON for the parser) with each lone surrogate escape spelled `\ufffd`.
    static func replacingLoneSurrogates(_ bytes: [UInt8]) -> [UInt8] {
        func hex(_ i: Int) -> UInt32? {
            guard i + 6 <= bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else { return nil }
            return UInt32(String(decoding: bytes[(i + 2)..<(i + 6)], as: UTF8.self), radix: 16)
        }
        var out: [UInt8] = []
        var inString = false
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            if !inString {
                if byte == UInt8(ascii: "\"") { inString = true }
                out.append(byte)
                i += 1
                continue
            }
            if byte == UInt8(ascii: "\"") { inString = false }
            guard byte == UInt8(ascii: "\\"), let unit = hex(i) else {
                // A plain byte, or a two-byte escape copied whole.
                let length = byte == UInt8(ascii: "\\") ? 2 : 1
                out.append(contentsOf: bytes[i..<min(bytes.count, i + length)])
                i += length
                continue
            }
            if (0xD800..<0xDC00).contains(unit), let low = hex(i + 6), (0xDC00..<0xE000).contains(low) {
                out.append(contentsOf: bytes[i..<(i + 12)])
                i += 12
            } else if (0xD800..<0xE000).contains(unit) {
                out.append(contentsOf: #"\ufffd"#.utf8)
                i += 6
            } else {
                out.append(contentsOf: bytes[i..<(i + 6)])
                i += 6
            }
        }
        return out
    }

    /// `bytes` with 0 for each number (outside strings) that is out of `Double`'s range.
    static func zeroingOutOfRangeNumbers(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var inString = false
        var i = 0
        let numberBytes = Set(Array("0123456789+-.eE".utf8))
        while i < bytes.count {
            let byte = bytes[i]
            if inString {
                if byte == UInt8(ascii: "\\"), i + 1 < bytes.count {
                    out.append(contentsOf: [byte, bytes[i + 1]])
                    i += 2
                    continue
                }
                if byte == UInt8(ascii: "\"") { inString = false }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if byte == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                var end = i
                while end < bytes.count, numberBytes.contains(bytes[end]) { end += 1 }
                let token = Array(bytes[i..<end])
                let value = Double(String(decoding: token, as: UTF8.self))
                out.append(contentsOf: value?.isInfinite == true ? Array("0".utf8) : token)
                i = end
                continue
            }
            out.append(byte)
            i += 1
        }
        return out
    }

    /// `bytes` without the commas that are followed (after whitespace) by `]` or `}`, outside strings.
    static func removingTrailingCommas(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var inString = false
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            if inString {
                if byte == UInt8(ascii: "\\"), i + 1 < bytes.count {
                    out.append(contentsOf: [byte, bytes[i + 1]])
                    i += 2
                    continue
                }
                if byte == UInt8(ascii: "\"") { inString = false }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if byte == UInt8(ascii: ",") {
                var j = i + 1
                while j < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[j]) { j += 1 }
                if j < bytes.count, bytes[j] == UInt8(ascii: "]") || bytes[j] == UInt8(ascii: "}") {
                    i += 1
                    continue
                }
            }
            out.append(byte)
            i += 1
        }
        return out
    }

    // MARK: Inputs

    @Test func everyFixtureLineAgrees() {
        let lines = LineDecoderTests.allFixtureLines
        #expect(lines.count > 300)
        for line in lines { #expect(expectAgreement(line) == nil) }
    }

    @Test func randomDocumentsAgree() {
        var random = SeededGenerator(seed: 0x5EED_0001)
        var differences: [Difference: Int] = [:]
        for _ in 0..<3000 {
            let document = RandomJSON.document(&random)
            if let difference = expectAgreement(document) { differences[difference, default: 0] += 1 }
        }
        // The generator writes lone surrogates now and then, and nothing else Foundation treats apart.
        #expect(differences[.loneSurrogate, default: 0] > 20)
        #expect(differences[.trailingComma] == nil && differences[.notUTF8] == nil)
    }

    @Test func mutatedDocumentsAndFixtureLinesAgree() {
        var random = SeededGenerator(seed: 0x5EED_0002)
        var inputs = (0..<400).map { _ in RandomJSON.document(&random) }
        inputs += LineDecoderTests.allFixtureLines.filter { $0.count < 2000 }
        var differences: [Difference: Int] = [:]
        for input in inputs {
            for _ in 0..<12 {
                let mutated = RandomJSON.mutate(input, &random)
                if let difference = expectAgreement(mutated) { differences[difference, default: 0] += 1 }
            }
        }
        // Mutations make commas trailing and surrogates lone; each path above was taken.
        #expect(differences[.trailingComma, default: 0] > 0)
        #expect(differences[.loneSurrogate, default: 0] > 0)
    }

    /// The edges, one by one: each named difference, and the cases where both must agree.
    @Test func edgeCases() {
        let agreeing = [
            #"{"a":1,"a":2}"#, "1e400", "-1e400", "1e-400", "1.7976931348623157e308", "1.7976931348623159e308",
            "2.2250738585072014e-308", "4.9e-324", "5e-324", "-0", "-0.0", "0e0", "9007199254740993",
            "-9223372036854775808", "18446744073709551615", "18446744073709551616", "123456789012345678901234567890",
            "01", "-", "1.", ".5", "+1", "1e", "NaN", "Infinity", "[1 2]", "{\"a\" 1}", "[,1]", "[1,,2]",
            #""\x""#, #""\U0041""#, #""\ud83d\ude00""#, "\"\u{7f}\"", "\"\t\"", "", " ", "nul", "truex", "[1]]",
            #""\uD83D\uDE00\u00e9\/\b\f\n\r\t\"\\""#, " \t\r\n[ 1 , { \"k\" : [ ] } ] \n",
            String(repeating: "[", count: 512) + String(repeating: "]", count: 512),
            String(repeating: "[", count: 513) + String(repeating: "]", count: 513),
        ]
        for text in agreeing { #expect(expectAgreement(Array(text.utf8)) == nil, "\(text.prefix(40))") }
        for text in [#""\ud83d""#, #""\udc00""#, #""\ud83d\u0041""#, #"{"\ud800":"\udfff\ud800"}"#] {
            #expect(expectAgreement(Array(text.utf8)) == .loneSurrogate, "\(text)")
        }
        for text in ["[1,]", "{\"a\":1,}", "{\"a\":[1,],}", "[[],\n]"] {
            #expect(expectAgreement(Array(text.utf8)) == .trailingComma, "\(text)")
        }
        for text in ["\"\u{FEFF}a\"", "[\"\\n\u{FEFF}a\"]", "{\"\u{FEFF}k\":1}"] {
            #expect(expectAgreement(Array(text.utf8)) == .zeroWidthNoBreakSpace, "\(text)")
        }
        #expect(expectAgreement(Array(#"{"a":1e400,"a":1}"#.utf8)) == .unreadOutOfRangeNumber)
        #expect(expectAgreement(Array(#"{"a":1e400}"#.utf8)) == nil)
        for bytes: [UInt8] in [[0xEF, 0xBB, 0xBF, 0x5B, 0x5D], [0xFF, 0xFE, 0x5B, 0x00, 0x5D, 0x00], [0x5B, 0x00, 0x31, 0x00, 0x5D, 0x00]] {
            #expect(expectAgreement(bytes) == .notUTF8)
        }
    }
}


/// Random JSON text: nesting, escapes, numbers at the edges, Unicode, random whitespace.
enum RandomJSON {
    static func document(_ random: inout SeededGenerator) -> [UInt8] {
        var out: [UInt8] = []
        if Int.random(in: 0..<40, using: &random) == 0 {
            // Near the nesting limit.
            let depth = Int.random(in: 505...515, using: &random)
            out += Array(repeating: UInt8(ascii: "["), count: depth) + Array(repeating: UInt8(ascii: "]"), count: depth)
            return out
        }
        whitespace(&out, &random)
        value(&out, depth: 0, &random)
        whitespace(&out, &random)
        return out
    }

    private static func value(_ out: inout [UInt8], depth: Int, _ random: inout SeededGenerator) {
        let pick = Int.random(in: 0..<(depth < 6 ? 10 : 6), using: &random)
        switch pick {
        case 0: out += Array("null".utf8)
        case 1: out += Array((Bool.random(using: &random) ? "true" : "false").utf8)
        case 2, 3: number(&out, &random)
        case 4, 5: string(&out, &random)
        case 6, 7:
            out.append(UInt8(ascii: "["))
            for index in 0..<Int.random(in: 0...4, using: &random) {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                whitespace(&out, &random)
                value(&out, depth: depth + 1, &random)
                whitespace(&out, &random)
            }
            out.append(UInt8(ascii: "]"))
        default:
            out.append(UInt8(ascii: "{"))
            var keys: [[UInt8]] = []
            for index in 0..<Int.random(in: 0...4, using: &random) {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                whitespace(&out, &random)
                // Now and then a key again (the last one wins in both).
                if let earlier = keys.randomElement(using: &random), Int.random(in: 0..<4, using: &random) == 0 {
                    out += earlier
                } else {
                    var key: [UInt8] = []
                    string(&key, &random)
                    keys.append(key)
                    out += key
                }
                whitespace(&out, &random)
                out.append(UInt8(ascii: ":"))
                whitespace(&out, &random)
                value(&out, depth: depth + 1, &random)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static let edgeNumbers = [
        "0", "-0", "0.0", "-0.0", "1", "-1", "0.1", "1e308", "-1e308", "1.7976931348623157e308", "2.2250738585072014e-308",
        "4.9e-324", "5e-324", "1e-400", "2.5e-324", "9007199254740992", "9007199254740993", "-9223372036854775808",
        "9223372036854775807", "18446744073709551616", "123456789012345678901234567890", "1E+2", "1e-2", "123.456e-7",
        "999999999999999", "1000000000000000", "0.30000000000000004", "6.02214076e23",
    ]

    private static func number(_ out: inout [UInt8], _ random: inout SeededGenerator) {
        if Bool.random(using: &random) {
            out += Array(edgeNumbers.randomElement(using: &random)!.utf8)
            return
        }
        var text = Bool.random(using: &random) ? "-" : ""
        let integer = Int.random(in: 0..<4, using: &random) == 0 ? 0 : Int.random(in: 1...Int(Int32.max), using: &random)
        text += String(integer)
        if Bool.random(using: &random) { text += "." + String(Int.random(in: 0...99999, using: &random)) }
        if Bool.random(using: &random) {
            text += ["e", "E", "e+", "e-", "E-"].randomElement(using: &random)! + String(Int.random(in: 0...330, using: &random))
        }
        out += Array(text.utf8)
    }

    private static let pieces: [String] = [
        "a", "Z", " ", "~", "é", "€", "𝄞", "😀", "👩‍👩‍👧", "\u{7f}", "\u{80}", "\u{FEFF}", "\u{FFFD}", "K", "\u{212A}",
        #"\""#, #"\\"#, #"\/"#, #"\b"#, #"\f"#, #"\n"#, #"\r"#, #"\t"#, #"\u0000"#, #"\u001f"#, #"\u00e9"#, #"\u20AC"#,
        #"\uD834\uDD1E"#, #"\ud83d\ude00"#, #"\uFFFF"#, #"\u0041"#,
    ]

    private static func string(_ out: inout [UInt8], _ random: inout SeededGenerator) {
        out.append(UInt8(ascii: "\""))
        for _ in 0..<Int.random(in: 0...8, using: &random) {
            if Int.random(in: 0..<60, using: &random) == 0 {
                // A lone surrogate: high or low, alone or before something that is not its pair.
                out += Array(([#"\ud83d"#, #"\uDE00"#, #"\udbff"#, #"\udc00\ud800"#].randomElement(using: &random)!).utf8)
            } else {
                out += Array(pieces.randomElement(using: &random)!.utf8)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func whitespace(_ out: inout [UInt8], _ random: inout SeededGenerator) {
        guard Int.random(in: 0..<4, using: &random) == 0 else { return }
        for _ in 0..<Int.random(in: 1...3, using: &random) { out.append([0x20, 0x09, 0x0A, 0x0D].randomElement(using: &random)!) }
    }

    private static let mutationBytes: [UInt8] = Array(#"{}[]:,"\ 0123456789-+.eEtrufalsn/u"#.utf8)
        + [0x00, 0x09, 0x1F, 0x7F, 0x80, 0xBF, 0xC0, 0xC3, 0xE0, 0xED, 0xF0, 0xF4, 0xF5, 0xFF]

    /// One to three random edits: replace, insert or delete a byte, cut the end, repeat a piece,
    /// put a comma before a closing bracket, or write a surrogate escape.
    static func mutate(_ input: [UInt8], _ random: inout SeededGenerator) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            let position = Int.random(in: 0...bytes.count, using: &random)
            switch Int.random(in: 0..<7, using: &random) {
            case 0 where position < bytes.count: bytes[position] = mutationBytes.randomElement(using: &random)!
            case 1: bytes.insert(mutationBytes.randomElement(using: &random)!, at: position)
            case 2 where position < bytes.count: bytes.remove(at: position)
            case 3: bytes.removeSubrange(position...)
            case 4 where position < bytes.count:
                let end = min(bytes.count, position + Int.random(in: 1...16, using: &random))
                bytes.insert(contentsOf: Array(bytes[position..<end]), at: position)
            case 5:
                if let close = bytes.indices.filter({ bytes[$0] == UInt8(ascii: "]") || bytes[$0] == UInt8(ascii: "}") })
                    .randomElement(using: &random) {
                    bytes.insert(UInt8(ascii: ","), at: close)
                }
            default:
                bytes.insert(contentsOf: Array(#"\ud83d"#.utf8), at: position)
            }
        }
        return bytes
    }
}
