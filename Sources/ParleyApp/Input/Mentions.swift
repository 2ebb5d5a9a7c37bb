/// Finds the `@path` mentions in a message and recognises a message that is only a pasted
/// path. Pure: whether a path exists or is an image is ``ImageAttachmentLoader``'s business.
enum Mentions {
    /// The paths mentioned in `text`, in order: `@path` (up to the next whitespace, without
    /// trailing punctuation such as `,` `.` `)`) or `@"path with spaces"`. The `@` must start
    /// the text or follow whitespace, so `me@example.com` is no mention.
    static func paths(in text: String) -> [String] {
        var paths: [String] = []
        var index = text.startIndex
        while let at = text[index...].firstIndex(of: "@") {
            index = text.index(after: at)
            guard at == text.startIndex || text[text.index(before: at)].isWhitespace else { continue }
            let rest = text[index...]
            if rest.first == "\"", let close = rest.dropFirst().firstIndex(of: "\"") {
                let path = rest[rest.index(after: rest.startIndex)..<close]
                if !path.isEmpty { paths.append(String(path)) }
                index = text.index(after: close)
            } else {
                let token = rest.prefix { !$0.isWhitespace }
                let path = String(token.reversed().drop { trailingPunctuation.contains($0) }.reversed())
                if !path.isEmpty { paths.append(path) }
                index = token.endIndex
            }
        }
        return paths
    }

    /// The path in a message that is nothing but one pasted path of a file with a slash or an
    /// image extension in it, as terminals paste a dropped file: plain, in single or double
    /// quotes, or with `\ `-escaped spaces. Nil for anything else.
    static func pastedPath(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, !trimmed.contains("\n") else { return nil }
        var path: String
        if trimmed.count >= 2, let quote = trimmed.first, quote == "'" || quote == "\"", trimmed.last == quote {
            path = String(trimmed.dropFirst().dropLast())
        } else {
            var unescaped = ""
            var escaping = false
            for character in trimmed {
                if escaping {
                    unescaped.append(character)
                    escaping = false
                } else if character == "\\" {
                    escaping = true
                } else if character.isWhitespace {
                    return nil
                } else {
                    unescaped.append(character)
                }
            }
            path = unescaped
        }
        guard !path.isEmpty, path.contains("/") || ImageFormat.hasImageExtension(path) else { return nil }
        return path
    }

    private static let trailingPunctuation: Set<Character> = [",", ".", ";", ":", "!", "?", ")", "]", "}", "'", "\""]
}
