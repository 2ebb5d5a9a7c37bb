/// The byte-level state machine behind ``InertText`` and ``InertTextStream``.
///
/// It reads valid UTF-8 (the bytes of a Swift string; a multi-byte scalar is never cut) one
/// byte at a time and appends the inert form to an output buffer. Runs of ordinary text are
/// copied in bulk. The state carried between pieces is where an unfinished sequence stands.
struct InertTextScanner: Sendable {
    private enum State: Sendable {
        /// Ordinary text.
        case text
        /// After `\r`: a `\n` next makes it a plain line break.
        case carriageReturn
        /// After `ESC` (or a C1 control that is not an introducer): what follows decides.
        case escape
        /// After `ESC` and intermediate bytes (0x20–0x2F): waiting for the final byte.
        case escapeIntermediate
        /// Inside a CSI sequence: parameters and intermediates until the final byte.
        case controlSequence
        /// Inside an OSC, DCS, SOS, PM or APC string.
        case controlString(StringPhase)
        /// After `ESC` inside a control string: `\` ends it (ST), anything else aborts it.
        case controlStringEscape
    }

    /// How much of a control string has been shown.
    private enum StringPhase: Sendable {
        /// Showing the leading number (this many digits so far).
        case number(Int)
        /// The `;` after the number was shown.
        case separator
        /// `…` was shown; the rest is hidden.
        case hidden
    }

    /// Characters of a sequence's parameters shown before `…`.
    static let shownParameterLimit = 16
    /// Digits of a control string's leading number shown before `…`.
    static let shownNumberLimit = 4

    private var state = State.text
    /// Characters of the current sequence shown so far (for the limit).
    private var shownInSequence = 0

    var isAtText: Bool {
        if case .text = state { return true }
        return false
    }

    // MARK: - Fast scan

