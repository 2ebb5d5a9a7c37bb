/// Route-first decoding of one stdout line into an ``IncomingMessage``.
///
/// The full-tree path (``JSONParser`` then ``MessageMapping`` over ``JSONValue``) builds a
/// dictionary for every object of a line and a `String` for every key and string in it,
/// though a typed message keeps a handful of fields. This instead validates the whole line
/// once without building anything (the same checks as ``JSONParser``, so a malformed line is
/// still refused), noting where each member of the line's object is, and then runs the same
/// ``MessageMapping`` over ``LineView``s of the bytes: only what the typed message holds is
/// built (a few strings and numbers, and a full ``JSONValue`` only where the public API
/// exposes one: tool inputs, `other` and `unknown` cases).
///
/// The member tables of the objects the mapping looks into live on the stack, made when an
/// object is first looked into (an object that does not fit is searched by scanning it).
/// ``decode(_:)`` returns nil for a malformed line or a non-object, which the full-tree path
/// then reports exactly as before. Tests compare both paths on every fixture line and on
/// edge cases:
/// - a duplicate key keeps its last value (lookups search the members from the end);
/// - key order does not matter and unknown members are skipped (but validated);
/// - keys and type names are compared as decoded text: raw bytes when there is no escape,
///   the decoded string otherwise. Byte equality is `String` equality for these names:
///   none contains `K`, `;` or `` ` ``, the only ASCII characters that a non-ASCII one
///   (U+212A, U+037E, U+1FEF) is canonically equivalent to.
enum LineDecoder {
    /// Member-table entries for one line (all objects looked into together) and objects whose
    /// tables fit: together at most 1 KiB, which `withUnsafeTemporaryAllocation` keeps on the
    /// stack (a larger one may go to the heap, costing a malloc per line).
    private static let memberCapacity = 48
    private static let objectCapacity = 16

    /// The message on this line, or nil when it is not a valid JSON object.
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> IncomingMessage? {
        var parser = JSONParser(bytes)
        parser.skipWhitespace()
        let start = parser.index
        // Positions are kept as 32-bit numbers; a longer line (over the framer's 1 GiB limit) is left to the full tree.
        guard start < bytes.count, bytes[start] == UInt8(ascii: "{"), bytes.count <= Int32.max else { return nil }
        let membersSize = MemoryLayout<LineIndex.Member>.stride * memberCapacity
        let objectsSize = MemoryLayout<LineIndex.IndexedObject>.stride * objectCapacity
        // One stack allocation for both tables (a nested one per table costs measurably per line).
        return withUnsafeTemporaryAllocation(byteCount: membersSize + objectsSize, alignment: 16) { raw in
            var index = LineIndex(
                bytes: bytes,
                members: UnsafeMutableRawBufferPointer(rebasing: raw[..<membersSize]).bindMemory(to: LineIndex.Member.self),
                objects: UnsafeMutableRawBufferPointer(rebasing: raw[membersSize...]).bindMemory(to: LineIndex.IndexedObject.self))
            // Validates the whole line and indexes its object on the way.
            guard let end = index.validateObject(at: start) else { return nil }
            parser.index = end
            parser.skipWhitespace()
            guard parser.index == bytes.count else { return nil }
            return withUnsafeMutablePointer(to: &index) { line in
                MessageMapping.message(LineView(line: line, position: start))
            }
        }
    }
}

/// The bytes of one line and the member tables of the objects looked into so far.
struct LineIndex {
    /// Where one member of an object is (key bounds without the quotes).
    struct Member {
        private var storedKeyStart: Int32
        private var storedKeyEnd: Int32
        private var storedValueStart: Int32
        var keyEscaped: Bool

        init(keyStart: Int, keyEnd: Int, valueStart: Int, keyEscaped: Bool) {
            storedKeyStart = Int32(truncatingIfNeeded: keyStart)
            storedKeyEnd = Int32(truncatingIfNeeded: keyEnd)
            storedValueStart = Int32(truncatingIfNeeded: valueStart)
            self.keyEscaped = keyEscaped
        }

