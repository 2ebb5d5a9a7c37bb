/// The target of an OSC 8 hyperlink: a URL that is safe to put inside the escape sequence.
///
/// The URL comes from the model, so it is checked before it can become one: its scheme must be
/// `http`, `https`, `mailto` or `file`, and every character printable ASCII (`!` to `~`: no
/// space, no control character, no `ESC`, `BEL` or C1 control, nothing outside ASCII), so
/// nothing in it can end the sequence or start another. Anything else is refused
/// (``init(_:)`` returns `nil`) and the caller shows the link as text instead.
///
/// A hyperlink is part of a ``Style``: the text it covers is what the terminal shows, and the
/// link itself takes no columns. ``StyledText/rendered(color:)`` writes
/// `ESC ] 8 ; ; URL ESC \` before that text and `ESC ] 8 ; ; ESC \` after it.
public struct Hyperlink: Sendable, Hashable {
    /// The URL, checked.
    public let url: String

    /// The schemes a hyperlink may have.
    public static let allowedSchemes: Set<String> = ["http", "https", "mailto", "file"]
    /// The longest URL accepted, in bytes.
    public static let maximumLength = 2048

    /// A hyperlink to `url`, or `nil` when the URL is not safe or not allowed (see the type's
    /// description).
    public init?(_ url: String) {
        let bytes = url.utf8
        guard !bytes.isEmpty, bytes.count <= Self.maximumLength,
              bytes.allSatisfy({ (0x21...0x7E).contains($0) }),
              let colon = url.firstIndex(of: ":"),
              Self.allowedSchemes.contains(url[..<colon].lowercased()),
              url.index(after: colon) < url.endIndex else { return nil }
        self.url = url
    }

    /// `ESC ] 8 ; ; URL ESC \`: the text that follows links to the URL.
    var openSequence: String { "\u{1B}]8;;" + url + "\u{1B}\\" }
    /// `ESC ] 8 ; ; ESC \`: the text that follows links nowhere.
    static let closeSequence = "\u{1B}]8;;\u{1B}\\"

    /// The bytes of ``openSequence``.
    var openSequenceLength: Int { url.utf8.count &+ 7 }
    /// The bytes of ``closeSequence``.
    static let closeSequenceLength = 7
}
