/// The one place where styled text becomes terminal bytes.
extension StyledText {
    /// The text as a string for the terminal.
    ///
    /// With `color` false the result has no escape codes at all, only the
    /// characters (hyperlinks too are left out). With `color` true each change of
    /// style emits one SGR sequence, each change of hyperlink closes the old one and
    /// opens the new one (OSC 8), and the text ends back in the plain style, linking nowhere.
    public func rendered(color: Bool) -> String {
        if !color {
            // No escapes: the characters themselves, without a copy for a single fragment.
            if fragments.count == 1 { return fragments[0].text }
            var output = ""
            for fragment in fragments { output += fragment.text }
            return output
        }
        let linked = ANSIWriter.anyHyperlink(fragments)
        let length = ANSIWriter.renderedLength(fragments, color: true, carriageReturns: false, linked: linked)
        guard length > 0 else { return "" }
        return String(unsafeUninitializedCapacity: length) { buffer in
            ANSIWriter.write(fragments, color: true, carriageReturns: false, linked: linked, to: buffer.baseAddress!)
        }
    }

    /// Appends the text as terminal bytes, exactly the UTF-8 of ``rendered(color:)``,
    /// without making a string.
    public func appendRendered(color: Bool, to bytes: inout [UInt8]) {
        ANSIWriter.append(fragments, to: &bytes, color: color, carriageReturns: false)
    }
}

/// Appends styled fragments to a byte buffer as terminal bytes.
///
/// Shared by ``StyledText/rendered(color:)`` and the line editor's output path,
/// which needs `"\r\n"` line ends because libedit's raw mode may turn off the
/// terminal's own newline translation. Works on UTF-8 bytes throughout: the
/// editor pushes whole megabytes of streamed text through here.
enum ANSIWriter {
    static func append(
        _ fragments: some Sequence<StyledText.Fragment>, to output: inout String, color: Bool,
        carriageReturns: Bool
    ) {
        var bytes: [UInt8] = []
        append(fragments, to: &bytes, color: color, carriageReturns: carriageReturns)
        output += String(decoding: bytes, as: UTF8.self)
    }

    static func append(
        _ fragments: some Sequence<StyledText.Fragment>, to output: inout [UInt8], color: Bool,
        carriageReturns: Bool
    ) {
        if let array = fragments as? [StyledText.Fragment] {
            append(array, to: &output, color: color, carriageReturns: carriageReturns)
        } else {
            append(Array(fragments), to: &output, color: color, carriageReturns: carriageReturns)
        }
    }

