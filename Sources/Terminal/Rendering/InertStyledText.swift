/// Making styled text from untrusted sources safe for the terminal.
extension StyledText {
    /// The same text with every fragment made inert (see ``InertText``); the styles are kept.
    /// Each fragment is treated on its own. Returns the text unchanged (no copy) when every
    /// fragment already is inert.
    public func madeInert() -> StyledText {
        guard !fragments.allSatisfy({ InertText.isInert($0.text) }) else { return self }
        return StyledText(fragments: fragments.map { Fragment(InertText.make($0.text), $0.style) })
    }
}
