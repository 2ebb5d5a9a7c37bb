import Foundation
import ParleyTestSupport
import StreamJSON
import Testing

/// Issue 15, points 1 and 4, through the built `parley` and `fake-claude`: a transcript file
/// laid out as the CLI keeps it is listed by `/resume`, `/resume N` restarts the double with
/// `--resume <id>` and shows the last turns, and `/copy` takes the resumed answer.
/// (The real CLI's side is in RealCLITests/ConversationRealCLITests.swift.)
@Suite(.serialized, .timeLimit(.minutes(2))) struct ConversationPipedTests {
    static let id = "aaaabbbb-1111-2222-3333-444455556666"

    /// Writes a two-turn transcript of `fixture`'s directory into its HOME.
    static func writeTranscript(_ fixture: PipedFixture) throws {
        let cwd = fixture.directory.path
        let folderName = String(cwd.unicodeScalars.map { $0.isASCII && CharacterSet.alphanumerics.contains($0) ? Character($0) : "-" })
        let folder = fixture.directory.file(".claude/projects/" + folderName)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        func line(_ fields: [String: JSONValue]) -> String {
            JSONValue.object(fields.merging(["cwd": .string(cwd), "sessionId": .string(id), "isSidechain": false]) { $1 }).compactText
        }
        let lines = [
            line(["type": "user", "uuid": "u1", "parentUuid": .null, "timestamp": "2026-11-30T10:00:00.000Z",
                  "message": ["role": "user", "content": "first old prompt"]]),
            line(["type": "assistant", "uuid": "a1", "parentUuid": "u1", "timestamp": "2026-11-30T10:00:01.000Z",
                  "message": ["role": "assistant", "content": [["type": "text", "text": "first old answer"]]]]),
            line(["type": "user", "uuid": "u2", "parentUuid": "a1", "timestamp": "2026-11-30T10:01:00.000Z",
                  "message": ["role": "user", "content": "second old prompt"]]),
            line(["type": "assistant", "uuid": "a2", "parentUuid": "u2", "timestamp": "2026-11-30T10:01:01.000Z",
                  "message": ["role": "assistant", "content": [["type": "text", "text": "see:\n```\ncode one\n```"]]]]),
        ]
        try (lines.joined(separator: "\n") + "\n").write(toFile: folder + "/\(id).jsonl", atomically: true, encoding: .utf8)
    }

    @Test func resumeListsSwitchesWithResumeAndShowsTheLastTurns() async throws {
        let fixture = PipedFixture("parley-conv")
        defer { fixture.directory.remove() }
        try Self.writeTranscript(fixture)
        let outcome = try await fixture.run("/resume\n/resume aaaab\n/copy 1\nnext\n")
        #expect(outcome.status == 0, "stderr: \(outcome.stderr)")
        #expect(outcome.stderr.contains(" 1. ") && outcome.stderr.contains("first old prompt  2 turns · aaaabbbb"),
                "stderr: \(outcome.stderr)")
        #expect(outcome.stderr.contains("↺ resumed conversation aaaabbbb · 2 turns\n› first old prompt\nfirst old answer\n"
            + "› second old prompt\nsee:\n```\ncode one\n```\n"), "stderr: \(outcome.stderr)")
        // The double was restarted resuming that session (a script starts claude at once, so
        // that is the second start), and the next message went to it.
        #expect(fixture.record.argvs.count == 2, "argvs: \(fixture.record.argvs)")
        let argv = try #require(fixture.record.argvs.last)
        #expect(argv.firstIndex(of: "--resume").map { argv[$0 + 1] } == Self.id, "argv: \(argv)")
        #expect(outcome.stdout.contains("next"))
        // /copy takes the resumed conversation's last answer.
        #expect(try String(contentsOfFile: fixture.directory.file("state/parley/copied.txt"), encoding: .utf8) == "code one")
    }

    @Test func resumeInJSONOutputIsTwoDocumentedEvents() async throws {
        let fixture = PipedFixture("parley-conv")
        defer { fixture.directory.remove() }
        try Self.writeTranscript(fixture)
        let outcome = try await fixture.run("/resume\n/resume 1\n/resume 2\n", ["--output-format", "json"])
        let events = outcome.stdout.split(separator: "\n").compactMap { try? JSONValue.parse(Data($0.utf8)) }
        let list = try #require(events.first { $0["type"] == "conversations" }, "stdout: \(outcome.stdout)")
        let row = try #require(list["conversations"]?.arrayValue?.first)
        #expect(row["number"] == 1 && row["session_id"]?.stringValue == Self.id && row["turns"] == 2)
        #expect(row["first_prompt"] == "first old prompt")
        let resumed = try #require(events.first { $0["type"] == "conversation_resumed" }, "stdout: \(outcome.stdout)")
        #expect(resumed["recent"]?.arrayValue?.map { $0["prompt"] } == ["first old prompt", "second old prompt"])
        let error = try #require(events.first { $0["type"] == "error" }, "stdout: \(outcome.stdout)")
        #expect(error["message"] == "not resumed: no conversation 2; /resume lists 1 to 1")
    }
}
