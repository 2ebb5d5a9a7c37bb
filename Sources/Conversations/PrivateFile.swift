import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Writing a file only its owner can read (mode 0600), atomically: the text goes to a new
/// temporary file in the same directory, which then replaces the target in one `rename`, so a
/// reader never sees half a file and a crash leaves the old one.
public enum PrivateFile {
    /// Why a file was not written.
    public struct WriteError: Error, Equatable, CustomStringConvertible {
        public let path: String
        public let reason: String
        public init(path: String, reason: String) {
            self.path = path
            self.reason = reason
        }
        public var description: String { "cannot write \(path): \(reason)" }
    }

    /// Writes `contents` to `path` (creating its directory, 0700, when missing). With
    /// `replacing: false` an existing file is an error and stays as it is. `durable` also waits
    /// until the text is on the disk (`fsync`), which can take long on a busy disk; without it the
    /// file still survives Parley being killed, but not the machine crashing.
    public static func write(_ contents: String, to path: String, replacing: Bool, durable: Bool = true) throws(WriteError) {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty && !FileManager.default.fileExists(atPath: directory) {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
            } catch {
                throw WriteError(path: path, reason: "cannot create \(directory)")
            }
        }
        let temporary = (directory.isEmpty ? "." : directory) + "/.\((path as NSString).lastPathComponent).\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw WriteError(path: path, reason: String(cString: strerror(errno))) }
        let bytes = Array(contents.utf8)
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, bytes.count - written) }
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else {
                let reason = String(cString: strerror(errno))
                close(fd)
                unlink(temporary)
                throw WriteError(path: path, reason: reason)
            }
            written += result
        }
        fchmod(fd, 0o600)
        if durable { fsync(fd) }
        close(fd)
        // link(2) refuses an existing target: the no-overwrite case cannot race another writer.
        let placed = replacing ? rename(temporary, path) : link(temporary, path)
        let reason = placed == 0 ? nil : (errno == EEXIST ? "it already exists" : String(cString: strerror(errno)))
        if !replacing || placed != 0 { unlink(temporary) }
        if let reason { throw WriteError(path: path, reason: reason) }
    }
}
