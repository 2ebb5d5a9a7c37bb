/// One of the 16 colours every ANSI terminal understands.
///
/// The terminal's palette decides the exact shade, so text stays readable in
/// light and dark themes alike.
public enum TerminalColor: Sendable, Hashable, CaseIterable {
    case black, red, green, yellow, blue, magenta, cyan, white
    case brightBlack, brightRed, brightGreen, brightYellow, brightBlue, brightMagenta, brightCyan, brightWhite

    /// The SGR parameter that selects this colour as the foreground.
    var foregroundCode: Int {
        switch self {
        case .black: 30
        case .red: 31
        case .green: 32
        case .yellow: 33
        case .blue: 34
        case .magenta: 35
        case .cyan: 36
        case .white: 37
        case .brightBlack: 90
        case .brightRed: 91
        case .brightGreen: 92
        case .brightYellow: 93
        case .brightBlue: 94
        case .brightMagenta: 95
        case .brightCyan: 96
        case .brightWhite: 97
        }
    }
}

/// How a run of text looks: a foreground colour and a few attributes, and the hyperlink it
/// may carry (see ``Hyperlink``).
///
/// A style is plain data; it becomes escape codes only in
/// ``StyledText/rendered(color:)``. Combine styles with ``merging(_:)``.
public struct Style: Sendable, Hashable {
    /// The foreground colour, or `nil` for the terminal's default.
    public var foreground: TerminalColor?
    /// Bold (increased intensity).
    public var isBold: Bool
    /// Dim (decreased intensity).
    public var isDim: Bool
    /// Italic.
    public var isItalic: Bool
    /// Underlined.
    public var isUnderlined: Bool
    /// Where the text links to (OSC 8), or `nil`. It takes no columns.
    public var hyperlink: Hyperlink?

    /// Creates a style; every attribute defaults to off.
    public init(
        foreground: TerminalColor? = nil, bold: Bool = false, dim: Bool = false,
        italic: Bool = false, underline: Bool = false, hyperlink: Hyperlink? = nil
    ) {
        self.foreground = foreground
        self.isBold = bold
        self.isDim = dim
        self.isItalic = italic
        self.isUnderlined = underline
        self.hyperlink = hyperlink
    }

    /// No colour and no attributes.
    public static let plain = Style()
    /// Bold text.
    public static let bold = Style(bold: true)
    /// Dim text.
    public static let dim = Style(dim: true)
    /// Italic text.
    public static let italic = Style(italic: true)
    /// Underlined text.
    public static let underline = Style(underline: true)

    /// A style with only a foreground colour.
    public static func color(_ color: TerminalColor) -> Style { Style(foreground: color) }

    /// Whether the style changes nothing.
    public var isPlain: Bool { self == .plain }

    /// The union of both styles; `other`'s colour and hyperlink win when both have one.
    public func merging(_ other: Style) -> Style {
        Style(
            foreground: other.foreground ?? foreground,
            bold: isBold || other.isBold, dim: isDim || other.isDim,
            italic: isItalic || other.isItalic, underline: isUnderlined || other.isUnderlined,
            hyperlink: other.hyperlink ?? hyperlink)
    }

    /// Whether both styles draw text the same way (colour and attributes), whatever they link to.
    @inline(__always)
    func looksLike(_ other: Style) -> Bool {
        foreground == other.foreground && isBold == other.isBold && isDim == other.isDim
            && isItalic == other.isItalic && isUnderlined == other.isUnderlined
    }

    /// This style with a foreground colour.
    public func colored(_ color: TerminalColor) -> Style {
        var copy = self
        copy.foreground = color
        return copy
    }

    /// The single SGR sequence that switches any current style to this one.
    ///
    /// It always starts from a reset (`0`) so the result does not depend on what
    /// came before; one sequence per change keeps libedit's prompt escapes valid.
    var selectGraphicRendition: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.maximumSGRLength)
        appendSelectGraphicRendition(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The longest ``selectGraphicRendition``: `ESC [ 0 ; 1 ; 2 ; 3 ; 4 ; 9 7 m` is 15 bytes;
    /// one more for a three-digit colour code, which ``writeSelectGraphicRendition(to:)`` can write.
    static let maximumSGRLength = 16

    /// The length in bytes of ``selectGraphicRendition``.
    @inline(__always)
    var selectGraphicRenditionLength: Int {
        // "\e[0" and "m", two bytes per attribute, three or four for a colour.
        var length = 4
        if isBold { length &+= 2 }
        if isDim { length &+= 2 }
        if isItalic { length &+= 2 }
        if isUnderlined { length &+= 2 }
        if let foreground { length &+= foreground.foregroundCode >= 100 ? 4 : 3 }
        return length
    }

    /// Writes ``selectGraphicRendition`` at `pointer`, which must have room for
    /// ``selectGraphicRenditionLength`` bytes; returns the number written.
    @inline(__always)
    func writeSelectGraphicRendition(to pointer: UnsafeMutablePointer<UInt8>) -> Int {
        var index = 0
        @inline(__always) func put(_ byte: UInt8) {
            pointer[index] = byte
            index &+= 1
        }
        put(0x1B)
        put(UInt8(ascii: "["))
        put(UInt8(ascii: "0"))
        if isBold { put(UInt8(ascii: ";")); put(UInt8(ascii: "1")) }
        if isDim { put(UInt8(ascii: ";")); put(UInt8(ascii: "2")) }
        if isItalic { put(UInt8(ascii: ";")); put(UInt8(ascii: "3")) }
        if isUnderlined { put(UInt8(ascii: ";")); put(UInt8(ascii: "4")) }
        if let foreground {
            let code = foreground.foregroundCode
            put(UInt8(ascii: ";"))
            if code >= 100 { put(UInt8(ascii: "0") &+ UInt8(code / 100)) }
            put(UInt8(ascii: "0") &+ UInt8(code / 10 % 10))
            put(UInt8(ascii: "0") &+ UInt8(code % 10))
        }
        put(UInt8(ascii: "m"))
        return index
    }

    /// Appends ``selectGraphicRendition`` to `bytes` without building a string.
    func appendSelectGraphicRendition(to bytes: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.maximumSGRLength) { buffer in
            let count = writeSelectGraphicRendition(to: buffer.baseAddress!)
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[..<count]))
        }
    }
}
