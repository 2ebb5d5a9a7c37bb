// libFuzzer entry for the terminal-text sanitizer (issue 12, point 1).
//
// Built by scripts/fuzz together with Sources/Terminal/Rendering/InertText.swift and
// InertTextScanner.swift as ONE module, so there is no `import Terminal` here.
//
// One input = 1 control byte + payload (any bytes: invalid UTF-8, escapes, C1 controls).
// Properties checked for every input:
//  1. The output is inert: no C0 control but `\n` and `\t`, no DEL, no U+0080–U+009F, and
//     it is valid UTF-8 (so no raw byte 0x80–0x9F either).
//  2. Printable text is intact: a payload without any control character comes back
//     unchanged, and every line break of the input is still there (a `\r\n` counts as one).
//  3. Streaming: the text fed in pieces (cut at points chosen by the control byte, one
//     character at a time, and at every single cut point) gives exactly the one-piece output.
//  4. Making it inert twice changes nothing.

#if canImport(Glibc)
import Glibc
#endif

private func isInert(_ text: String) -> Bool {
    text.unicodeScalars.allSatisfy { scalar in
        let value = scalar.value
        return (value >= 0x20 && !(0x7F...0x9F).contains(value)) || value == 0x0A || value == 0x09
    }
}

private func streamed(_ characters: [Character], cuts: [Int]) -> String {
    var stream = InertTextStream()
    var output = ""
    var start = 0
    for cut in cuts + [characters.count] where cut >= start {
        output += stream.feed(String(characters[start..<cut]))
        start = cut
    }
    return output + stream.finish()
}

private func fail(_ what: String, _ payload: [UInt8]) -> Never {
    print("InertTextFuzz: \(what); input bytes: \(payload)")
    abort()
}

@_cdecl("LLVMFuzzerTestOneInput")
public func inertTextFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let control = data[0]
    let payload = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let text = String(decoding: payload, as: UTF8.self)
    let whole = InertText.make(bytes: payload)

    // 1. Inert and valid UTF-8.
    if !isInert(whole) { fail("a control character came through: \(whole.debugDescription)", payload) }
    if String(validating: Array(whole.utf8), as: UTF8.self) == nil { fail("invalid UTF-8 out", payload) }
    if !InertText.isInert(whole) { fail("isInert disagrees", payload) }

    // 2. Printable text is intact.
    if isInert(text), whole != text { fail("clean text was changed: \(whole.debugDescription)", payload) }
    let newlines = text.utf8.filter { $0 == 0x0A }.count
    if whole.utf8.filter({ $0 == 0x0A }).count != newlines { fail("a line break was lost or added", payload) }

    // 3. Any cut gives the same output.
    let characters = Array(text.unicodeScalars.map(Character.init))
    var state = UInt64(control) &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(payload.count)
    var cuts: [Int] = []
    var position = 0
    while position < characters.count {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        position += Int((state >> 33) % UInt64(1 + Int(control & 0x0f))) + 1
        if position < characters.count { cuts.append(position) }
    }
    if streamed(characters, cuts: cuts) != whole { fail("pieces \(cuts) differ from one piece", payload) }
    if streamed(characters, cuts: Array(0...characters.count)) != whole { fail("one character at a time differs", payload) }
    if characters.count <= 64 {
        for cut in 0...characters.count where streamed(characters, cuts: [cut]) != whole {
            fail("a cut at \(cut) differs", payload)
        }
    }

    // 4. Idempotent.
    if InertText.make(whole) != whole { fail("not idempotent", payload) }
    return 0
}
