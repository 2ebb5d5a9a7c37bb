import Foundation

/// Reads standard input as logical lines on a thread of its own (a blocking read never
/// runs on the cooperative pool). A line ending in `\` continues on the next one; the
/// logical line holds a newline there.
enum InputLines {
    static func standardInput() -> AsyncStream<String> {
        let (stream, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .unbounded)
        let thread = Thread {
            var pending: String?
            while let raw = readLine(strippingNewline: true) {
                var line = raw
                if line.hasSuffix("\r") { line.removeLast() }
                if line.hasSuffix("\\") {
                    line.removeLast()
                    pending = (pending.map { $0 + "\n" } ?? "") + line
                    continue
                }
                let logical = pending.map { $0 + "\n" + line } ?? line
                pending = nil
                continuation.yield(logical)
            }
            if let pending { continuation.yield(pending) }
            continuation.finish()
        }
        thread.name = "parley.stdin"
        thread.start()
        return stream
    }

    /// Joins continued lines of an already-read text the same way (for tests and files).
    static func logicalLines(of text: String) -> [String] {
        var result: [String] = []
        var pending: String?
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            var line = raw
            if line.hasSuffix("\r") { line.removeLast() }
            if line.hasSuffix("\\") {
                line.removeLast()
                pending = (pending.map { $0 + "\n" } ?? "") + line
                continue
            }
            result.append(pending.map { $0 + "\n" + line } ?? line)
            pending = nil
        }
        if let pending { result.append(pending) }
        if result.last == "" { result.removeLast() }
        return result
    }
}
