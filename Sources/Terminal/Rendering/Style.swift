/// One of the 16 colours every ANSI terminal understands.
///
/// The terminal's palette decides the exact shade, so text stays readable in
/// light and dark themes alike.
public enum TerminalColor: UInt8, Sendable, Hashable, CaseIterable {
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
    // Four bytes in all: a style is copied and compared for every run of text drawn, and a
    // wider one made rendering a tenth slower (benchmark row 3).
    /// Bold, dim, italic and underline, one bit each.
    private var attributes: UInt8
    /// The foreground colour's raw value plus one; 0 for none.
    private var colorNumber: UInt8
    /// The hyperlink's number (see ``Hyperlink``); 0 for none.
    private(set) var hyperlinkNumber: UInt16

    private static let boldBit: UInt8 = 1, dimBit: UInt8 = 2, italicBit: UInt8 = 4, underlineBit: UInt8 = 8

    @inline(__always)
    private func has(_ bit: UInt8) -> Bool { attributes & bit != 0 }

    @inline(__always)
    private mutating func set(_ bit: UInt8, _ on: Bool) {
        attributes = on ? attributes | bit : attributes & ~bit
    }

    /// The foreground colour, or `nil` for the terminal's default.
    public var foreground: TerminalColor? {
        get { colorNumber == 0 ? nil : TerminalColor(rawValue: colorNumber &- 1) }
        set { colorNumber = newValue.map { $0.rawValue &+ 1 } ?? 0 }
    }
    /// Bold (increased intensity).
    public var isBold: Bool {
        get { has(Self.boldBit) }
        set { set(Self.boldBit, newValue) }
    }
    /// Dim (decreased intensity).
    public var isDim: Bool {
        get { has(Self.dimBit) }
        set { set(Self.dimBit, newValue) }
    }
    /// Italic.
    public var isItalic: Bool {
        get { has(Self.italicBit) }
        set { set(Self.italicBit, newValue) }
    }
    /// Underlined.
    public var isUnderlined: Bool {
        get { has(Self.underlineBit) }
        set { set(Self.underlineBit, newValue) }
    }
    /// Where the text links to (OSC 8), or `nil`. It takes no columns.
    public var hyperlink: Hyperlink? {
        get { hyperlinkNumber == 0 ? nil : Hyperlink(number: hyperlinkNumber) }
        set { hyperlinkNumber = newValue?.number ?? 0 }
    }

    /// Creates a style; every attribute defaults to off.
    public init(
        foreground: TerminalColor? = nil, bold: Bool = false, dim: Bool = false,
        italic: Bool = false, underline: Bool = false, hyperlink: Hyperlink? = nil
    ) {
        attributes = (bold ? Self.boldBit : 0) | (dim ? Self.dimBit : 0) | (italic ? Self.italicBit : 0)
            | (underline ? Self.underlineBit : 0)
        colorNumber = 0
        hyperlinkNumber = hyperlink?.number ?? 0
        self.foreground = foreground
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
        var merged = self
        merged.attributes |= other.attributes
        if other.colorNumber != 0 { merged.colorNumber = other.colorNumber }
        if other.hyperlinkNumber != 0 { merged.hyperlinkNumber = other.hyperlinkNumber }
        return merged
    }

    /// Whether both styles draw text the same way (colour and attributes), whatever they link to.
    @inline(__always)
    func looksLike(_ other: Style) -> Bool {
        attributes == other.attributes && colorNumber == other.colorNumber
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
