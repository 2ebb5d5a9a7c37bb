import Foundation
import ParleyTestSupport

/// A private directory, the environment piped-mode tests give `parley` (the double as
/// claude, private XDG paths, fast recovery), and the double's record.
struct PipedFixture {
    let directory: TemporaryDirectory

    init(_ label: String = "parley-piped") {
        directory = TemporaryDirectory(label)
    }

    var record: FakeClaudeRecord { FakeClaudeRecord(path: directory.file("record.jsonl")) }

    func environment(_ extra: [String: String] = [:]) -> [String: String] {
        cleanEnvironment(home: directory.path, extra: [
            "PARLEY_CLAUDE": TestBinaries.fakeClaude,
            "FAKE_CLAUDE_RECORD": directory.file("record.jsonl"),
            "FAKE_CLAUDE_STATE_DIR": directory.path,
            "XDG_CONFIG_HOME": directory.file("config"),
            "XDG_STATE_HOME": directory.file("state"),
            "PARLEY_RESTART_DELAYS": "0.05,0.1,0.2",
        ].merging(extra) { $1 })
    }

    func run(_ input: String, _ arguments: [String] = [], environment extra: [String: String] = [:],
             timeout: TimeInterval = 60) async throws -> ProcessOutcome {
        try await runProgram(TestBinaries.parley, arguments: arguments, stdin: input, environment: environment(extra),
                       workingDirectory: directory.path, timeout: timeout)
    }

    func writeConfig(_ text: String, name: String = "config/parley/config.toml") -> String {
        let path = directory.file(name)
        try? FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        return path
    }
}
