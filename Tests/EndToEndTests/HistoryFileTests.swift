import Foundation
import ParleyTestSupport
import Testing

import Glibc

/// The history file through the built `parley` in a terminal (tmux): whatever sits at its
/// path, Parley starts, says once when history cannot be kept, and never writes through a link.
@Suite(.serialized, .timeLimit(.minutes(3))) struct HistoryFileTests {
    typealias Fixture = InteractiveTests.Fixture

    private func historyPath(_ fixture: Fixture) -> String {
        let directory = fixture.directory.file("state/parley")
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory + "/history"
    }

    /// Starts parley, sends one message, quits; returns the screen.
    private func session(_ fixture: Fixture, expecting notice: String?) async throws -> String {
        let terminal = try await fixture.start()
        defer { terminal.close() }
        try await terminal.waitFor("parley ›", timeout: .seconds(10))
        terminal.type("hello", enter: true)
        try await terminal.waitFor("Echo: hello")
        terminal.send("C-d")
        let last = try await terminal.waitFor("PARLEY-EXITED")
        #expect(fixture.file("exit.status").contains("exit=0"), "screen:\n\(last)")
        if let notice {
            #expect(last.contains("history will not be kept: ") && last.contains(notice), "screen:\n\(last)")
            #expect(last.components(separatedBy: "history will not be kept").count == 2, "said more than once:\n\(last)")
        } else {
            #expect(!last.contains("history will not be kept"), "screen:\n\(last)")
        }
        return last
    }

    @Test func aFIFOAtTheHistoryPathDoesNotBlockStartUp() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        #expect(mkfifo(historyPath(fixture), 0o600) == 0)
        _ = try await session(fixture, expecting: "is a FIFO")
    }

    @Test func aDirectoryAtTheHistoryPathIsSaid() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        #expect(mkdir(historyPath(fixture), 0o700) == 0)
        _ = try await session(fixture, expecting: "is a directory")
    }

    @Test func aSymbolicLinkIsNeverFollowed() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let target = fixture.directory.file("precious.txt")
        FileManager.default.createFile(atPath: target, contents: Data("keep me\n".utf8), attributes: [.posixPermissions: 0o644])
        #expect(symlink(target, historyPath(fixture)) == 0)
        _ = try await session(fixture, expecting: "is a symbolic link")
        #expect((try? String(contentsOfFile: target, encoding: .utf8)) == "keep me\n")
        let permissions = (try? FileManager.default.attributesOfItem(atPath: target))?[.posixPermissions] as? Int
        #expect(permissions == 0o644)
    }

    @Test func staleCompactionFilesAreRemovedAndHistoryIsKept() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let path = historyPath(fixture)
        // A Parley killed while compacting left its temporary file; pid 2147483647 cannot exist.
        let stale = path + ".tmp2147483647"
        FileManager.default.createFile(atPath: stale, contents: Data("_HiStOrY_V2_\nold\n".utf8))
        _ = try await session(fixture, expecting: nil)
        #expect(!FileManager.default.fileExists(atPath: stale))
        let saved = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        #expect(saved == "_HiStOrY_V2_\nhello\n", "history: \(saved)")
        let permissions = (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int
        #expect(permissions == 0o600)
    }

    @Test func aHugeHistorySizeIsADiagnosticNotACrash() async throws {
        let fixture = Fixture()
        defer { fixture.directory.remove() }
        let config = fixture.directory.file("config/parley")
        try FileManager.default.createDirectory(atPath: config, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: config + "/config.toml", contents: Data("history_size = 9223372036854775807\n".utf8))
        let screen = try await session(fixture, expecting: nil)
        #expect(screen.contains("\"history_size\" must be from 0 to 1000000"), "screen:\n\(screen)")
    }
}
