import Foundation

import Glibc

/// Finds and kills every process that descends from one `claude` process, however it
/// detached itself.
///
/// Killing the CLI's process group is not enough: the CLI starts each Bash command with
/// `setsid`, so tool processes live in sessions and groups of their own and survive a crash
/// of the CLI as orphans. Every process Parley starts gets a unique token in its environment
/// (``variable``), which its descendants inherit; the sweep kills each process whose
/// environment holds it. Only processes that cleared their environment escape.
enum DescendantSweeper {
    /// The environment variable that marks a claude process and its descendants.
    static let variable = "PARLEY_CHILD_TOKEN"

    /// A new token for one process.
    static func makeToken() -> String { UUID().uuidString }

    /// SIGKILLs every process (other than this one) whose environment holds `token`.
    /// Returns how many were killed. Repeats a few times to catch processes forked meanwhile.
    @discardableResult
    static func killAll(token: String) -> Int {
        let needle = Array("\(variable)=\(token)".utf8) + [0]
        let me = getpid()
        var killed = 0
        for _ in 0..<3 {
            var found = 0
            for pid in processIDs() where pid != me && environment(of: pid, contains: needle) {
                if kill(pid, SIGKILL) == 0 { found += 1 }
            }
            killed += found
            if found == 0 { break }
            usleep(20_000)
        }
        return killed
    }

    private static func processIDs() -> [pid_t] {
        guard let directory = opendir("/proc") else { return [] }
        defer { closedir(directory) }
        var pids: [pid_t] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if let pid = pid_t(name) { pids.append(pid) }
        }
        return pids
    }

    private static func environment(of pid: pid_t, contains needle: [UInt8]) -> Bool {
        let fd = open("/proc/\(pid)/environ", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var data: [UInt8] = [0]  // a leading NUL, so the needle matches at entry starts only
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count <= 0 { break }
            data.append(contentsOf: buffer[0..<count])
        }
        data.append(0)
        let pattern = [UInt8(0)] + needle.dropLast() + [0]
        guard data.count >= pattern.count else { return false }
        var index = 0
        let last = data.count - pattern.count
        while index <= last {
            if data[index] == 0, data[index + 1] == pattern[1], Array(data[index..<(index + pattern.count)]) == pattern {
                return true
            }
            index += 1
        }
        return false
    }
}