    /// The index of the first byte at or after `start` that is not plain text, or nil.
    ///
    /// Eight bytes at a time while none of them can be one (no byte below 0x20, no DEL, no 0xC2,
    /// the lead byte of U+0080–U+00BF); a word that may hold one is looked at byte by byte.
    @inline(__always)
    static func firstUnsafeIndex(in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard let base = bytes.baseAddress else { return nil }
        let count = bytes.count
        var index = start
        let raw = UnsafeRawPointer(base)
        while index &+ 8 <= count {
            let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            guard !mayHoldUnsafeByte(word) else { break }
            index &+= 8
        }
        while index < count {
            let byte = base[index]
            if byte < 0x20 {
                if byte != 0x0A, byte != 0x09 { return index }
            } else if byte == 0x7F {
                return index
            } else if byte == 0xC2, index &+ 1 < count, base[index &+ 1] < 0xA0 {
                // U+0080–U+009F: a C1 control (0xC2 is always followed by a continuation byte).
                return index
            }
            index &+= 1
            if index & 7 == 0 {
                // Back to whole words once past the one that stopped the fast loop.
                while index &+ 8 <= count,
                      !mayHoldUnsafeByte(raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)) {
                    index &+= 8
                }
            }
        }
        return nil
    }

    /// Whether any byte of `word` is below 0x20, 0x7F or 0xC2 (exact for "any"; which byte is
    /// left to the byte loop). Newlines and tabs count too: the byte loop lets them pass.
    @inline(__always)
    private static func mayHoldUnsafeByte(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        @inline(__always) func hasZeroByte(_ value: UInt64) -> Bool { (value &- ones) & ~value & highs != 0 }
        let below0x20 = (word &- ones &* 0x20) & ~word & highs != 0
        return below0x20 || hasZeroByte(word ^ (ones &* 0x7F)) || hasZeroByte(word ^ (ones &* 0xC2))
    }

    // MARK: - Consuming

    /// Appends the inert form of `bytes`, continuing from the current state.
    mutating func consume(_ bytes: UnsafeBufferPointer<UInt8>, into output: inout [UInt8]) {
        let count = bytes.count
        var index = 0
        while index < count {
            if case .text = state {
                let next = Self.firstUnsafeIndex(in: bytes, from: index) ?? count
                if next > index { output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[index..<next])) }
                index = next
                guard index < count else { return }
            }
            let byte = bytes[index]
            if byte == 0xC2, index &+ 1 < count, bytes[index &+ 1] < 0xA0 {
                handleC1(bytes[index &+ 1], into: &output)
                index &+= 2
            } else {
                // A byte that does not belong to the current sequence is read again as text.
                if handle(byte, into: &output) { index &+= 1 }
            }
        }
    }

    /// Appends what is held back and returns to the text state.
    mutating func finish(into output: inout [UInt8]) {
        switch state {
        case .carriageReturn: output.append(contentsOf: Self.carriageReturnPicture)
        case .escape, .controlStringEscape: output.append(contentsOf: Self.escapePicture)
        case .text, .escapeIntermediate, .controlSequence, .controlString: break
        }
        state = .text
        shownInSequence = 0
    }

    /// Handles one ASCII byte (or a UTF-8 byte of an ordinary scalar inside a sequence).
    /// Returns false when the byte ended a sequence without belonging to it and must be read again.
    private mutating func handle(_ byte: UInt8, into output: inout [UInt8]) -> Bool {
        switch state {
        case .text:
            switch byte {
            case 0x0D: state = .carriageReturn
            case 0x1B: state = .escape
            case 0x7F: output.append(contentsOf: Self.deletePicture)
            default: output.append(contentsOf: Self.controlPicture(byte))
            }
            return true
        case .carriageReturn:
            state = .text
            if byte == 0x0A {
                output.append(0x0A)
                return true
            }
            output.append(contentsOf: Self.carriageReturnPicture)
            return false
        case .escape:
            return afterEscape(byte, into: &output)
        case .escapeIntermediate:
            return continueSequence(byte, more: 0x20...0x2F, final: 0x30...0x7E, into: &output)
        case .controlSequence:
            return continueSequence(byte, more: 0x20...0x3F, final: 0x40...0x7E, into: &output)
        case .controlString(let phase):
            return inControlString(byte, phase: phase, into: &output)
        case .controlStringEscape:
            if byte == UInt8(ascii: "\\") {
                endSequence()
                return true
            }
            // ESC aborts the string and starts a sequence of its own.
            state = .escape
            return false
        }
    }

    /// The byte after `ESC` (or after the 7-bit form of a C1 control).
    /// A byte inside an escape or control sequence: shown (limited) while the sequence goes on,
    /// its final byte ends it, anything else ends it and is handled as ordinary input.
    private mutating func continueSequence(_ byte: UInt8, more: ClosedRange<UInt8>, final: ClosedRange<UInt8>,
                                           into output: inout [UInt8]) -> Bool {
        if more.contains(byte) {
            showLimited(byte, into: &output)
            return true
        }
        endSequence()
        guard final.contains(byte) else { return false }
        output.append(byte)
        return true
    }

    private mutating func afterEscape(_ byte: UInt8, into output: inout [UInt8]) -> Bool {
        switch byte {
        case UInt8(ascii: "["):
            output.append(contentsOf: Self.escapePicture)
            output.append(byte)
            state = .controlSequence
            shownInSequence = 0
        case UInt8(ascii: "]"), UInt8(ascii: "P"), UInt8(ascii: "X"), UInt8(ascii: "^"), UInt8(ascii: "_"):
            output.append(contentsOf: Self.escapePicture)
            output.append(byte)
            state = .controlString(.number(0))
        case 0x20...0x2F:
            output.append(contentsOf: Self.escapePicture)
            output.append(byte)
            state = .escapeIntermediate
            shownInSequence = 1
        case 0x30...0x7E:
            output.append(contentsOf: Self.escapePicture)
            output.append(byte)
            endSequence()
        default:
            // Not a sequence: the ESC alone, and the byte is read as text.
            output.append(contentsOf: Self.escapePicture)
            endSequence()
            return false
        }
        return true
    }

    /// A byte inside an OSC/DCS/SOS/PM/APC string.
    private mutating func inControlString(_ byte: UInt8, phase: StringPhase, into output: inout [UInt8]) -> Bool {
        switch byte {
        case 0x07:
            endSequence()
            return true
        case 0x0A:
            endSequence()
            return false
        case 0x1B:
            state = .controlStringEscape
            return true
        default:
            break
        }
        switch phase {
        case .number(let digits):
            if (0x30...0x39).contains(byte), digits < Self.shownNumberLimit {
                output.append(byte)
                state = .controlString(.number(digits &+ 1))
            } else if byte == UInt8(ascii: ";") {
                output.append(byte)
                state = .controlString(.separator)
            } else {
                output.append(contentsOf: Self.ellipsis)
                state = .controlString(.hidden)
            }
        case .separator:
            output.append(contentsOf: Self.ellipsis)
            state = .controlString(.hidden)
        case .hidden:
            break
        }
        return true
    }

    /// A C1 control, given as the second byte of its UTF-8 form (0x80–0x9F).
    private mutating func handleC1(_ second: UInt8, into output: inout [UInt8]) {
        let sevenBit = second &- 0x40
        switch state {
        case .controlString, .controlStringEscape:
            if second == 0x9C {
                endSequence()  // ST
            } else if case .controlStringEscape = state {
                // ESC aborted the string; the C1 control then follows the ESC.
                output.append(contentsOf: Self.escapePicture)
                endSequence()
                handleC1(second, into: &output)
            }
            // Any other C1 control inside a string is part of its hidden payload.
            return
        case .text:
            break
        case .carriageReturn:
            output.append(contentsOf: Self.carriageReturnPicture)
        case .escape:
            output.append(contentsOf: Self.escapePicture)
        case .escapeIntermediate, .controlSequence:
            break
        }
        state = .escape
        // The 7-bit form is always a valid sequence byte (0x40–0x5F), so it never needs a second read.
        _ = afterEscape(sevenBit, into: &output)
    }

    private mutating func showLimited(_ byte: UInt8, into output: inout [UInt8]) {
        if shownInSequence < Self.shownParameterLimit {
            output.append(byte)
        } else if shownInSequence == Self.shownParameterLimit {
            output.append(contentsOf: Self.ellipsis)
        }
        if shownInSequence <= Self.shownParameterLimit { shownInSequence &+= 1 }
    }

    private mutating func endSequence() {
        state = .text
        shownInSequence = 0
    }

    // MARK: - Visible forms

    /// `␛` (U+241B SYMBOL FOR ESCAPE).
    static let escapePicture: [UInt8] = Array("\u{241B}".utf8)
    /// `␍` (U+240D SYMBOL FOR CARRIAGE RETURN).
    static let carriageReturnPicture: [UInt8] = Array("\u{240D}".utf8)
    /// `␡` (U+2421 SYMBOL FOR DELETE).
    static let deletePicture: [UInt8] = Array("\u{2421}".utf8)
    /// `…`, for what a sequence holds beyond what is shown.
    static let ellipsis: [UInt8] = Array("\u{2026}".utf8)

    /// The Control Picture of a C0 control (U+2400 + byte): three UTF-8 bytes E2 90 xx.
    @inline(__always)
    static func controlPicture(_ byte: UInt8) -> [UInt8] {
        [0xE2, 0x90, 0x80 | byte]
    }
}
