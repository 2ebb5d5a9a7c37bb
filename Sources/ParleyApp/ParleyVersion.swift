/// Parley's version, and the claude CLI versions it was tested with.
public enum ParleyVersion {
    public static let string = "0.1.0"
    /// The CLI versions Parley's protocol handling was verified against.
    public static let testedClaudeVersions = ["2.1.331"]
}
