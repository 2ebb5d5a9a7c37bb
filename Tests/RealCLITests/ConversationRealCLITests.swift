import Conversations
import Foundation
import ParleyTestSupport
import StreamJSON
import Testing

/// Issue 15, points 1 and 4, through the built `parley` against the real `claude` and the fake
/// Messages API: which conversations `/resume` lists, what reaches the API after switching to
/// one, bad input that changes nothing, the start flags, `/export` and `/copy`.
extension RealCLI {
    @Suite struct Conversations {
        /// The folder the CLI keeps `directory`'s transcripts in, under the harness's HOME.
        static func folder(_ harness: RealHarness, _ directory: String) -> String {
            ConversationStore(home: harness.home, workingDirectory: directory).directory
        }

        /// Session ids of `directory`'s transcripts, newest first.
        static func sessionIDs(_ harness: RealHarness, _ directory: String? = nil) -> [String] {
            ConversationStore(home: harness.home, workingDirectory: directory ?? harness.work).entries().map(\.sessionID)
        }

        /// One conversation started by `claude -p` itself (the official picker hides these).
        static func claudePrint(_ harness: RealHarness, _ prompt: String, in directory: String? = nil) async throws {
            let outcome = try await runProgram(harness.claude, arguments: ["-p", prompt], environment: harness.environment(),
                                         workingDirectory: directory ?? harness.work, timeout: 60)
            #expect(outcome.status == 0, "claude -p: \(outcome.stderr)")
        }

        @Test func resumeListsParleyAndPrintConversationsAndTheNextRequestCarriesTheChosenOne() async throws {
            let harness = try RealHarness()
            defer { harness.finish() }
            #expect(try await harness.parley("alpha prompt\nalpha second\n").status == 0)
            try await Self.claudePrint(harness, "beta prompt")
            let outcome = try await harness.parley("/resume\n/resume 2\ngamma prompt\n/rename Alpha work\n/status\n")
            #expect(outcome.status == 0, "stderr: \(outcome.stderr)")
            let lines = outcome.stderr.split(separator: "\n").map(String.init)
            // Newest first, numbered, with the first prompt, turns and the id prefix.
            let ids = Self.sessionIDs(harness)
            #expect(ids.count == 2)
            let beta = lines.first { $0.hasPrefix(" 1. ") }, alpha = lines.first { $0.hasPrefix(" 2. ") }
            #expect(beta?.contains("beta prompt  1 turn · ") == true, "stderr: \(outcome.stderr)")
            #expect(alpha?.contains("alpha prompt  2 turns · ") == true, "stderr: \(outcome.stderr)")
            // The resumed conversation's last turns are shown again.
            #expect(outcome.stderr.contains("↺ resumed conversation"), "stderr: \(outcome.stderr)")
            #expect(outcome.stderr.contains("› alpha prompt\nEcho: alpha prompt\n› alpha second\nEcho: alpha second\n"),
                    "stderr: \(outcome.stderr)")
            // The next request carries alpha's turns, not beta's.
            let last = try #require(harness.api.mainRequests.last)
            #expect(APIRequest.latestPrompt(last) == "gamma prompt")
            let texts = APIRequest.allTexts(last)
            for text in ["alpha prompt", "Echo: alpha prompt", "alpha second"] {
                #expect(texts.contains(text), "the request lacks \(text): \(texts)")
            }
            #expect(!texts.contains { $0.contains("beta prompt") })
            // /rename: kept by Parley, shown in /status and /resume.
            #expect(outcome.stderr.contains("● this conversation is now “Alpha work”"))
            #expect(outcome.stderr.contains("“Alpha work” · model"), "stderr: \(outcome.stderr)")
            let again = try await harness.parley("/resume\n")
            #expect(again.stderr.contains("alpha prompt  3 turns · "), "stderr: \(again.stderr)")
            #expect(again.stderr.contains(" · “Alpha work”"), "stderr: \(again.stderr)")
            let namesFile = harness.directory.file("home/.state/parley/conversation-names.json")
            #expect(try FileManager.default.attributesOfItem(atPath: namesFile)[.posixPermissions] as? Int == 0o600)
        }

