/// Accumulates output one scalar at a time, merging runs of the same style.
struct StyledTextBuilder {
    private var committed: [StyledText.Fragment] = []
    private var run = ""
    private var runStyle = Style.plain

    mutating func append(_ scalar: Unicode.Scalar, _ style: Style) {
        if style != runStyle, !run.isEmpty { flushRun() }
        runStyle = style
        run.unicodeScalars.append(scalar)
    }

    mutating func append(_ text: String, _ style: Style) {
        guard !text.isEmpty else { return }
        if style != runStyle, !run.isEmpty { flushRun() }
        runStyle = style
        run += text
    }

    /// Everything appended since the last call.
    mutating func take() -> StyledText {
        flushRun()
        defer { committed = [] }
        return StyledText(fragments: committed)
    }

    private mutating func flushRun() {
        guard !run.isEmpty else { return }
        committed.append(StyledText.Fragment(run, runStyle))
        run = ""
    }
}
