import AgentSession
import Conversations
import Foundation
import Testing
@testable import ParleyApp

/// The pure parts of `/rewind`, `/undo` and change receipts.
@Suite struct ConversationHistoryTests {
    static func prompt(_ n: Int, _ text: String) -> QueuedMessage {
        QueuedMessage(id: "u-\(n)", text: text, sequenceNumber: n)
    }

    @Test func rewindingDropsThePromptAndLaterOnesAndAnUndoThatWentWithThem() {
        var history = ConversationHistory()
        for (n, text) in ["one", "two", "three"].enumerated() { history.promptSent(Self.prompt(n + 1, text)) }
        let receipt = RewindFilesReceipt(canRewind: true, filesChanged: ["/w/a.txt"], insertions: 0, deletions: 1)
        history.lastChange = .init(prompt: Self.prompt(3, "three"), summary: FileChangeSummary(receipt, workingDirectory: "/w"))
        history.rewound(toPromptAt: 1)
        #expect(history.prompts.map(\.text) == ["one"])
        #expect(history.lastChange == nil)
        history.reset()
        #expect(history.prompts.isEmpty)
    }

    /// The dry run counts what restoring would do; the receipt says what the turn did.
    @Test func theSummaryReadsTheReceiptTheOtherWayRoundWithRelativePaths() {
        let receipt = RewindFilesReceipt(canRewind: true, filesChanged: ["/w/src/a.swift", "/w/b.swift", "/elsewhere/c"],
                                         insertions: 12, deletions: 40)
        let summary = FileChangeSummary(receipt, workingDirectory: "/w")
        #expect(summary.line == "3 files changed, +40 −12: src/a.swift, b.swift, /elsewhere/c")
        let one = FileChangeSummary(RewindFilesReceipt(canRewind: true, filesChanged: ["/w/a"], insertions: 0, deletions: 1), workingDirectory: "/w/")
        #expect(one.line == "1 file changed, +1 −0: a")
        #expect(FileChangeSummary(RewindFilesReceipt(canRewind: false, filesChanged: ["/w/a"]), workingDirectory: "/w").isEmpty)
    }

    @Test func aPathFromTheCLIIsMadeInert() {
        let summary = FileChangeSummary(RewindFilesReceipt(canRewind: true, filesChanged: ["/w/a\u{1B}]0;PWNED\u{07}.txt"]),
                                        workingDirectory: "/w")
        #expect(!summary.line.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F })
    }

    /// After a rewind the file keeps the removed lines; the prompts `/rewind` reads from a
    /// transcript (through `TranscriptParser`) are those of the current branch.
    @Test func transcriptPromptsFollowTheCurrentBranch() throws {
        let lines = [
            #"{"type":"queue-operation"}"#,
            #"{"type":"user","uuid":"p1","parentUuid":null,"message":{"role":"user","content":"one"}}"#,
            #"{"type":"attachment","uuid":"x1","parentUuid":"p1"}"#,
            #"{"type":"assistant","uuid":"a1","parentUuid":"x1","message":{"content":[{"type":"text","text":"Echo: one"}]}}"#,
            #"{"type":"user","uuid":"p2","parentUuid":"a1","message":{"role":"user","content":[{"type":"text","text":"<system-reminder>x</system-reminder>"},{"type":"text","text":"two"}]}}"#,
            #"{"type":"assistant","uuid":"a2","parentUuid":"p2","message":{"content":[{"type":"tool_use"}]}}"#,
            #"{"type":"user","uuid":"t2","parentUuid":"a2","message":{"role":"user","content":[{"type":"tool_result","content":"ok"}]}}"#,
            #"{"type":"assistant","uuid":"a3","parentUuid":"t2","message":{"content":[]}}"#,
            #"{"type":"user","uuid":"p3","parentUuid":"a1","message":{"role":"user","content":"three, after rewinding two"}}"#,
            #"{"type":"user","uuid":"m3","parentUuid":"p3","isMeta":true,"message":{"role":"user","content":"meta"}}"#,
            #"{"type":"assistant","uuid":"a4","parentUuid":"m3","message":{"content":[]}}"#,
        ]
        let transcript = try TranscriptParser.parse(Data(lines.joined(separator: "\n").utf8), sessionID: "s")
        let prompts = ConversationHistory.prompts(of: transcript)
        #expect(prompts.map(\.id) == ["p1", "p3"])
        #expect(prompts.map(\.text) == ["one", "three, after rewinding two"])
        #expect(prompts.map(\.sequenceNumber) == [1, 2])
    }

    /// Transcripts are read where the CLI writes them: `$CLAUDE_CONFIG_DIR`, else `$HOME/.claude`.
    @Test func transcriptLocationFollowsTheCLIsNaming() {
        let paths = ParleyPaths(environment: ["HOME": "/user"])
        #expect(ConversationFiles(paths: paths, childEnvironment: ["HOME": "/h"]).store(workingDirectory: "/tmp/my_dir.x").directory
            == "/h/.claude/projects/-tmp-my-dir-x")
        #expect(ConversationFiles(paths: paths, childEnvironment: ["HOME": "/h", "CLAUDE_CONFIG_DIR": "/c"]).store(workingDirectory: "/w").directory
            == "/c/projects/-w")
        #expect(ConversationFiles(paths: paths, childEnvironment: [:]).store(workingDirectory: "/w").directory
            == "/user/.claude/projects/-w")
    }

    @Test func claudeStartsWithFileCheckpointingUnlessThePersonaSaysOtherwise() {
        #expect(LaunchConfiguration(baseEnvironment: [:]).childEnvironment()["CLAUDE_CODE_ENABLE_SDK_FILE_CHECKPOINTING"] == "true")
        let off = LaunchConfiguration(environment: ["CLAUDE_CODE_ENABLE_SDK_FILE_CHECKPOINTING": "false"], baseEnvironment: [:])
        #expect(off.childEnvironment()["CLAUDE_CODE_ENABLE_SDK_FILE_CHECKPOINTING"] == "false")
    }
}