    /// Renders into a scratch buffer of the exact size (on the stack when small) and
    /// appends that in one go: no per-fragment growth checks, no intermediate strings.
    static func append(
        _ fragments: [StyledText.Fragment], to output: inout [UInt8], color: Bool, carriageReturns: Bool
    ) {
        if fragments.count == 1, !carriageReturns, !color || fragments[0].style.isPlain {
            // Text without escapes: its bytes as they are.
            appendText(fragments[0].text, to: &output, carriageReturns: false)
            return
        }
        let linked = color && anyHyperlink(fragments)
        let length = renderedLength(fragments, color: color, carriageReturns: carriageReturns, linked: linked)
        guard length > 0 else { return }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: length) { buffer in
            let written = write(fragments, color: color, carriageReturns: carriageReturns, linked: linked, to: buffer.baseAddress!)
            output.append(contentsOf: UnsafeBufferPointer(start: buffer.baseAddress!, count: written))
        }
    }

    /// Whether any fragment carries a hyperlink. Text without one (nearly all) goes through
    /// loops that never look at links: with the link test in the loop, rendering a long reply
    /// in small deltas was 6% slower (benchmark row 3).
    static func anyHyperlink(_ fragments: [StyledText.Fragment]) -> Bool {
        fragments.contains { $0.style.hyperlinkNumber != 0 }
    }

    /// The number of bytes ``write(_:color:carriageReturns:linked:to:)`` writes; `linked` says
    /// whether any fragment carries a hyperlink (``anyHyperlink(_:)``).
    static func renderedLength(_ fragments: [StyledText.Fragment], color: Bool, carriageReturns: Bool, linked: Bool) -> Int {
        linked ? linkedLength(fragments, color: color, carriageReturns: carriageReturns)
            : unlinkedLength(fragments, color: color, carriageReturns: carriageReturns)
    }

    /// Writes the terminal bytes at `pointer`, which has room for
    /// ``renderedLength(_:color:carriageReturns:linked:)`` bytes; returns the number written.
    ///
    /// With `color`, each change of style is one SGR sequence (and OSC 8 when the hyperlink
    /// changes) and the text ends back in the plain style; with `carriageReturns`, every `"\n"`
    /// is written as `"\r\n"`.
    static func write(
        _ fragments: [StyledText.Fragment], color: Bool, carriageReturns: Bool, linked: Bool, to pointer: UnsafeMutablePointer<UInt8>
    ) -> Int {
        linked ? writeLinked(fragments, color: color, carriageReturns: carriageReturns, to: pointer)
            : writeUnlinked(fragments, color: color, carriageReturns: carriageReturns, to: pointer)
    }

    /// ``renderedLength(_:color:carriageReturns:linked:)`` for fragments without a hyperlink.
    private static func unlinkedLength(_ fragments: [StyledText.Fragment], color: Bool, carriageReturns: Bool) -> Int {
        var length = 0
        var current = Style.plain
        for fragment in fragments {
            let count = fragment.text.utf8.count
            guard count > 0 else { continue }
            if color, fragment.style != current {
                length &+= fragment.style.selectGraphicRenditionLength
                current = fragment.style
            }
            length &+= count
            if carriageReturns { length &+= newlineCount(fragment.text) }
        }
        if !current.isPlain { length &+= Style.plain.selectGraphicRenditionLength }
        return length
    }

    /// ``write(_:color:carriageReturns:linked:to:)`` for fragments without a hyperlink.
    private static func writeUnlinked(
        _ fragments: [StyledText.Fragment], color: Bool, carriageReturns: Bool, to pointer: UnsafeMutablePointer<UInt8>
    ) -> Int {
        var index = 0
        var current = Style.plain
        for fragment in fragments where !fragment.text.isEmpty {
            if color, fragment.style != current {
                index &+= fragment.style.writeSelectGraphicRendition(to: pointer + index)
                current = fragment.style
            }
            index &+= copyUTF8(of: fragment.text, to: pointer + index, carriageReturns: carriageReturns)
        }
        if !current.isPlain { index &+= Style.plain.writeSelectGraphicRendition(to: pointer + index) }
        return index
    }

    /// ``renderedLength(_:color:carriageReturns:linked:)`` when a fragment carries a hyperlink.
    private static func linkedLength(_ fragments: [StyledText.Fragment], color: Bool, carriageReturns: Bool) -> Int {
        var length = 0
        var current = Style.plain
        for fragment in fragments {
            let count = fragment.text.utf8.count
            guard count > 0 else { continue }
            if color, fragment.style != current {
                length &+= transitionLength(from: current, to: fragment.style)
                current = fragment.style
            }
            length &+= count
            if carriageReturns { length &+= newlineCount(fragment.text) }
        }
        if !current.isPlain { length &+= transitionLength(from: current, to: .plain) }
        return length
    }

    /// ``write(_:color:carriageReturns:linked:to:)`` when a fragment carries a hyperlink.
    private static func writeLinked(
        _ fragments: [StyledText.Fragment], color: Bool, carriageReturns: Bool, to pointer: UnsafeMutablePointer<UInt8>
    ) -> Int {
        var index = 0
        var current = Style.plain
        for fragment in fragments where !fragment.text.isEmpty {
            if color, fragment.style != current {
                index &+= writeTransition(from: current, to: fragment.style, at: pointer + index)
                current = fragment.style
            }
            index &+= copyUTF8(of: fragment.text, to: pointer + index, carriageReturns: carriageReturns)
        }
        if !current.isPlain { index &+= writeTransition(from: current, to: .plain, at: pointer + index) }
        return index
    }

    /// The bytes ``writeTransition(from:to:at:)`` writes.
    private static func transitionLength(from current: Style, to next: Style) -> Int {
        var length = next.looksLike(current) ? 0 : next.selectGraphicRenditionLength
        if next.hyperlink != current.hyperlink {
            if current.hyperlink != nil { length &+= Hyperlink.closeSequenceLength }
            if let link = next.hyperlink { length &+= link.openSequenceLength }
        }
        return length
    }

    /// Writes what switches the terminal from `current` to `next` (two different styles): the
    /// end of the current hyperlink and the start of the next one (OSC 8) when they differ, and
    /// one SGR sequence when the look differs. Returns the number of bytes written.
    private static func writeTransition(from current: Style, to next: Style, at pointer: UnsafeMutablePointer<UInt8>) -> Int {
        var index = 0
        if next.hyperlink != current.hyperlink {
            if current.hyperlink != nil { index &+= copyUTF8(of: Hyperlink.closeSequence, to: pointer, carriageReturns: false) }
            if let link = next.hyperlink { index &+= copyUTF8(of: link.openSequence, to: pointer + index, carriageReturns: false) }
        }
        if !next.looksLike(current) { index &+= next.writeSelectGraphicRendition(to: pointer + index) }
        return index
    }

    /// The number of `"\n"` bytes in `text`.
    private static func newlineCount(_ text: String) -> Int {
        let count = text.utf8.withContiguousStorageIfAvailable { bytes in
            var count = 0
            for byte in bytes where byte == 0x0A { count &+= 1 }
            return count
        }
        return count ?? text.utf8.reduce(0) { $0 &+ ($1 == 0x0A ? 1 : 0) }
    }

    /// Copies the UTF-8 of `text` to `pointer`, `"\n"` as `"\r\n"` when asked; returns
    /// the number of bytes written.
    @inline(__always)
    private static func copyUTF8(of text: String, to pointer: UnsafeMutablePointer<UInt8>, carriageReturns: Bool) -> Int {
        if let count = text.utf8.withContiguousStorageIfAvailable({ source -> Int in
            if !carriageReturns {
                if source.count <= 16 {
                    // Short runs are the common case when deltas are small: no memcpy call.
                    for index in 0..<source.count { pointer[index] = source[index] }
                } else {
                    pointer.initialize(from: source.baseAddress!, count: source.count)
                }
                return source.count
            }
            var written = 0
            for byte in source {
                if byte == 0x0A {
                    pointer[written] = 0x0D
                    written &+= 1
                }
                pointer[written] = byte
                written &+= 1
            }
            return written
        }) {
            return count
        }
        var written = 0
        for byte in text.utf8 {
            if carriageReturns, byte == 0x0A {
                pointer[written] = 0x0D
                written &+= 1
            }
            pointer[written] = byte
            written &+= 1
        }
        return written
    }

    /// Appends `text`, with every `"\n"` written as `"\r\n"` when asked.
    static func appendText(_ text: String, to output: inout [UInt8], carriageReturns: Bool) {
        var text = text
        text.withUTF8 { buffer in
            guard carriageReturns else {
                output.append(contentsOf: buffer)
                return
            }
            var start = 0
            for index in 0..<buffer.count where buffer[index] == 10 {
                output.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start..<index]))
                output.append(13)
                output.append(10)
                start = index + 1
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start...]))
        }
    }
}