        @Test func badChoicesSayWhyInOneLineAndChangeNothing() async throws {
            let harness = try RealHarness()
            defer { harness.finish() }
            #expect(try await harness.parley("alpha prompt\n").status == 0)
            let other = harness.directory.file("other")
            try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
            try await Self.claudePrint(harness, "elsewhere", in: other)
            let otherID = try #require(Self.sessionIDs(harness, other).first)
            // A corrupt transcript, the newest one.
            let corrupt = Self.folder(harness, harness.work) + "/0bad0bad-0000-0000-0000-000000000000.jsonl"
            try "{\"type\":\"user\",\"uuid\":\"x\",\"message\":{\"content\":\"hi\"}}\nnot json\n{}\n"
                .write(toFile: corrupt, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(60)], ofItemAtPath: corrupt)
            // (The list first, so that a failure shows it.)
            let script = "/resume\n/resume 9\n/resume nosuch\n/resume \(otherID.prefix(8))\n/resume 1\n/resume 0bad\nfresh one\n"
            let outcome = try await harness.parley(script)
            #expect(outcome.status == 0, "stderr: \(outcome.stderr)")
            for expected in [
                "not resumed: no conversation 9; /resume lists 1 to 2\n",
                "not resumed: no conversation nosuch in this directory; /resume lists them\n",
                "not resumed: conversation \(otherID.prefix(8)) belongs to \(other); run parley there to resume it\n",
                "not resumed: conversation 0bad0bad cannot be read: the transcript is corrupt (line 2 is not JSON)\n",
            ] {
                #expect(outcome.stderr.contains(expected), "stderr lacks \(expected): \(outcome.stderr)")
            }
            #expect(outcome.stderr.components(separatedBy: "cannot be read").count == 4)  // its row, /resume 1 and /resume 0bad
            #expect(!outcome.stderr.contains("↺ resumed"))
            // Nothing changed: the message after them starts a new conversation.
            let last = try #require(harness.api.mainRequests.last)
            #expect(APIRequest.latestPrompt(last) == "fresh one")
            #expect(!APIRequest.allTexts(last).contains("alpha prompt"))
        }

        @Test func continueAndResumeFlagsShowTheLastTurnsAndCarryThem() async throws {
            let harness = try RealHarness()
            defer { harness.finish() }
            #expect(try await harness.parley("alpha prompt\n").status == 0)
            let alphaID = try #require(Self.sessionIDs(harness).first)
            usleep(20_000)
            #expect(try await harness.parley("beta prompt\n").status == 0)

            let continued = try await harness.parley("more\n", ["--continue"])
            #expect(continued.status == 0, "stderr: \(continued.stderr)")
            #expect(continued.stderr.contains("› beta prompt\nEcho: beta prompt\n"), "stderr: \(continued.stderr)")
            #expect(APIRequest.allTexts(try #require(harness.api.mainRequests.last)).contains("beta prompt"))

            let resumed = try await harness.parley("again\n", ["--resume", String(alphaID.prefix(8))])
            #expect(resumed.status == 0, "stderr: \(resumed.stderr)")
            #expect(resumed.stderr.contains("› alpha prompt\nEcho: alpha prompt\n"), "stderr: \(resumed.stderr)")
            let last = APIRequest.allTexts(try #require(harness.api.mainRequests.last))
            #expect(last.contains("alpha prompt") && !last.contains("beta prompt"), "\(last)")

            // A bare --resume asks which, and cannot when piped; an unknown id is one line, status 2.
            let piped = try await harness.parley("1\n", ["--resume"])
            #expect(piped.status == 2)
            #expect(piped.stderr == "parley: --resume without an id asks which conversation, and standard input is not "
                + "a terminal; give the id (parley --resume ID) or use --continue\n")
            let unknown = try await harness.parley("", ["--resume", "nosuch"])
            #expect(unknown.status == 2)
            #expect(unknown.stderr == "parley: no conversation nosuch in this directory\n")
            let requests = harness.api.mainRequests.count

            // Scripted JSON: the list and the switch are documented events.
            let json = try await harness.parley("/resume\n/resume 2\n", ["--output-format", "json"])
            #expect(json.status == 0, "stderr: \(json.stderr)")
            let events = json.stdout.split(separator: "\n").compactMap { try? JSONValue.parse(Data($0.utf8)) }
            let list = try #require(events.first { $0["type"] == "conversations" }, "stdout: \(json.stdout)")
            #expect(list["conversations"]?.arrayValue?.count == 2)
            #expect(list["conversations"]?.arrayValue?.first?["first_prompt"] == "alpha prompt")  // just resumed: newest
            let switched = try #require(events.first { $0["type"] == "conversation_resumed" }, "stdout: \(json.stdout)")
            #expect(switched["recent"]?.arrayValue?.last?["prompt"] == "more")
            #expect(switched["session_id"]?.stringValue?.isEmpty == false)
            #expect(harness.api.mainRequests.count == requests)
        }

        @Test func exportWritesMarkdownOnceAndCopyFallsBackToAFile() async throws {
            let harness = try RealHarness()
            defer { harness.finish() }
            let script = "please mock-write now\nshow\\\n```\\\nlet x = 1\\\n```\n/export\n/export notes.md\n/export notes.md\n"
                + "/copy\n/copy 2\n/copy 1\n"
            let outcome = try await harness.parley(script, ["--auto-approve", "edits"], environment: ["TERM": "dumb"])
            #expect(outcome.status == 0, "stderr: \(outcome.stderr)")
            let id = try #require(Self.sessionIDs(harness).first)
            let files = try FileManager.default.contentsOfDirectory(atPath: harness.work).filter { $0.hasSuffix(".md") }.sorted()
            #expect(files.count == 2 && files.contains("notes.md"), "\(files)")
            let defaultName = try #require(files.first { $0 != "notes.md" })
            #expect(defaultName.hasSuffix("-conversation-\(id.prefix(8)).md"))
            let markdown = try String(contentsOfFile: harness.work + "/notes.md", encoding: .utf8)
            for part in ["# Conversation\n", "## 1. You\n\n> please mock-write now\n", "**Tool: Write**\n\n```json\n",
                         "\"file_path\" : \"\(harness.work)/mock_written.txt\"", "Result:\n\n```\nFile created successfully",
                         "## 2. You\n\n> show\n> ```\n> let x = 1\n> ```\n", "Echo: show\n```\nlet x = 1\n```"] {
                #expect(markdown.contains(part), "export lacks \(part):\n\(markdown)")
            }
            #expect(try FileManager.default.attributesOfItem(atPath: harness.work + "/notes.md")[.posixPermissions] as? Int == 0o600)
            #expect(outcome.stderr.contains("not exported: cannot write \(harness.work)/notes.md: it already exists (not overwritten; choose another path)"),
                    "stderr: \(outcome.stderr)")
            // No clipboard when scripted: the text goes to a file, and Parley says where.
            let copied = harness.directory.file("home/.state/parley/copied.txt")
            #expect(outcome.stderr.contains("● no terminal clipboard here (scripted, or TERM=dumb): wrote the last answer (28 characters) to \(copied)"),
                    "stderr: \(outcome.stderr)")
            #expect(outcome.stderr.contains("the last answer has 1 code block; nothing copied"))
            #expect(try String(contentsOfFile: copied, encoding: .utf8) == "let x = 1")
        }
    }
}
