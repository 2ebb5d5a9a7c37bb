import Foundation

import Glibc

/// The executables a benchmark run needs, built in the same configuration and scratch
/// directory as `parley-bench` itself.
struct Binaries {
    let directory: String
    let packageRoot: String
    let bench: String
    var parley: String { directory + "/parley" }
    var fakeClaude: String { directory + "/fake-claude" }
    var fakeMessagesAPI: String { directory + "/fake-messages-api" }

    static func locate() -> Binaries {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let directory = (exe as NSString).deletingLastPathComponent
        var root = directory
        while root != "/" && !FileManager.default.fileExists(atPath: root + "/Package.swift") {
            root = (root as NSString).deletingLastPathComponent
        }
        return Binaries(directory: directory, packageRoot: root, bench: exe)
    }

    /// Builds `parley`, `fake-claude` and `fake-messages-api` next to this binary when one is
    /// missing (`swift run parley-bench` builds only the benchmark itself).
    func ensureBuilt() -> Bool {
        let products = ["parley", "fake-claude", "fake-messages-api"]
        let missing = products.filter { !FileManager.default.isExecutableFile(atPath: directory + "/" + $0) }
        guard !missing.isEmpty else { return true }
        // <scratch>/<triple>/<config>/parley-bench
        let configuration = (directory as NSString).lastPathComponent
        let scratch = ((directory as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
        let swift = ProcessInfo.processInfo.environment["PATH"].flatMap { path in
            path.split(separator: ":").map { "\($0)/swift" }.first { FileManager.default.isExecutableFile(atPath: $0) }
        } ?? "/usr/bin/swift"
        for product in missing {
            log("building \(product) (\(configuration)) …")
            let result = capture(swift, ["build", "-c", configuration, "--scratch-path", scratch, "--product", product],
                                 cwd: packageRoot, timeout: 1800)
            if result.status != 0 {
                log("could not build \(product): swift build exited with \(result.status). Build it with:\n  swift build -c \(configuration) --scratch-path \(scratch) --product \(product)")
                return false
            }
        }
        return true
    }

    /// The real CLI: `PARLEY_REAL_CLAUDE`, else `scripts/ensure-claude` (installs it in .venv).
    func realClaude() -> String? {
        if let path = ProcessInfo.processInfo.environment["PARLEY_REAL_CLAUDE"], FileManager.default.isExecutableFile(atPath: path) {
            return path
        }
        let script = packageRoot + "/scripts/ensure-claude"
        guard FileManager.default.isExecutableFile(atPath: script) else { return nil }
        let result = capture("/bin/bash", [script], cwd: packageRoot, timeout: 900)
        let path = result.output.split(separator: "\n").last.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
        return result.status == 0 && FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }
}

/// A running `fake-messages-api` on 127.0.0.1 (stopped by closing its stdin).
final class FakeAPI {
    let port: Int
    private let child: Child

    init?(binary: String, dir: TempDir) {
        guard let child = Child.spawn(binary, ["--exit-on-stdin-eof", "--quiet"], environment: hermeticEnvironment(dir),
                                      cwd: dir.path, stdin: .pipe, stdout: .pipe, stderr: .null) else { return nil }
        self.child = child
        let reader = Reader(child.output)
        guard let line = reader.line(timeout: 20), let text = Optional(String(decoding: line, as: UTF8.self)),
              text.hasPrefix("PORT="), let port = Int(text.dropFirst(5)) else {
            child.kill9()
            return nil
        }
        self.port = port
    }

    func stop() {
        child.closeInput()
        child.wait(timeout: 3)
        child.closeAll()
    }
}

func log(_ message: String) {
    FileHandle.standardError.write(Data(("  · " + message + "\n").utf8))
}

/// The argument vector Parley gives the CLI (LaunchConfiguration defaults), for the
/// minimal drivers, so the child does the same work in both.
let streamJSONArguments = ["-p", "--input-format", "stream-json", "--output-format", "stream-json", "--verbose",
                           "--include-partial-messages", "--permission-prompt-tool", "stdio"]

/// A user line shaped exactly like Parley's (`OutgoingMessage.user`).
func userLine(_ text: String) -> String {
    let escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    return "{\"message\":{\"content\":\"\(escaped)\",\"role\":\"user\"},\"parent_tool_use_id\":null,\"type\":\"user\",\"uuid\":\"\(UUID().uuidString.lowercased())\"}\n"
}

let resultMarker = Array("\"type\":\"result\"".utf8)

/// True when a stdout line of the CLI is its `result` line (a byte search, no JSON decoding).
func isResultLine(_ line: [UInt8]) -> Bool {
    Reader.contains(line, resultMarker)
}
