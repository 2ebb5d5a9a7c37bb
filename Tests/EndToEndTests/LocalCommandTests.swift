import Foundation
import ParleyTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `!command` through the built `parley` against fake-claude (issue 16, point 1): the record
/// line joins the conversation without a reply, output too long is cut in the middle, and
/// the command dies with Parley.
@Suite(.serialized, .timeLimit(.minutes(2))) struct LocalCommandTests {
    @Test func theCommandsRecordJoinsTheConversationWithoutAReply() async throws {
        let fixture = PipedFixture("parley-bang")
        defer { fixture.directory.remove() }
        let outcome = try await fixture.run("!echo fast-out; printf 'a\\033]0;T\\007b\\n'\nshow fc:history\n")
        #expect(outcome.status == 0, "stderr: \(outcome.stderr)")
        // No reply for the record; fc:history shows it is in the conversation before the prompt.
        #expect(outcome.stdout.hasPrefix("<bash-input>echo fast-out; printf 'a\\033]0;T\\007b\\n'</bash-input>\n"
            + "<bash-stdout>fast-out\na\u{1B}]0;T\u{07}b\n</bash-stdout>"), "\(outcome.stdout)")
        #expect(outcome.stdout.components(separatedBy: "<bash-input>").count == 2)
        // On stderr: the output, made inert, and the status.
        #expect(outcome.stderr.contains("fast-out\na␛]0;…b\n"), "\(outcome.stderr)")
        #expect(!outcome.stderr.contains("\u{1B}]0;"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("✓ !echo fast-out;"), "\(outcome.stderr)")
    }

    @Test func longOutputIsCutInTheMiddleForTheConversationOnly() async throws {
        let fixture = PipedFixture("parley-bang-long")
        defer { fixture.directory.remove() }
        let outcome = try await fixture.run("!seq 1 20000\nshow fc:history\n")
        #expect(outcome.status == 0, "stderr: \(outcome.stderr)")
        // The screen (stderr here) got every line; the conversation its head and tail.
        #expect(outcome.stderr.contains("\n10000\n") && outcome.stderr.contains("\n20000\n"))
        #expect(outcome.stdout.contains("<bash-stdout>1\n2\n3\n"), "\(outcome.stdout.prefix(200))")
        #expect(outcome.stdout.contains("\n19999\n20000\n</bash-stdout>"))
        #expect(!outcome.stdout.contains("\n10000\n"))
        let cut = try #require(outcome.stdout.firstMatch(of: /\[… (\d+) bytes \((\d+) lines\) cut from the middle …\]/))
        // seq 1 20000 writes 108894 bytes; 15 KiB kept at each end, at line ends.
        #expect(Int(cut.output.1)! > 108_894 - 30 * 1024 && Int(cut.output.1)! < 108_894 - 29 * 1024, "\(cut.output.0)")
        #expect(outcome.stdout.utf8.count < 32 * 1024)
    }

    @Test func aCommandDiesWithParley() throws {
        let fixture = PipedFixture("parley-bang-exit")
        defer { fixture.directory.remove() }
        let parley = try SpawnedProgram([TestBinaries.parley], environment: fixture.environment(["SHELL": "/bin/sh"]),
                                        workingDirectory: fixture.directory.path)
        parley.write("!echo started-sleeping; sleep 38.25 & sleep 38.5; echo never\n")
        let deadline = Date().addingTimeInterval(20)
        while !parley.stderr.contains("started-sleeping") && Date() < deadline { usleep(20_000) }
        #expect(parley.stderr.contains("started-sleeping"), "\(parley.stderr)")
        // The shell prints before it starts the sleeps.
        while Self.processes(withArgument: "38.5").isEmpty && Date() < deadline { usleep(20_000) }
        #expect(!Self.processes(withArgument: "38.5").isEmpty)
        kill(parley.pid, SIGTERM)
        #expect(parley.wait(timeout: 10) != nil, "parley did not end: \(parley.stderr)")
        #expect(!parley.stderr.contains("never"))
        let gone = Date().addingTimeInterval(5)
        while !(Self.processes(withArgument: "38.5") + Self.processes(withArgument: "38.25")).isEmpty && Date() < gone { usleep(20_000) }
        #expect(Self.processes(withArgument: "38.5").isEmpty && Self.processes(withArgument: "38.25").isEmpty,
                "the command outlived parley")
    }

    @Test func quittingWhileACommandWaitsForATurnDoesNotWaitForTheTurn() async throws {
        let fixture = InteractiveTests.Fixture()
        defer { fixture.directory.remove() }
        let terminal = try await fixture.start()
        defer { terminal.close() }
        terminal.type("a long one fc:delay=30000", enter: true)
        try await terminal.waitFor("● model")
        terminal.type("!echo never-ran", enter: true)
        try await terminal.waitFor("queued: !echo never-ran")
        let quitAt = Date()
        terminal.send("C-d")
        try await terminal.waitFor("press Ctrl-D again to quit")
        terminal.send("C-d")
        let screen = try await terminal.waitFor("PARLEY-EXITED", timeout: .seconds(15))
        #expect(Date().timeIntervalSince(quitAt) < 10)
        #expect(!screen.contains("\nnever-ran"), "\(screen)")
    }

    /// Live processes whose command line holds `argument`.
    static func processes(withArgument argument: String) -> [pid_t] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return names.compactMap { pid_t($0) }.filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"),
                  let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")"), stat[stat.index(close, offsetBy: 2)] != "Z" else { return false }
            return data.split(separator: 0).contains { String(decoding: $0, as: UTF8.self) == argument }
        }
    }
}
