/// Finds the known name a mistyped one was probably meant to be, for "did you mean …?": the
/// one helper for configuration keys and values, personas, slash commands and their arguments.
///
/// A candidate matches when it is the same apart from case, `_` and `-` (`maxTurns` for
/// `max_turns`), when it is a listed synonym (`environment` for `env`), or when it is within a
/// small edit distance: one edit for names under five letters, two for longer ones, so that
/// short unrelated names are not proposed.
enum NearestName {
    /// Configuration key names users reach for that are too far from the real key for edit
    /// distance to find.
    static let configurationSynonyms: [String: String] = [
        "environment": "env",
        "cwd": "working_directory",
        "directory": "working_directory",
        "prompt": "system_prompt",
        "prompt_file": "system_prompt_file",
        "system_prompt_path": "system_prompt_file",
        "tools": "allowed_tools",
        "persona": "personas",
        "claude": "claude_path",
        "colour": "color",
    ]

    /// The candidate `name` was probably meant to be, or `nil` when none is close: a wild guess
    /// gets no suggestion.
    static func suggestion(for name: String, among candidates: [String], synonyms: [String: String] = [:]) -> String? {
        if let synonym = synonyms[name], candidates.contains(synonym) { return synonym }
        let normalized = normalize(name)
        if let match = candidates.first(where: { normalize($0) == normalized }) { return match }
        var best: (name: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(Array(normalized), Array(normalize(candidate)))
            if best == nil || distance < best!.distance { best = (candidate, distance) }
        }
        guard let best else { return nil }
        let limit = min(2, max(1, (normalized.count - 1) / 2))
        return best.distance <= limit ? best.name : nil
    }

    private static func normalize(_ name: String) -> String {
        String(name.lowercased().filter { $0 != "_" && $0 != "-" })
    }

    /// Damerau–Levenshtein (optimal string alignment) distance, so a swap of two neighbouring
    /// letters (`modle`) counts as one edit.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previousPrevious = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], previousPrevious[j - 2] + 1)
                }
            }
            (previousPrevious, previous, current) = (previous, current, previousPrevious)
        }
        return previous[b.count]
    }
}
