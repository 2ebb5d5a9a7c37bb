/// Accumulates output as UTF-8 bytes, merging runs of the same style.
///
/// The renderer appends whole slices of its input (always complete scalars);
/// a ``StyledText/Fragment`` is made only when the style changes or the output
/// is taken, so the cost is per run, not per character.
///
/// A run that is one contiguous stretch of the input is not copied until the
/// fragment is made: ``append(_:_:)`` only remembers where it is. The caller
/// must therefore call ``take()`` or ``detach()`` before the bytes it passed
/// go away (the end of the `withUTF8` or `withUnsafeBufferPointer` scope).
struct StyledTextBuilder {
    /// The fragments of the output being built: the first `used` ones. After ``take()``
    /// the array is shared with the caller's ``StyledText``; later fragments overwrite it
    /// in place once the caller has let go of it (else the array is copied, as usual).
    private var committed: [StyledText.Fragment] = []
    private var used = 0
    /// Bytes of the current run that were copied (always before any slice).
    private var run: [UInt8] = []
    /// The current run's uncopied tail: a stretch of the caller's bytes.
    private var slice: UnsafePointer<UInt8>?
    private var sliceCount = 0
    private var runStyle = Style.plain

    private var runIsEmpty: Bool { sliceCount == 0 && run.isEmpty }

    /// Appends UTF-8 bytes that form complete scalars; they must stay valid until
    /// the next ``take()`` or ``detach()``.
    @inline(__always)
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>, _ style: Style) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        if !runIsEmpty {
            if style != runStyle {
                flushRun()
            } else if let slice, slice + sliceCount == base {
                sliceCount &+= bytes.count
                return
            }
        }
        runStyle = style
        if sliceCount == 0, run.isEmpty {
            slice = base
            sliceCount = bytes.count
        } else {
            detach()
            slice = base
            sliceCount = bytes.count
        }
    }

    /// Appends one ASCII byte `count` times.
    mutating func append(ascii byte: UInt8, count: Int = 1, _ style: Style) {
        guard count > 0 else { return }
        if !runIsEmpty, style != runStyle { flushRun() }
        runStyle = style
        detach()
        if count == 1 {
            run.append(byte)
        } else {
            run.append(contentsOf: repeatElement(byte, count: count))
        }
    }

    mutating func append(_ text: String, _ style: Style) {
        guard !text.isEmpty else { return }
        if !runIsEmpty, style != runStyle { flushRun() }
        runStyle = style
        detach()
        run.append(contentsOf: text.utf8)
    }

    /// Copies the uncopied part of the run, so the bytes appended so far may go away.
    @inline(__always)
    mutating func detach() {
        guard let slice, sliceCount > 0 else { return }
        run.append(contentsOf: UnsafeBufferPointer(start: slice, count: sliceCount))
        self.slice = nil
        sliceCount = 0
    }

    /// Everything appended since the last call, where `input` is the string whose UTF-8
    /// `bytes` were appended: when the output is exactly that text in one style, the
    /// fragment shares the string instead of copying it.
    mutating func take(reusing input: String, for bytes: UnsafeBufferPointer<UInt8>) -> StyledText {
        if used == 0, run.isEmpty, let slice, slice == bytes.baseAddress, sliceCount == bytes.count {
            self.slice = nil
            sliceCount = 0
            commit(StyledText.Fragment(input, runStyle))
            return taken()
        }
        return take()
    }

    /// Everything appended since the last call.
    mutating func take() -> StyledText {
        flushRun()
        return taken()
    }

    /// Most fragments one output keeps for reuse.
    private static let reusedFragments = 64

    private mutating func taken() -> StyledText {
        guard used > 0 else { return StyledText() }
        if committed.count > used { committed.removeSubrange(used...) }
        used = 0
        let text = StyledText(fragments: committed)
        if committed.count > Self.reusedFragments { committed = [] }
        return text
    }

    private mutating func flushRun() {
        guard let fragment = makeFragment() else { return }
        commit(fragment)
    }

    @inline(__always)
    private mutating func commit(_ fragment: StyledText.Fragment) {
        if used < committed.count {
            committed[used] = fragment
        } else {
            committed.append(fragment)
        }
        used &+= 1
    }

    /// The current run as a fragment, and an empty run.
    private mutating func makeFragment() -> StyledText.Fragment? {
        let text: String
        if run.isEmpty {
            guard let slice, sliceCount > 0 else { return nil }
            text = String(decoding: UnsafeBufferPointer(start: slice, count: sliceCount), as: UTF8.self)
        } else {
            detach()
            text = String(decoding: run, as: UTF8.self)
            run.removeAll(keepingCapacity: true)
        }
        slice = nil
        sliceCount = 0
        return StyledText.Fragment(text, runStyle)
    }
}

// `slice` points into the caller's bytes only between an append and the ``take()`` or
// ``detach()`` in the same scope, never while the builder is stored between calls.
extension StyledTextBuilder: @unchecked Sendable {}
