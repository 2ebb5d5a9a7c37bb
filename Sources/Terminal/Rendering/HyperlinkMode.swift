/// The user's choice of OSC 8 hyperlinks for Markdown links, as given by `--hyperlinks` or the
/// `hyperlinks` key of the configuration file.
public enum HyperlinkMode: String, Sendable, CaseIterable {
    /// Hyperlinks in terminals known to support them (see ``TerminalCapabilities/hyperlinkPolicy(mode:useColor:isInteractive:environment:)``).
    case auto
    /// Hyperlinks in any interactive terminal with colour.
    case on
    /// Never: links are shown as `text (url)`.
    case off
}
