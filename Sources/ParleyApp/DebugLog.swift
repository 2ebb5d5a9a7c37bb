import AgentSession
import Foundation
import Locking

import Glibc

/// Appends the engine's events to a file (`--debug-log`), for bug reports.
final class DebugLog: Sendable {
    private let handle: Locked<FileHandle?>

    init?(path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return nil }
        handle = Locked(FileHandle(fileDescriptor: fd, closeOnDealloc: true))
        write("start \(Self.resources())")
    }

    func record(_ event: SessionEvent) {
        write("\(event)")
    }

    /// Ends the log with the same resource line as its start: a leak shows as a difference.
    func close() {
        write("end \(Self.resources())")
        handle.withLock { $0 = nil }
    }

    private func write(_ text: String) {
        let line = "\(Date().timeIntervalSince1970) \(text)\n"
        handle.withLock { $0?.write(Data(line.utf8)) }
    }

    /// Open descriptors (excluding the log's own) and live child processes of Parley.
    static func resources() -> String {
        let descriptors = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0) - 2
        let me = String(getpid())
        let children = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).filter { entry in
            guard Int(entry) != nil, let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
            return fields.count > 1 && fields[1] == me
        }.count
        return "descriptors=\(descriptors) children=\(children)"
    }
}
