import Glibc

/// The persisted history: one file, appended entry by entry.
///
/// The format is libedit's (`_HiStOrY_V2_` then one entry per line, with
/// spaces, tabs, newlines and backslashes written as octal or `\\` escapes),
/// but it is read and written here rather than by `H_LOAD`/`H_SAVE`, which
/// rewrite the whole file: appending keeps two sessions from clobbering each
/// other's entries. The file is created with mode 0600 (its directory with
/// 0700), and compacted to the newest `limit` entries when it has grown to
/// twice that.
struct HistoryFile {
    static let header = "_HiStOrY_V2_"

    /// The file's path.
    let path: String
    /// How many entries to keep.
    let limit: Int

    /// Reads the newest `limit` entries, oldest first; compacts an overgrown file.
    func load() -> [String] {
        guard let contents = Self.readFile(path) else { return [] }
        var entries: [String] = []
        for line in contents.split(separator: "\n", omittingEmptySubsequences: true) where line != Self.header {
            let entry = Self.decode(String(line))
            if !entry.isEmpty { entries.append(entry) }
        }
        if entries.count > limit * 2 { rewrite(Array(entries.suffix(limit))) }
        return Array(entries.suffix(limit))
    }

    /// Appends one entry, creating the file (and its directory) when needed.
    func append(_ entry: String) {
        Self.makeDirectory(for: path)
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var status = stat()
        var record = Self.encode(entry) + "\n"
        if fstat(fd, &status) == 0, status.st_size == 0 { record = Self.header + "\n" + record }
        _ = fchmod(fd, 0o600)
        Self.writeAll(fd, record)
    }

    /// Replaces the file's contents atomically.
    func rewrite(_ entries: [String]) {
        Self.makeDirectory(for: path)
        let temporary = path + ".tmp\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        Self.writeAll(fd, ([Self.header] + entries.map(Self.encode)).joined(separator: "\n") + "\n")
        close(fd)
        if rename(temporary, path) != 0 { unlink(temporary) }
    }

    /// One entry in the file's escaped form.
    static func encode(_ entry: String) -> String {
        var output = ""
        for scalar in entry.unicodeScalars {
            switch scalar {
            case "\\": output += "\\\\"
            case " ", "\t", "\n", "\r", "\u{0B}", "\u{0C}":
                output += "\\" + String(repeating: "0", count: 3 - String(scalar.value, radix: 8).count)
                    + String(scalar.value, radix: 8)
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let octal = String(scalar.value, radix: 8)
                    output += "\\" + String(repeating: "0", count: 3 - octal.count) + octal
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        return output
    }

    /// An entry from its escaped form (`\ooo` octal and `\\`; unknown escapes kept).
    static func decode(_ line: String) -> String {
        var bytes: [UInt8] = []
        let input = Array(line.utf8)
        var index = 0
        while index < input.count {
            let byte = input[index]
            guard byte == UInt8(ascii: "\\"), index + 1 < input.count else {
                bytes.append(byte)
                index += 1
                continue
            }
            let next = input[index + 1]
            if next == UInt8(ascii: "\\") {
                bytes.append(next)
                index += 2
            } else if index + 3 < input.count,
                (0...2).allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(input[index + 1 + $0]) })
            {
                let value = (0...2).reduce(0) { $0 * 8 + Int(input[index + 1 + $1] - UInt8(ascii: "0")) }
                bytes.append(UInt8(truncatingIfNeeded: value))
                index += 4
            } else {
                bytes.append(byte)
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func readFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            data.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: data, as: UTF8.self)
    }

    private static func writeAll(_ fd: Int32, _ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { return }
            offset += written
        }
    }

    private static func makeDirectory(for path: String) {
        guard !path.isEmpty else { return }
        var index = path.index(after: path.startIndex)
        while let slash = path[index...].firstIndex(of: "/") {
            _ = mkdir(String(path[..<slash]), 0o700)
            index = path.index(after: slash)
        }
    }
}
