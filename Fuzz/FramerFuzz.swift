// libFuzzer entry for the StreamJSON protocol layer (issue 7, fault 8).
//
// Built by scripts/fuzz together with Sources/StreamJSON/*.swift as ONE module (swiftc
// -sanitize=fuzzer,address -parse-as-library), so there is no `import StreamJSON` here.
// SwiftPM cannot link a fuzzer executable here (it renames `main`), hence the script.
//
// One input = 1 control byte + payload. Properties checked for every input:
//  1. Framing the payload in one chunk, in chunks whose sizes come from the control byte
//     and the payload, and one byte at a time gives the SAME lines, and they equal a naive
//     oracle (split on \n, drop a trailing \r, skip blank lines, the unterminated tail
//     comes from finish()).
//  2. Every line decodes without crashing (success or UndecodableLine, never a trap), and
//     the route-first decoder gives the same result as the full-tree one.
//  3. With a tiny line limit, framing never crashes and every oversized report is over
//     the limit.
//  4. The payload as text, sent as a user message, encodes to exactly one JSON line that
//     frames as one line and parses back to the same text.
import Foundation

private let decoder = MessageDecoder()

private func frame(_ bytes: [UInt8], chunkSizes: (Int) -> Int, limit: Int = 1 << 30) -> [NDJSONFramer.Line] {
    var framer = NDJSONFramer(maximumLineLength: limit)
    var lines: [NDJSONFramer.Line] = []
    var offset = 0
    var chunk = 0
    while offset < bytes.count {
        let size = max(1, min(chunkSizes(chunk), bytes.count - offset))
        framer.append(bytes[offset..<(offset + size)]) { lines.append($0) }
        offset += size
        chunk += 1
    }
    if let last = framer.finish() { lines.append(last) }
    return lines
}

private func oracle(_ bytes: [UInt8]) -> [NDJSONFramer.Line] {
    let pieces = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
    var lines: [NDJSONFramer.Line] = []
    for piece in pieces {
        var line = Array(piece)
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
        lines.append(.complete(line))
    }
    return lines
}

private func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition {
        fputs("FramerFuzz property failed: \(message())\n", stderr)
        abort()
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func framerFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let control = data[0]
    let payload = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))

    // 1. Chunking does not change the lines.
    let whole = frame(payload, chunkSizes: { _ in Int.max })
    var state = UInt64(control) &+ UInt64(payload.count) &* 0x9E37_79B9_7F4A_7C15
    let randomSplit = frame(payload, chunkSizes: { _ in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Int((state >> 33) % UInt64(1 + Int(control & 0x3f)) + 1)
    })
    let bytewise = frame(payload, chunkSizes: { _ in 1 })
    let expected = oracle(payload)
    check(whole == expected, "one chunk \(whole.count) lines vs oracle \(expected.count)")
    check(randomSplit == whole, "split chunks differ from one chunk")
    check(bytewise == whole, "1-byte chunks differ from one chunk")

    // 2. Every line decodes or is reported; never a crash. The route-first path gives exactly
    //    what the full-tree path gives.
    for case .complete(let bytes) in whole {
        let result = decoder.decode(bytes)
        switch result {
        case .success: break
        case .failure(let undecodable): check(undecodable.byteCount == bytes.count, "byteCount mismatch")
        }
        check(result == decoder.decodeFullTree(bytes), "route-first and full-tree decoding differ")
    }

    // 3. A tiny limit: oversized lines are reported, with a count over the limit.
    let limit = 1 + Int(control >> 2)
    for line in frame(payload, chunkSizes: { $0 % 3 + 1 }, limit: limit) {
        if case .oversized(let count) = line { check(count > limit, "oversized \(count) <= limit \(limit)") }
    }

    // 4. Outgoing lines survive any text.
    let text = String(decoding: payload, as: UTF8.self)
    let encoded = Array(OutgoingMessage.user(text: text, uuid: "fuzz").encodedLine())
    let framed = frame(encoded, chunkSizes: { _ in Int.max })
    check(framed.count == 1 && encoded.last == UInt8(ascii: "\n"), "an outgoing message is not exactly one line")
    if case .complete(let line)? = framed.first, let value = try? JSONValue.parse(Data(line)) {
        check(value["message"]?["content"]?.stringValue == text, "outgoing text did not round-trip")
    } else {
        check(false, "an outgoing line does not parse")
    }
    return 0
}
