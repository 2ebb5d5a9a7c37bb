/// Parley's version, and the claude CLI versions it was tested with.
public enum ParleyVersion {
    public static let string = "0.1.0"
    /// The CLI versions Parley's protocol handling was verified against (Docs/Protocol.md).
    public static let testedClaudeVersions = ["2.1.331"]

    /// A warning when `version` (as in `system/init`'s `claude_code_version`) is not a tested
    /// one; `nil` when it is. Parley never refuses an untested CLI: the protocol is tolerant
    /// of additions, and a warning tells the user where to look if something breaks.
    public static func compatibilityWarning(for version: String) -> String? {
        if testedClaudeVersions.contains(version) { return nil }
        let tested = testedClaudeVersions.joined(separator: ", ")
        let direction = compare(version, testedClaudeVersions.last ?? version)
        let relation = direction > 0 ? "newer than" : "older than"
        return "claude \(version) is \(relation) the versions Parley was tested with (\(tested)); "
            + "it should work, but report anything odd with --debug-log"
    }

    /// Compares dotted numeric versions.
    static func compare(_ a: String, _ b: String) -> Int {
        let left = a.split(separator: ".").map { Int($0.prefix { $0.isNumber }) ?? 0 }
        let right = b.split(separator: ".").map { Int($0.prefix { $0.isNumber }) ?? 0 }
        for index in 0..<max(left.count, right.count) {
            let l = index < left.count ? left[index] : 0, r = index < right.count ? right[index] : 0
            if l != r { return l < r ? -1 : 1 }
        }
        return 0
    }
}
