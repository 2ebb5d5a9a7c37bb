import Locking

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
///
/// A style is copied and compared for every run of text drawn, so a hyperlink is a small
/// number, not the URL: URLs are kept once each in a table for the life of the process (at most
/// ``maximumDistinctURLs``; beyond that a link is shown as text, as a refused one is). Holding a
/// string made every copy of a style count references, and a wider style made every fragment
/// wider than 24 bytes: rendering was a third slower (benchmark row 3).
public struct Hyperlink: Sendable, Hashable {
    /// The URL's place in the table, counted from 1 (a ``Style`` stores 0 for "no link").
    let number: UInt16

    init(number: UInt16) { self.number = number }

    /// The URL, checked.
    public var url: String { Self.table.withLock { $0.urls[Int(number) - 1] } }

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
              url.index(after: colon) < url.endIndex,
              let number = Self.table.withLock({ $0.number(of: url) }) else { return nil }
        self.number = number
    }

    /// The most URLs kept; a link to another one is shown as text.
    public static let maximumDistinctURLs = 4096

    /// The URLs, each once, and where each is.
    private struct Table {
        var urls: [String] = []
        var numbers: [String: UInt16] = [:]

        mutating func number(of url: String) -> UInt16? {
            if let number = numbers[url] { return number }
            guard urls.count < Hyperlink.maximumDistinctURLs else { return nil }
            urls.append(url)
            let number = UInt16(urls.count)
            numbers[url] = number
            return number
        }
    }

    private static let table = Locked(Table())

    /// `ESC ] 8 ; ; URL ESC \`: the text that follows links to the URL.
    var openSequence: String { "\u{1B}]8;;" + url + "\u{1B}\\" }
    /// `ESC ] 8 ; ; ESC \`: the text that follows links nowhere.
    static let closeSequence = "\u{1B}]8;;\u{1B}\\"

    /// The bytes of ``openSequence``.
    var openSequenceLength: Int { url.utf8.count &+ 7 }
    /// The bytes of ``closeSequence``.
    static let closeSequenceLength = 7
}
