import Foundation

/// Small helpers around JSONSerialization (values stay inside one thread).
enum JSON {
    static func parse(_ bytes: [UInt8]) -> Any? {
        guard !bytes.isEmpty else { return nil }
        return try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
    }

    static func parse(_ string: String) -> Any? { parse(Array(string.utf8)) }

    static func bytes(_ value: Any, sorted: Bool = true) -> [UInt8] {
        var opts: JSONSerialization.WritingOptions = [.fragmentsAllowed, .withoutEscapingSlashes]
        if sorted { opts.insert(.sortedKeys) }
        guard let data = try? JSONSerialization.data(withJSONObject: value, options: opts) else {
            return Array("null".utf8)
        }
        return Array(data)
    }

    static func string(_ value: Any, sorted: Bool = false) -> String {
        String(decoding: bytes(value, sorted: sorted), as: UTF8.self)
    }

    /// The index just past a balanced JSON object/array that starts at `start` (string-aware), or nil.
    static func balancedEnd(in chars: [Character], from start: Int) -> Int? {
        var depth = 0
        var inString = false
        var escaped = false
        var i = start
        while i < chars.count {
            let c = chars[i]
            if inString {
                if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inString = false }
            } else {
                switch c {
                case "\"": inString = true
                case "{", "[": depth += 1
                case "}", "]":
                    depth -= 1
                    if depth == 0 { return i + 1 }
                default: break
                }
            }
            i += 1
        }
        return nil
    }
}