        var keyStart: Int { Int(storedKeyStart) }
        var keyEnd: Int { Int(storedKeyEnd) }
        var valueStart: Int { Int(storedValueStart) }
    }

    /// An object whose members are `members[range]`.
    struct IndexedObject {
        private var storedPosition: Int32
        private var storedRange: Range<Int32>

        init(position: Int, range: Range<Int>) {
            storedPosition = Int32(truncatingIfNeeded: position)
            storedRange = Int32(truncatingIfNeeded: range.lowerBound)..<Int32(truncatingIfNeeded: range.upperBound)
        }

        var position: Int { Int(storedPosition) }
        var range: Range<Int> { Int(storedRange.lowerBound)..<Int(storedRange.upperBound) }
    }

    let bytes: UnsafeBufferPointer<UInt8>
    private let members: UnsafeMutableBufferPointer<Member>
    private var membersUsed = 0
    private let objects: UnsafeMutableBufferPointer<IndexedObject>
    private var objectsUsed = 0
    /// The object looked into last.
    private var lastObject = IndexedObject(position: -1, range: 0..<0)

    init(bytes: UnsafeBufferPointer<UInt8>, members: UnsafeMutableBufferPointer<Member>,
         objects: UnsafeMutableBufferPointer<IndexedObject>) {
        self.bytes = bytes
        self.members = members
        self.objects = objects
    }

    /// Validates the object at `position` and indexes it when it fits; where it ends, or nil
    /// when it is not valid.
    mutating func validateObject(at position: Int) -> Int? {
        var parser = JSONParser(bytes, at: position)
        do {
            _ = try index(&parser)
            return parser.index
        } catch {
            return nil
        }
    }

    /// The members of the (valid) object at `position`, indexed on first use; nil when its
    /// table does not fit.
    @inline(__always)
    mutating func members(ofObjectAt position: Int) -> UnsafeMutableBufferPointer<Member>.SubSequence? {
        // Lookups come in runs on the same object.
        lastObject.position == position ? members[lastObject.range] : findMembers(ofObjectAt: position)
    }

    private mutating func findMembers(ofObjectAt position: Int) -> UnsafeMutableBufferPointer<Member>.SubSequence? {
        for object in objects[..<objectsUsed] where object.position == position {
            lastObject = object
            return members[object.range]
        }
        var parser = JSONParser(bytes, at: position)
        guard let range = try? index(&parser) else { return nil }
        return members[range]
    }

    /// Scans the object at the parser, recording its members when they fit.
    private mutating func index(_ parser: inout JSONParser) throws(JSONParser.Failure) -> Range<Int>? {
        let position = parser.index
        let first = membersUsed
        var count = 0
        let room = objectsUsed < objects.count ? members.count - first : 0
        let members = self.members
        try parser.scanMembers { keyStart, keyEnd, escaped, valueStart in
            if count < room {
                members[first + count] = Member(
                    keyStart: keyStart, keyEnd: keyEnd, valueStart: valueStart, keyEscaped: escaped)
            }
            count += 1
        }
        guard objectsUsed < objects.count, count <= room else { return nil }
        membersUsed += count
        lastObject = IndexedObject(position: position, range: first..<(first + count))
        objects[objectsUsed] = lastObject
        objectsUsed += 1
        return first..<(first + count)
    }

    /// True when the key between `keyStart` and `keyEnd` (without the quotes) is `name`.
    @inline(__always)
    static func keyMatches(_ bytes: UnsafeBufferPointer<UInt8>, keyStart: Int, keyEnd: Int, escaped: Bool,
                           _ name: StaticString) -> Bool {
        if escaped {
            var parser = JSONParser(bytes, at: keyStart - 1)
            guard let decoded = try? parser.string() else { return false }
            return decoded.utf8.elementsEqual(name.bytes)
        }
        let count = name.utf8CodeUnitCount
        guard keyEnd - keyStart == count else { return false }
        let text = name.utf8Start
        var i = 0
        while i < count {
            if bytes[keyStart + i] != text[i] { return false }
            i += 1
        }
        return true
    }
}

