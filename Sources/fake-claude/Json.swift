import StreamJSON

/// A tiny ordered JSON builder. Keys keep the order they are written in (the real CLI's
/// key order is arbitrary but stable; the fake mirrors the transcripts'), and serialising
/// is a single pass over UTF-8 bytes: no Foundation encoder on the hot path.
enum J {
    case s(String)
    /// A string already known to need no escaping (plain ASCII without `"`, `\` or
    /// control characters); used for multi-megabyte payloads.
    case safe(String)
    case i(Int)
    case d(Double)
    case b(Bool)
    case null
    /// Pre-serialised JSON text, inserted verbatim.
    case raw(String)
    case o([(String, J)])
    case a([J])

    static func str(_ value: String?) -> J { value.map(J.s) ?? .null }

    /// Compact JSON bytes followed by `\n`.
    var line: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        write(into: &out)
        out.append(10)
        return out
    }

    var text: String {
        var out: [UInt8] = []
        write(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    func write(into out: inout [UInt8]) {
        switch self {
        case .s(let value): appendEscaped(value, &out)
        case .safe(let value):
            out.append(34)
            out.append(contentsOf: value.utf8)
            out.append(34)
        case .i(let value): out.append(contentsOf: String(value).utf8)
        case .d(let value):
            if !value.isFinite {
                out.append(contentsOf: "null".utf8)
            } else if value.rounded() == value, abs(value) < 1e15 {
                out.append(contentsOf: String(Int64(value)).utf8)
            } else {
                out.append(contentsOf: "\(value)".utf8)
            }
        case .b(let value): out.append(contentsOf: (value ? "true" : "false").utf8)
        case .null: out.append(contentsOf: "null".utf8)
        case .raw(let text): out.append(contentsOf: text.utf8)
        case .o(let members):
            out.append(123)
            var first = true
            for (key, value) in members {
                if !first { out.append(44) }
                first = false
                appendEscaped(key, &out)
                out.append(58)
                value.write(into: &out)
            }
            out.append(125)
        case .a(let items):
            out.append(91)
            var first = true
            for item in items {
                if !first { out.append(44) }
                first = false
                item.write(into: &out)
            }
            out.append(93)
        }
    }

    /// Converts a decoded value (tool inputs echoed back, request ids) to the builder form.
    init(_ value: JSONValue) {
        switch value {
        case .null: self = .null
        case .bool(let b): self = .b(b)
        case .number(let n): self = .d(n)
        case .string(let s): self = .s(s)
        case .array(let items): self = .a(items.map(J.init))
        case .object(let members):
            self = .o(members.keys.sorted().map { ($0, J(members[$0]!)) })
        }
    }
}

private let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

func appendEscaped(_ string: String, _ out: inout [UInt8]) {
    out.append(34)
    var copy = string
    copy.withUTF8 { buffer in
        var start = 0
        let count = buffer.count
        var index = 0
        while index < count {
            let byte = buffer[index]
            if byte == 34 || byte == 92 || byte < 0x20 {
                if index > start { out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start..<index])) }
                out.append(92)
                switch byte {
                case 34: out.append(34)
                case 92: out.append(92)
                case 10: out.append(UInt8(ascii: "n"))
                case 13: out.append(UInt8(ascii: "r"))
                case 9: out.append(UInt8(ascii: "t"))
                case 8: out.append(UInt8(ascii: "b"))
                case 12: out.append(UInt8(ascii: "f"))
                default:
                    out.append(contentsOf: [UInt8(ascii: "u"), 48, 48, hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 15)]])
                }
                start = index + 1
            }
            index += 1
        }
        if count > start { out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start..<count])) }
    }
    out.append(34)
}

/// JSON text of a string (quoted and escaped).
func jsonString(_ string: String) -> String {
    var out: [UInt8] = []
    appendEscaped(string, &out)
    return String(decoding: out, as: UTF8.self)
}
