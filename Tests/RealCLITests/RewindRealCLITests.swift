import Foundation
import ParleyTestSupport
import StreamJSON
import Testing

/// `/rewind`, `/undo` and change receipts (issue 15, points 2 and 3): the built `parley`
/// against the real `claude` and the fake Messages API, checking what reached the API and
/// what is on disk.
extension RealCLI {
    @Suite struct Rewind {
        /// The prompts the user typed, in one recorded request.
        static func prompts(_ record: JSONValue) -> [String] {
            APIRequest.conversation(record).filter { $0["role"] == "user" }.flatMap(APIRequest.texts(of:))
                .filter { !$0.hasPrefix("<") && !$0.hasPrefix("File created") }
        }

        @Test func rewindTwoRemovesPromptTwoAndAfterFromTheNextRequest() async throws {
            let harness = try RealHarness()
            defer { harness.finish() }
            let outcome = try await harness.parley("one\ntwo\nthree\n/rewind\n/rewind 2\nfour\n")
            #expect(outcome.status == 0, "stderr: \(outcome.stderr)")
            #expect(outcome.stderr.contains("1. one\n2. two\n3. three\n"), "stderr: \(outcome.stderr)")
            #expect(outcome.stderr.contains("⏪ removed prompt 2 and everything after it\nprompt 2 was: two\n"), "stderr: \(outcome.stderr)")
            let requests = harness.api.mainRequests
            #expect(requests.count == 4)
            #expect(requests.map(Self.prompts).last == ["one", "four"], "\(requests.map(Self.prompts))")
        }