/// One value of a validated line, read from its bytes where the mapping looks (reading
/// cannot fail: the line is valid).
struct LineView: JSONView {
    private let line: UnsafeMutablePointer<LineIndex>
    private let position: Int

    init(line: UnsafeMutablePointer<LineIndex>, position: Int) {
        self.line = line
        self.position = position
    }

    private var bytes: UnsafeBufferPointer<UInt8> { line.pointee.bytes }

    private var first: UInt8 { bytes[position] }

    private var parser: JSONParser { JSONParser(bytes, at: position) }

    func field(named name: StaticString) -> LineView? {
        guard first == UInt8(ascii: "{") else { return nil }
        if let members = line.pointee.members(ofObjectAt: position) {
            let bytes = self.bytes
            var i = members.endIndex - 1
            while i >= members.startIndex {
                let member = members[i]
                if LineIndex.keyMatches(bytes, keyStart: member.keyStart, keyEnd: member.keyEnd, escaped: member.keyEscaped, name) {
                    return LineView(line: line, position: member.valueStart)
                }
                i -= 1
            }
            return nil
        }
        // Too many members for the stack: the last one with this name, in one scan.
        var found: Int?
        var parser = self.parser
        let bytes = self.bytes
        try? parser.scanMembers { keyStart, keyEnd, escaped, valueStart in
            if LineIndex.keyMatches(bytes, keyStart: keyStart, keyEnd: keyEnd, escaped: escaped, name) { found = valueStart }
        }
        return found.map { LineView(line: line, position: $0) }
    }

    var stringValue: String? {
        guard first == UInt8(ascii: "\"") else { return nil }
        var parser = self.parser
        return try? parser.string()
    }

    func isString(_ text: StaticString) -> Bool {
        guard first == UInt8(ascii: "\"") else { return false }
        let count = text.utf8CodeUnitCount
        let name = text.utf8Start
        var i = 0
        while i < count {
            let byte = bytes[position + 1 + i]
            // An escape may still decode to the same text.
            if byte != name[i] { return byte == UInt8(ascii: "\\") && stringValue?.utf8.elementsEqual(text.bytes) == true }
            i += 1
        }
        // An escape decodes to at least one character, so anything but the quote means longer.
        return bytes[position + 1 + count] == UInt8(ascii: "\"")
    }

    var doubleValue: Double? {
        guard first == UInt8(ascii: "-") || (first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")) else { return nil }
        var parser = self.parser
        return try? parser.number()
    }

    var intValue: Int? { doubleValue.flatMap(JSONValue.truncatedInt) }

    var boolValue: Bool? {
        switch first {
        case UInt8(ascii: "t"): return true
        case UInt8(ascii: "f"): return false
        default: return nil
        }
    }

    var isNull: Bool { first == UInt8(ascii: "n") }

    var arrayValue: Elements? {
        guard first == UInt8(ascii: "[") else { return nil }
        return Elements(line: line, parser: JSONParser(bytes, at: position + 1))
    }

    var json: JSONValue {
        var parser = self.parser
        return (try? parser.value()) ?? .null
    }

    /// The elements of an array, found one after the other.
    struct Elements: Sequence, IteratorProtocol {
        fileprivate let line: UnsafeMutablePointer<LineIndex>
        /// At the next element, or past the end of the array.
        fileprivate var parser: JSONParser
        private var done = false

        fileprivate init(line: UnsafeMutablePointer<LineIndex>, parser: JSONParser) {
            self.line = line
            self.parser = parser
            self.parser.skipWhitespace()
            done = self.parser.bytes[self.parser.index] == UInt8(ascii: "]")
        }

        mutating func next() -> LineView? {
            guard !done else { return nil }
            parser.skipWhitespace()
            let element = LineView(line: line, position: parser.index)
            try? parser.skipValue()
            parser.skipWhitespace()
            if parser.bytes[parser.index] == UInt8(ascii: ",") {
                parser.index += 1
            } else {
                done = true
            }
            return element
        }
    }
}
