import Foundation
import Testing
@testable import AgentSession
import enum AgentSession.ExitStatus  // not Testing's

#if canImport(Glibc)
import Glibc
#endif

/// ``LocalCommand`` (`!command`, issue 16): the user's shell in a directory, output and exit
/// status in order, and a stop that reaches everything the command started.
@Suite(.timeLimit(.minutes(1))) struct LocalCommandTests {
    static func collect(_ command: LocalCommand) async -> (stdout: String, stderr: String, status: ExitStatus?) {
        var stdout: [UInt8] = [], stderr: [UInt8] = []
        var status: ExitStatus?
        for await output in command.output {
            switch output {
            case .stdout(let bytes): stdout += bytes
            case .stderr(let bytes): stderr += bytes
            case .exited(let exit): status = exit
            }
        }
        return (String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self), status)
    }

    @Test func runsInTheDirectoryWithNoInputAndReportsTheExit() async throws {
        let command = try LocalCommand.start("pwd; echo err >&2; cat; exit 5", shell: "/bin/sh", workingDirectory: "/tmp",
                                             environment: ["PATH": "/usr/bin:/bin"])
        let result = await Self.collect(command)
        #expect(result.stdout == "/tmp\n")
        #expect(result.stderr == "err\n")
        #expect(result.status == .exited(5))
    }

    @Test func stopEndsTheCommandAndWhatItStartedDetachedOrNot() async throws {
        let command = try LocalCommand.start("setsid sleep 39.75 & sleep 39.5 & echo started; wait", shell: "/bin/sh",
                                             workingDirectory: nil, environment: ["PATH": "/usr/bin:/bin"])
        var iterator = command.output.makeAsyncIterator()
        let first = await iterator.next()
        #expect(first == .stdout(Array("started\n".utf8)))
        let started = ContinuousClock.now
        command.stop()
        var status: ExitStatus?
        while let output = await iterator.next() { if case .exited(let exit) = output { status = exit } }
        #expect(status != nil)
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(Self.processes(withArgument: "39.5").isEmpty && Self.processes(withArgument: "39.75").isEmpty)
    }

    @Test func aShellOrDirectoryThatCannotBeUsedIsAnErrorThatSaysSo() {
        #expect(throws: LocalCommand.StartError.self) {
            _ = try LocalCommand.start("true", shell: "/no/such/shell", workingDirectory: nil, environment: [:])
        }
        do {
            _ = try LocalCommand.start("true", shell: "/bin/sh", workingDirectory: "/no/such/dir", environment: [:])
            Issue.record("started in a missing directory")
        } catch {
            #expect(error.description.hasPrefix("cannot run the command in /no/such/dir"))
        }
        #expect(LocalCommand.shell(environment: ["SHELL": "/bin/sh"]) == "/bin/sh")
        #expect(LocalCommand.shell(environment: ["SHELL": "bash"]) == "/bin/sh")
        #expect(LocalCommand.shell(environment: ["SHELL": "/no/such/shell"]) == "/bin/sh")
        #expect(LocalCommand.shell(environment: [:]) == "/bin/sh")
    }

    /// A /proc file read with read(2): Foundation's file reading leaks its buffer for files
    /// that report size 0, as /proc files do (seen under LeakSanitizer).
    static func readProcFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        return bytes
    }

    /// Live processes whose command line holds `argument`.
    static func processes(withArgument argument: String) -> [pid_t] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return names.compactMap { pid_t($0) }.filter { pid in
            guard let data = readProcFile("/proc/\(pid)/cmdline"),
                  let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")"), stat[stat.index(close, offsetBy: 2)] != "Z" else { return false }
            return data.split(separator: 0).contains { String(decoding: $0, as: UTF8.self) == argument }
        }
    }
}
