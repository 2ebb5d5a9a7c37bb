import Glibc

/// The persisted history: one file, appended entry by entry.
///
/// The format is libedit's (`_HiStOrY_V2_` then one entry per line, with
/// spaces, tabs, newlines and backslashes written as octal or `\\` escapes),
/// but it is read and written here rather than by `H_LOAD`/`H_SAVE`, which
/// rewrite the whole file: appending keeps two sessions from clobbering each
/// other's entries. The file is created with mode 0600 (its directory with
/// 0700), and compacted to the newest `limit` entries when it has grown to
/// twice that, by writing a temporary file next to it and renaming it over.
///
/// Only a regular file is used: every open is `O_NOFOLLOW | O_NONBLOCK`, so a
/// symbolic link is never followed and a FIFO never blocks; anything else at
/// the path (a directory, a FIFO, a link) means no history, which
/// ``problem(at:)`` explains once at start. Temporary files left by a Parley
/// that was killed while compacting are removed at load.
public struct HistoryFile: Sendable {
    static let header = "_HiStOrY_V2_"
    static let temporaryMarker = ".tmp"

    /// The file's path.
    let path: String
    /// How many entries to keep.
    let limit: Int

    /// Why history cannot be kept at `path` (it is not a regular file, or cannot be created or
    /// written), or `nil` when it can. Creates the file's directory when needed.
    public static func problem(at path: String) -> String? {
        makeDirectory(for: path)
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let reason = errno
            var status = stat()
            if lstat(path, &status) == 0, let kind = irregularKind(status.st_mode) { return "\(path) is \(kind)" }
            return "\(path) cannot be opened for writing: \(String(cString: strerror(reason)))"
        }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { return "\(path) cannot be examined" }
        if let kind = irregularKind(status.st_mode) { return "\(path) is \(kind)" }
        return nil
    }

    /// "a directory", "a FIFO", …; `nil` for a regular file.
    private static func irregularKind(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFDIR: return "a directory"
        case S_IFIFO: return "a FIFO"
        case S_IFLNK: return "a symbolic link (not followed)"
        case S_IFSOCK: return "a socket"
        default: return "not a regular file"
        }
    }

    /// Reads the newest `limit` entries, oldest first; compacts an overgrown file and removes
    /// temporary files a killed Parley left behind.
    func load() -> [String] {
        removeStaleTemporaryFiles()
        guard let contents = Self.readFile(path) else { return [] }
        var entries: [String] = []
        for line in contents.split(separator: "\n", omittingEmptySubsequences: true) where line != Self.header {
            let entry = Self.decode(String(line))
            if !entry.isEmpty { entries.append(entry) }
        }
        if entries.count / 2 > limit { rewrite(Array(entries.suffix(limit))) }
        return Array(entries.suffix(limit))
    }

    /// Appends one entry, creating the file (and its directory) when needed.
    func append(_ entry: String) {
        Self.makeDirectory(for: path)
        guard let fd = Self.openRegular(path, O_WRONLY | O_APPEND | O_CREAT) else { return }
        defer { close(fd) }
        var status = stat()
        var record = Self.encode(entry) + "\n"
        if fstat(fd, &status) == 0, status.st_size == 0 { record = Self.header + "\n" + record }
        _ = fchmod(fd, 0o600)
        Self.writeAll(fd, record)
    }

    /// Replaces the file's contents atomically: a new 0600 file next to it, renamed over it.
    func rewrite(_ entries: [String]) {
        Self.makeDirectory(for: path)
        let temporary = path + Self.temporaryMarker + "\(getpid())"
        unlink(temporary)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        let written = Self.writeAll(fd, ([Self.header] + entries.map(Self.encode)).joined(separator: "\n") + "\n")
        let synced = fsync(fd) == 0
        close(fd)
        if !written || !synced || rename(temporary, path) != 0 { unlink(temporary) }
    }

    /// Removes `history.tmp<pid>` files whose process is gone (killed while compacting).
    private func removeStaleTemporaryFiles() {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[..<$0]) }.map { $0.isEmpty ? "/" : $0 } ?? "."
        let prefix = String(path[(slash.map { path.index(after: $0) } ?? path.startIndex)...]) + Self.temporaryMarker
        guard let handle = opendir(directory) else { return }
        defer { closedir(handle) }
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard name.hasPrefix(prefix), let pid = Int32(name.dropFirst(prefix.count)) else { continue }
            if pid == getpid() || kill(pid, 0) != 0 && errno == ESRCH {
                unlink(directory + "/" + name)
            }
        }
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

    /// Opens `path` only when it is a regular file (never following a link, never blocking).
    private static func openRegular(_ path: String, _ flags: Int32) -> Int32? {
        let fd = open(path, flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return nil }
        var status = stat()
        guard fstat(fd, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            return nil
        }
        return fd
    }

    private static func readFile(_ path: String) -> String? {
        guard let fd = openRegular(path, O_RDONLY) else { return nil }
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

    /// Writes all of `text`; false when a write fails.
    @discardableResult
    private static func writeAll(_ fd: Int32, _ text: String) -> Bool {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { return false }
            offset += written
        }
        return true
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