        @Test func rewindOverChangedFilesAsksFirstAndWithFilesRestoresThem() async throws {
            let harness = try RealHarness()
            defer { harness.finish() }
            let written = harness.work + "/a.txt"
            let outcome = try await harness.parley("one\nplease mock-write=a.txt\nthree\n/rewind 2\n/status\n/rewind 2 --files\nfour\n",
                                             ["--auto-approve", "edits"])
            #expect(outcome.status == 0, "stderr: \(outcome.stderr)")
            // The receipt after the turn that wrote it.
            #expect(outcome.stderr.contains("✎ 1 file changed, +1 −0: a.txt\n"), "stderr: \(outcome.stderr)")
            // The first /rewind only asks: the conversation and the file are untouched.
            #expect(outcome.stderr.contains("files changed since prompt 2: 1 file changed, +1 −0: a.txt\n"
                + "nothing changed yet: /rewind 2 --files also restores them, /rewind 2 --keep-files keeps them\n"), "stderr: \(outcome.stderr)")
            #expect(outcome.stderr.contains("turns 3"))
            #expect(outcome.stderr.contains("⏪ removed prompt 2 and everything after it; restored 1 file, +1 −0: a.txt\n"))
            #expect(!FileManager.default.fileExists(atPath: written), "a.txt was not restored (removed)")
            #expect(Self.prompts(harness.api.mainRequests.last ?? .null) == ["one", "four"])
        }

        /// A real edit (the file existed, the model reads it and writes it over): the receipt
        /// counts both sides, and `/undo` puts the old text back.
        @Test func receiptAfterAnEditAndUndoPutsTheFileBack() async throws {
            let directory = TemporaryDirectory("parley-rewind-script")
            defer { directory.remove() }
            let script = directory.file("script.jsonl")
            // Relative paths: the fake API takes them under the CLI's working directory.
            try """
                {"tool": {"name": "Read", "input": {"file_path": "a.txt"}}}
                {"tool": {"name": "Write", "input": {"file_path": "a.txt", "content": "after\\n"}}}
                {"text": "changed it"}
                """.write(toFile: script, atomically: true, encoding: .utf8)
            let harness = try RealHarness(apiArguments: ["--script", script])
            defer { harness.finish() }
            let file = harness.work + "/a.txt"
            try "before\n".write(toFile: file, atomically: true, encoding: .utf8)
            let outcome = try await harness.parley("change a.txt\n/undo\n/undo\n", ["--auto-approve", "edits"])
            #expect(outcome.stdout.contains("changed it"), "stderr: \(outcome.stderr)")
            #expect(outcome.stderr.contains("✎ 1 file changed, +1 −1: a.txt\n"), "stderr: \(outcome.stderr)")
            #expect(outcome.stderr.contains("↶ undid the last turn's changes: 1 file restored, +1 −1: a.txt\n"))
            #expect(outcome.stderr.contains("nothing to undo: no turn has changed files since the last /undo or /rewind\n"))
            #expect(FileManager.default.contents(atPath: file) == Data("before\n".utf8))
            #expect(outcome.status == 0)
        }

        @Test func jsonOutputCarriesReceiptsAndRewinds() async throws {
            let harness = try RealHarness()
            defer { harness.finish() }
            let outcome = try await harness.parley("please mock-write=a.txt\n/rewind 1 --keep-files\n", ["--auto-approve", "edits", "--output-format", "json"])
            #expect(outcome.status == 0, "stderr: \(outcome.stderr)")
            let objects = outcome.stdout.split(separator: "\n").compactMap { try? JSONValue.parse(Data($0.utf8)) }
            let receipt = objects.first { $0["type"] == "files_changed" }
            #expect(receipt?["files"] == .array(["a.txt"]) && receipt?["added"] == 1 && receipt?["removed"] == 0, "\(outcome.stdout)")
            let rewound = objects.first { $0["type"] == "rewound" }
            #expect(rewound?["prompt"] == 1 && rewound?["text"] == "please mock-write=a.txt" && rewound?["files_restored"] == .array([]),
                    "\(outcome.stdout)")
            // --keep-files: the conversation went back, the file stayed.
            #expect(FileManager.default.fileExists(atPath: harness.work + "/a.txt"))
        }

        @Test func badInputGetsOneLineAndChangesNothing() async throws {
            let harness = try RealHarness()
            defer { harness.finish() }
            let outcome = try await harness.parley("one\n/rewind 3\n/rewind 0\n/rewind two\n/undo\ntwo\n")
            #expect(outcome.stderr.contains("no prompt 3: this conversation has 1 prompt; /rewind lists them\n"), "stderr: \(outcome.stderr)")
            #expect(outcome.stderr.contains("no prompt 0: this conversation has 1 prompt; /rewind lists them\n"))
            #expect(outcome.stderr.contains("/rewind: unexpected “two”"))
            #expect(outcome.stderr.contains("nothing to undo"))
            #expect(Self.prompts(harness.api.mainRequests.last ?? .null) == ["one", "two"])
            #expect(outcome.status == 0)
        }

        /// `parley --resume ID`: the prompts come from the CLI's transcript file.
        @Test func rewindWorksAfterResumeFromTheTranscript() async throws {
            let harness = try RealHarness()
            defer { harness.finish() }
            let first = try await harness.parley("one\ntwo\n/status\n")
            let sessionID = try #require(first.stderr.firstMatch(of: /session ([0-9a-f-]{36})/).map { String($0.output.1) },
                                         "stderr: \(first.stderr)")
            let outcome = try await harness.parley("/rewind\n/rewind 2\nthree\n", ["--resume", sessionID])
            #expect(outcome.status == 0, "stderr: \(outcome.stderr)")
            #expect(outcome.stderr.contains("1. one\n2. two\n"), "stderr: \(outcome.stderr)")
            #expect(Self.prompts(harness.api.mainRequests.last ?? .null) == ["one", "three"])
        }

        /// `parley --continue`: the session is known at the first `system/init`; from then on
        /// the earlier prompts (from the transcript) and the new ones are listed together.
        @Test func rewindWorksAfterContinueFromTheTranscript() async throws {
            let harness = try RealHarness()
            defer { harness.finish() }
            let first = try await harness.parley("one\ntwo\n")
            #expect(first.status == 0, "stderr: \(first.stderr)")
            let outcome = try await harness.parley("three\n/rewind\n/rewind 2\nfour\n", ["--continue"])
            #expect(outcome.status == 0, "stderr: \(outcome.stderr)")
            #expect(outcome.stderr.contains("1. one\n2. two\n3. three\n"), "stderr: \(outcome.stderr)")
            #expect(Self.prompts(harness.api.mainRequests.last ?? .null) == ["one", "four"])
        }
    }
}
