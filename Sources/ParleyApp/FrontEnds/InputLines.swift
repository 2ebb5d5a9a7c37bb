import Foundation

/// Reads standard input as logical lines on a thread of its own (a blocking read never
/// runs on the cooperative pool). A line ending in `\` continues on the next one; the
/// logical line holds a newline there.
enum InputLines {
    static func standardInput() -> AsyncStream<String> {
        let (stream, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .unbounded)
        let thread = Thread {
            var joiner = LineJoiner()
            while let raw = readLine(strippingNewline: true) {
                if let logical = joiner.add(raw) { continuation.yield(logical) }
            }
            if let rest = joiner.finish() { continuation.yield(rest) }
            continuation.finish()
        }
        thread.name = "parley.stdin"
        thread.start()
        return stream
    }

    /// Joins continued lines of an already-read text the same way (for tests and files).
    static func logicalLines(of text: String) -> [String] {
        var joiner = LineJoiner()
        var result = text.split(separator: "\n", omittingEmptySubsequences: false).compactMap { joiner.add(String($0)) }
        if let rest = joiner.finish() { result.append(rest) }
        if result.last == "" { result.removeLast() }
        return result
    }

    /// Joins physical lines into logical ones: a line ending in `\` continues on the next.
    struct LineJoiner {
        private var pending: String?

        /// Adds one physical line (without its newline; a trailing `\r` is dropped); returns
        /// the logical line it completes, if any.
        mutating func add(_ raw: String) -> String? {
            var line = raw
            if line.hasSuffix("\r") { line.removeLast() }
            if line.hasSuffix("\\") {
                line.removeLast()
                pending = (pending.map { $0 + "\n" } ?? "") + line
                return nil
            }
            defer { pending = nil }
            return pending.map { $0 + "\n" + line } ?? line
        }

        /// What is left when the input ends in a continuation.
        func finish() -> String? { pending }
    }
}
