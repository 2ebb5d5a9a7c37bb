/// Styled text whose characters come from untrusted sources.
extension StyledText {
    /// Untrusted text in one style, made inert first (see ``InertText``).
    public init(untrusted text: String, _ style: Style = .plain) {
        self.init(InertText.make(text), style)
    }

    /// The same text with every fragment made inert (see ``InertText``); the styles are kept.
    /// Each fragment is treated on its own. Returns the text unchanged (no copy) when every
    /// fragment already is inert.
    public func madeInert() -> StyledText {
        guard !fragments.allSatisfy({ InertText.isInert($0.text) }) else { return self }
        return StyledText(fragments: fragments.map { Fragment(InertText.make($0.text), $0.style) })
    }
}
