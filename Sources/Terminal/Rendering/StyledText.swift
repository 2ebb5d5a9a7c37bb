/// Text with styles, kept as data until it reaches the terminal.
///
/// Build it from fragments, concatenate with `+`, and turn it into bytes in one
/// place: ``rendered(color:)``. Producers never write escape codes themselves.
///
/// ```swift
/// let line = StyledText("error: ", .color(.red)) + StyledText("file not found")
/// print(line.rendered(color: capabilities.useColor))
/// ```
public struct StyledText: Sendable, Hashable {
    /// A run of text in one style.
    public struct Fragment: Sendable, Hashable {
        /// The characters.
        public var text: String
        /// How they look.
        public var style: Style

        /// Creates a fragment.
        public init(_ text: String, _ style: Style = .plain) {
            self.text = text
            self.style = style
        }
    }

    /// The fragments in order.
    public var fragments: [Fragment]

    /// Empty text.
    public init() { fragments = [] }

    /// One run of text in one style.
    public init(_ text: String, _ style: Style = .plain) {
        fragments = text.isEmpty ? [] : [Fragment(text, style)]
    }

    /// Text made of the given fragments.
    public init(fragments: [Fragment]) { self.fragments = fragments }

    /// Whether there are no characters at all.
    public var isEmpty: Bool { fragments.allSatisfy { $0.text.isEmpty } }

    /// The characters without any styling.
    public var plainText: String { fragments.map(\.text).joined() }

    /// The columns the text takes on a terminal (see ``displayWidth(of:)``).
    public var displayWidth: Int { fragments.reduce(0) { $0 + Terminal.displayWidth(of: $1.text) } }

    /// Appends a run of text.
    public mutating func append(_ text: String, _ style: Style = .plain) {
        guard !text.isEmpty else { return }
        if let last = fragments.indices.last, fragments[last].style == style {
            fragments[last].text += text
        } else {
            fragments.append(Fragment(text, style))
        }
    }

    /// Appends other styled text.
    public mutating func append(_ other: StyledText) {
        for fragment in other.fragments { append(fragment.text, fragment.style) }
    }

    /// The same text with adjacent fragments of equal style merged and empty ones dropped.
    public func normalized() -> StyledText {
        var result = StyledText()
        result.append(self)
        return result
    }

    /// The text with `style` merged into every fragment (see ``Style/merging(_:)``).
    public func applying(_ style: Style) -> StyledText {
        StyledText(fragments: fragments.map { Fragment($0.text, $0.style.merging(style)) })
    }

    /// Concatenation.
    public static func + (lhs: StyledText, rhs: StyledText) -> StyledText {
        var result = lhs
        result.append(rhs)
        return result
    }

    /// Appends in place.
    public static func += (lhs: inout StyledText, rhs: StyledText) { lhs.append(rhs) }
}

extension StyledText: ExpressibleByStringLiteral {
    /// Plain text from a literal.
    public init(stringLiteral value: String) { self.init(value) }
}

extension StyledText: CustomStringConvertible {
    /// The characters without styling.
    public var description: String { plainText }
}
