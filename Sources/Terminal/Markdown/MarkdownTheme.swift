/// The styles ``MarkdownStreamRenderer`` gives each Markdown element.
public struct MarkdownTheme: Sendable, Hashable {
    /// Level-1 headings.
    public var heading1: Style
    /// Level-2 headings.
    public var heading2: Style
    /// Level-3 to level-6 headings.
    public var heading3: Style
    /// Inline code spans.
    public var inlineCode: Style
    /// Lines inside fenced code blocks.
    public var codeBlock: Style
    /// The label line that opens and the rule that closes a fenced code block.
    public var codeFence: Style
    /// Bullet glyphs and list numbers.
    public var listMarker: Style
    /// The bar in front of block quotes.
    public var quoteBar: Style
    /// Text inside block quotes.
    public var quoteText: Style
    /// Horizontal rules.
    public var rule: Style

    /// Creates a theme.
    public init(
        heading1: Style, heading2: Style, heading3: Style, inlineCode: Style, codeBlock: Style,
        codeFence: Style, listMarker: Style, quoteBar: Style, quoteText: Style, rule: Style
    ) {
        self.heading1 = heading1
        self.heading2 = heading2
        self.heading3 = heading3
        self.inlineCode = inlineCode
        self.codeBlock = codeBlock
        self.codeFence = codeFence
        self.listMarker = listMarker
        self.quoteBar = quoteBar
        self.quoteText = quoteText
        self.rule = rule
    }

    /// The default look: magenta headings, cyan code, yellow code blocks, dim quotes.
    public static let standard = MarkdownTheme(
        heading1: Style(foreground: .magenta, bold: true, underline: true),
        heading2: Style(foreground: .magenta, bold: true),
        heading3: Style(bold: true),
        inlineCode: Style(foreground: .cyan),
        codeBlock: Style(foreground: .yellow),
        codeFence: Style(dim: true),
        listMarker: Style(foreground: .cyan),
        quoteBar: Style(dim: true),
        quoteText: Style(italic: true),
        rule: Style(dim: true))
}
