/// Makes untrusted text (from a model, a tool, a file, another program) safe to write to a
/// terminal: nothing in it can move the cursor, clear the screen, set the title, write the
/// clipboard, make the terminal answer, or otherwise act as a control sequence.
///
/// What is neutralised, and how it is shown instead (never silently dropped):
///
/// | input | shown as |
/// |---|---|
/// | C0 control other than `\n` and `\t` (`BEL`, `BS`, `NUL`, …) | its Control Picture: `␇`, `␈`, `␀`, … |
/// | `\r` | `␍` (but `\r\n` is a plain `\n`) |
/// | `DEL` | `␡` |
/// | `ESC` followed by something that is not a sequence | `␛` |
/// | an escape sequence (`ESC c`, `ESC ( B`, …) | `␛` and its characters: `␛c`, `␛(B` |
/// | a CSI sequence (`ESC[2J`, `ESC[3A`, `ESC[6n`, …) | `␛[` and its parameters and final: `␛[2J` (parameters beyond 16 characters as `…`) |
/// | an OSC, DCS, SOS, PM or APC string (`ESC]0;title BEL`, `ESC]52;c;… ST`, `ESC P … ST`) | `␛` and its introducer, the leading number and `;`, then `…` for the hidden rest: `␛]0;…`, `␛]52;…`, `␛P…`; the terminator (`BEL`, `ESC \`, or the end of the text) is not shown |
/// | a C1 control (U+0080–U+009F) | its 7-bit form, treated exactly like it: U+009B is `␛[` and starts a CSI sequence, U+009D is `␛]`, U+0085 is `␛E` |
///
/// A line break ends any sequence (an unterminated OSC string hides at most the rest of its
/// line); the text after it is shown. Invalid UTF-8 given as bytes becomes U+FFFD first.
/// Everything else, including all printable Unicode, tabs and newlines, passes unchanged,
/// and text without control characters is returned as it is, without a copy.
///
/// The result never contains a byte below 0x20 other than `\n` and `\t`, no `DEL`, and no
/// U+0080–U+009F. Styling is added afterwards, by the program, through ``StyledText``.
///
/// Text that arrives in pieces goes through an ``InertTextStream`` instead, so that a sequence
/// cut between two pieces is recognised as one.
public enum InertText {
    /// `untrusted` with every control character and escape sequence replaced by its visible
    /// form (see ``InertText``). Returns `untrusted` itself when it has nothing to replace.
    public static func make(_ untrusted: String) -> String {
        var stream = InertTextStream()
        let body = stream.feed(untrusted)
        let tail = stream.finish()
        return tail.isEmpty ? body : body + tail
    }

    /// Untrusted bytes as inert text: invalid UTF-8 is replaced by U+FFFD, then as ``make(_:)``.
    public static func make(bytes: some Sequence<UInt8>) -> String {
        make(String(decoding: Array(bytes), as: UTF8.self))
    }

    /// Whether `text` is already inert: ``make(_:)`` would return it unchanged.
    public static func isInert(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { InertTextScanner.firstUnsafeIndex(in: $0, from: 0) == nil }
    }
}

/// The streaming form of ``InertText``: feed the pieces of one text in order (a reply's
/// deltas), and call ``finish()`` when the text ends.
///
/// The concatenated output never depends on where the text was cut: an escape sequence split
/// over several pieces is recognised as one, and what cannot be decided yet (a trailing `ESC`
/// or `\r`) is held back, at most one character. The common piece (no control characters)
/// costs one scan over its bytes and comes back as the same string, without a copy.
public struct InertTextStream: Sendable {
    private var scanner = InertTextScanner()

    /// A stream at the start of a text.
    public init() {}

    /// Whether nothing is held back: the last piece did not end inside an escape sequence or
    /// on a `\r`.
    public var isAtText: Bool { scanner.isAtText }

    /// The inert form of the next piece, as far as it can be decided.
    public mutating func feed(_ piece: String) -> String {
        guard !piece.isEmpty else { return piece }
        var piece = piece
        return piece.withUTF8 { bytes -> String? in
            if scanner.isAtText, InertTextScanner.firstUnsafeIndex(in: bytes, from: 0) == nil { return nil }
            var output: [UInt8] = []
            output.reserveCapacity(bytes.count &+ 16)
            scanner.consume(bytes, into: &output)
            return String(decoding: output, as: UTF8.self)
        } ?? piece
    }

    /// What is held back at the end of the text (`␛` for a trailing `ESC`, `␍` for a trailing
    /// `\r`), and a reset for the next text.
    public mutating func finish() -> String {
        var output: [UInt8] = []
        scanner.finish(into: &output)
        return output.isEmpty ? "" : String(decoding: output, as: UTF8.self)
    }
}
