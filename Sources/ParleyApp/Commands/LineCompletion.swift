import Foundation
import Glibc
import Terminal

/// Tab completion for a whole input line: paths after `@` and in `!` commands, else commands
/// and their arguments (``CommandRegistry/completions(for:sources:)``).
struct LineCompletion {
    let registry: CommandRegistry
    /// The conversation's working directory: paths are relative to it.
    let directory: String
    /// The user's home, for `~/.claude/commands`.
    let home: String

    /// Candidates for the word before the cursor (`line` is the text up to the cursor).
    func candidates(for line: String, sources: CompletionSources) -> [CompletionCandidate] {
        let word = line.split(separator: " ", omittingEmptySubsequences: false).last.map(String.init) ?? ""
        if word.hasPrefix("@") {
            return PathCompletion(directory: directory).candidates(for: String(word.dropFirst())).map {
                CompletionCandidate("@" + $0.text, description: $0.description)
            }
        }
        if line.hasPrefix("!"), line.contains(" ") {
            return PathCompletion(directory: directory).candidates(for: word)
        }
        var sources = sources
        if line.hasPrefix("/"), !line.contains(" ") {
            sources.customCommands = CustomCommands.load(from: [directory + "/.claude/commands", home + "/.claude/commands"])
        }
        return registry.completions(for: line, sources: sources)
    }
}

/// Custom slash commands: `NAME.md` files in `.claude/commands` (the project's, then the
/// user's), described by their front matter's `description:` or their first line.
enum CustomCommands {
    static func load(from directories: [String]) -> [CompletionCandidate] {
        var found: [CompletionCandidate] = []
        for directory in directories {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { continue }
            for file in names.sorted() where file.hasSuffix(".md") {
                let name = String(file.dropLast(3))
                guard !name.isEmpty, !found.contains(where: { $0.text == name }) else { continue }
                found.append(CompletionCandidate(name, description: description(ofFileAt: directory + "/" + file)))
            }
        }
        return found
    }

    /// The `description:` of the front matter, else the first non-empty line (first 4 KiB only).
    static func description(ofFileAt path: String) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { return "" }
        defer { try? handle.close() }
        let head = String(decoding: (try? handle.read(upToCount: 4096)) ?? Data(), as: UTF8.self)
        let lines = head.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        if lines.first == "---", let end = lines.dropFirst().firstIndex(of: "---") {
            if let line = lines[1..<end].first(where: { $0.hasPrefix("description:") }) {
                return line.dropFirst("description:".count).trimmingCharacters(in: CharacterSet(charactersIn: " \"'")).madeInertLine()
            }
            return lines[(end + 1)...].first { !$0.isEmpty }.map { $0.madeInertLine() } ?? ""
        }
        return lines.first { !$0.isEmpty }.map { $0.madeInertLine() } ?? ""
    }
}

/// Paths for `@path` and `!` commands, relative to a directory: the entries of the typed
/// path's directory whose names start with what is typed, else contain its letters in order
/// (fuzzy); directories end in `/`; hidden files only when a `.` is typed; names
/// `.gitignore` matches come last.
struct PathCompletion {
    let directory: String

    func candidates(for typed: String) -> [CompletionCandidate] {
        let slash = typed.lastIndex(of: "/")
        let folder = slash.map { String(typed[...$0]) } ?? ""
        let partial = slash.map { String(typed[typed.index(after: $0)...]) } ?? typed
        let base = folder.hasPrefix("/") ? folder : directory + "/" + folder
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: base.isEmpty ? "." : base) else { return [] }
        let visible = entries.filter { !$0.hasPrefix(".") || partial.hasPrefix(".") }
        var matches = visible.filter { $0.hasPrefix(partial) }
        if matches.isEmpty, !partial.isEmpty { matches = visible.filter { Self.isSubsequence(partial.lowercased(), of: $0.lowercased()) } }
        let ignored = Self.ignorePatterns(in: directory)
        let ranked = matches.sorted().map { name -> (CompletionCandidate, Bool) in
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: base + name, isDirectory: &isDirectory)
            let relative = folder + name
            let isIgnored = ignored.contains { Self.matches($0, relative) || Self.matches($0, name) }
            return (CompletionCandidate(relative + (isDirectory.boolValue ? "/" : "")), isIgnored)
        }
        return ranked.filter { !$0.1 }.map(\.0) + ranked.filter { $0.1 }.map(\.0)
    }

    static func isSubsequence(_ needle: String, of haystack: String) -> Bool {
        var rest = haystack[...]
        for character in needle {
            guard let index = rest.firstIndex(of: character) else { return false }
            rest = rest[rest.index(after: index)...]
        }
        return true
    }

    /// The simple patterns of the directory's `.gitignore` (no negation), without a trailing `/`.
    static func ignorePatterns(in directory: String) -> [String] {
        guard let text = try? String(contentsOfFile: directory + "/.gitignore", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") && !$0.hasPrefix("!") }
            .map { pattern in
                var pattern = pattern
                while pattern.hasSuffix("/") { pattern.removeLast() }
                while pattern.hasPrefix("/") { pattern.removeFirst() }
                return pattern
            }
    }

    static func matches(_ pattern: String, _ path: String) -> Bool {
        fnmatch(pattern, path, 0) == 0
    }
}

private extension String {
    /// One line of file text safe for the terminal.
    func madeInertLine() -> String { StyledText(self).madeInert().plainText }
}
