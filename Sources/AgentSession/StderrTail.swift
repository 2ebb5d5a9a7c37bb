/// The last few lines a child wrote on stderr, in bounded memory however much it writes.
///
/// Parley drains stderr for the process's whole life (so the child never blocks on it) and
/// keeps only this tail, to show when the process dies.
struct StderrTail: Sendable {
    let byteLimit: Int
    let lineLimit: Int
    private var bytes: [UInt8] = []

    init(byteLimit: Int = 8192, lineLimit: Int = 20) {
        self.byteLimit = byteLimit
        self.lineLimit = lineLimit
    }

    mutating func append(_ chunk: [UInt8]) {
        if chunk.count >= byteLimit {
            bytes = Array(chunk.suffix(byteLimit))
        } else {
            bytes.append(contentsOf: chunk)
            if bytes.count > byteLimit * 2 { bytes.removeFirst(bytes.count - byteLimit) }
        }
    }

    mutating func reset() { bytes.removeAll() }

    /// Up to ``lineLimit`` last non-empty lines, each at most 300 characters.
    var lines: [String] {
        let text = String(decoding: bytes.suffix(byteLimit), as: UTF8.self)
        let lines = text.split(whereSeparator: \.isNewline).map { line -> String in
            line.count > 300 ? String(line.prefix(300)) + "…" : String(line)
        }
        return Array(lines.suffix(lineLimit))
    }
}
