/// Finds the line and column where each key of a TOML document is written.
///
/// TOMLKit parses the document but does not say where a value came from, so diagnostics about
/// keys (an unknown key, a value of the wrong type) find their line here. This is not a
/// parser: it assumes the document already parsed, and only recognises enough of the syntax
/// to do its job: table headers (`[personas.reviewer]`, `[[…]]`), keys before `=` (bare,
/// quoted and dotted), and strings, comments and brackets in values so that their contents,
/// including multi-line strings and arrays, are never mistaken for keys.
///
/// Keys inside inline tables are not recorded; ``position(of:)`` then answers with the
/// position of the nearest enclosing key, which is on the same line.
struct TOMLKeyLocator {
    /// A 1-based line and column.
    struct Position: Equatable {
        var line: Int
        var column: Int
    }

    private var positions: [[String]: Position] = [:]

    init(text: String) {
        var table: [String] = []
        var openString: String?  // the closing delimiter of a multi-line string in progress
        var depth = 0  // open brackets and braces inside a value that spans lines
        var lineNumber = 0
        // "\r\n" is a single Character in Swift, so both line endings are separators.
        let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        for line in lines {
            lineNumber += 1
            let characters = Array(line)
            var index = 0
            if openString == nil && depth == 0 {
                Self.skipWhitespace(characters, &index)
                guard index < characters.count, characters[index] != "#" else { continue }
                if characters[index] == "[" {
                    index += characters.dropFirst(index).starts(with: ["[", "["]) ? 2 : 1
                    Self.skipWhitespace(characters, &index)
                    let column = index + 1
                    if let path = Self.parseKey(characters, &index) {
                        table = path
                        record(path, Position(line: lineNumber, column: column))
                    }
                    continue
                }
                let column = index + 1
                guard let path = Self.parseKey(characters, &index) else { continue }
                Self.skipWhitespace(characters, &index)
                guard index < characters.count, characters[index] == "=" else { continue }
                index += 1
                record(table + path, Position(line: lineNumber, column: column))
            }
            Self.scanValue(characters, from: index, openString: &openString, depth: &depth)
        }
    }

    /// The position of the key at `path` (table names and key, outermost first), or of its
    /// nearest recorded ancestor, or `nil` when not even the outermost table is written down.
    func position(of path: [String]) -> Position? {
        var path = path
        while !path.isEmpty {
            if let position = positions[path] { return position }
            path.removeLast()
        }
        return nil
    }

    /// Records the first position of `path` and of each of its prefixes.
    private mutating func record(_ path: [String], _ position: Position) {
        guard !path.isEmpty else { return }
        for length in 1...path.count {
            let prefix = Array(path.prefix(length))
            if positions[prefix] == nil { positions[prefix] = position }
        }
    }

    private static func skipWhitespace(_ characters: [Character], _ index: inout Int) {
        while index < characters.count, characters[index] == " " || characters[index] == "\t" { index += 1 }
    }

    private static func isBareKeyCharacter(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || character == "_" || character == "-")
    }

    /// Parses a possibly dotted key starting at `index`; leaves `index` after it.
    private static func parseKey(_ characters: [Character], _ index: inout Int) -> [String]? {
        var parts: [String] = []
        while true {
            skipWhitespace(characters, &index)
            guard index < characters.count else { return nil }
            var part = ""
            switch characters[index] {
            case "\"":
                index += 1
                while index < characters.count, characters[index] != "\"" {
                    if characters[index] == "\\", index + 1 < characters.count {
                        index += 1
                        switch characters[index] {
                        case "n": part.append("\n")
                        case "t": part.append("\t")
                        case "r": part.append("\r")
                        default: part.append(characters[index])
                        }
                    } else {
                        part.append(characters[index])
                    }
                    index += 1
                }
                guard index < characters.count else { return nil }
                index += 1
            case "'":
                index += 1
                while index < characters.count, characters[index] != "'" {
                    part.append(characters[index])
                    index += 1
                }
                guard index < characters.count else { return nil }
                index += 1
            case let character where isBareKeyCharacter(character):
                while index < characters.count, isBareKeyCharacter(characters[index]) {
                    part.append(characters[index])
                    index += 1
                }
            default:
                return nil
            }
            parts.append(part)
            skipWhitespace(characters, &index)
            guard index < characters.count, characters[index] == "." else { return parts }
            index += 1
        }
    }

    /// Skips over a value (or the rest of one begun on an earlier line), tracking multi-line
    /// strings and unclosed brackets so the next lines are read in the right state.
    private static func scanValue(_ characters: [Character], from start: Int, openString: inout String?,
                                  depth: inout Int) {
        var index = start
        func closes(_ delimiter: String, at position: Int) -> Bool {
            characters.dropFirst(position).starts(with: Array(delimiter))
        }
        while index < characters.count {
            if let delimiter = openString {
                // Inside a multi-line string: look for its end on this line.
                while index < characters.count {
                    if delimiter == "\"\"\"", characters[index] == "\\" {
                        index += 2
                        continue
                    }
                    if closes(delimiter, at: index) {
                        index += 3
                        // Up to two more quotes may belong to the string's content.
                        while index < characters.count, String(characters[index]) == String(delimiter.first!) {
                            index += 1
                        }
                        openString = nil
                        break
                    }
                    index += 1
                }
                continue
            }
            let character = characters[index]
            switch character {
            case "#":
                return
            case "\"", "'":
                let triple = String(repeating: String(character), count: 3)
                if closes(triple, at: index) {
                    openString = triple
                    index += 3
                    continue
                }
                index += 1
                while index < characters.count, characters[index] != character {
                    if character == "\"", characters[index] == "\\" { index += 1 }
                    index += 1
                }
                index += 1
            case "[", "{":
                depth += 1
                index += 1
            case "]", "}":
                depth = max(0, depth - 1)
                index += 1
            default:
                index += 1
            }
        }
    }
}
