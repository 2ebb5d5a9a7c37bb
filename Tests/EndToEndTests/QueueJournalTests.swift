import Foundation
import ParleyTestSupport
import StreamJSON
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 15, point 5: messages queued when Parley is killed are kept in its state directory;
/// the next `parley` in that directory says so, and `/queue restore` sends them, except one
/// the CLI had already taken (its uuid is in the transcript), which is never sent twice.
@Suite(.serialized, .timeLimit(.minutes(2))) struct QueueJournalTests {
    @Test func messagesQueuedWhenParleyIsKilledAreRestoredOnceInTheNextRun() async throws {
        let fixture = InteractiveTests.Fixture()
        defer { fixture.directory.remove() }
        let dir = fixture.directory.path
        let first = try TmuxTerminal(
            command: "cd \(dir) && sh -c 'echo $$ > parley.pid; exec \(TestBinaries.parley)'; echo PARLEY-EXITED",
            environment: fixture.environment())
        defer { first.close() }
        try await first.waitFor("parley ›")
        first.type("slow one fc:delay=8000", enter: true)
        first.type("queued alpha", enter: true)
        first.type("queued beta", enter: true)
        try await first.waitFor("queued (2): queued beta")

        // The journal holds both, with the uuid each line will carry and the conversation.
        let folder = String(dir.unicodeScalars.map { $0.isASCII && CharacterSet.alphanumerics.contains($0) ? Character($0) : "-" })
        let journalPath = fixture.directory.file("state/parley/queues/\(folder).json")
        let journal = try JSONValue.parse(try #require(FileManager.default.contents(atPath: journalPath)))
        let kept = try #require(journal["messages"]?.arrayValue)
        #expect(kept.map { $0["text"] } == ["queued alpha", "queued beta"])
        let mode = try FileManager.default.attributesOfItem(atPath: journalPath)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let pid = try #require(pid_t(fixture.file("parley.pid").trimmingCharacters(in: .whitespacesAndNewlines)))
        kill(pid, SIGKILL)
        try await first.waitFor("PARLEY-EXITED")

        // Pretend the CLI had taken "queued alpha" before the kill: its uuid is in the transcript.
        let alphaUUID = try #require(kept[0]["uuid"]?.stringValue)
        let session = try #require(kept[0]["session_id"]?.stringValue)
        let transcripts = fixture.directory.file(".claude/projects/\(folder)")
        try FileManager.default.createDirectory(atPath: transcripts, withIntermediateDirectories: true)
        try "{\"type\":\"user\",\"uuid\":\"\(alphaUUID)\",\"message\":{\"role\":\"user\",\"content\":\"queued alpha\"}}\n"
            .write(toFile: transcripts + "/\(session).jsonl", atomically: true, encoding: .utf8)

        let second = try await fixture.start()
        defer { second.close() }
        let screen = try await second.waitFor("2 messages queued in the last run were not sent")
        second.type("/queue", enter: true)
        try await second.waitFor("   · queued beta")
        second.type("/queue restore", enter: true)
        try await second.waitFor("restored 1 message from the last run; 1 claude had already taken, not sent again")
        try await second.waitFor("Echo: queued beta")
        #expect(fixture.record.userTexts == ["slow one fc:delay=8000", "queued beta"])
        second.send("C-d")
        try await second.waitFor("PARLEY-EXITED")
        #expect(!FileManager.default.fileExists(atPath: journalPath))

        // Nothing left: the next run says nothing about the last one.
        let third = try await fixture.start()
        defer { third.close() }
        try await third.waitFor("parley ›")
        #expect(!third.screen().contains("in the last run"), "screen:\n\(third.screen())")
        third.send("C-d")
        try await third.waitFor("PARLEY-EXITED")
    }
}
