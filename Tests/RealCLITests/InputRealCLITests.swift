import Foundation
import ParleyTestSupport
import StreamJSON
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 16, points 1 and 3, with the real `claude` and the fake Messages API's record of what
/// reached the API: `!command` (output on screen, no API request for it, the next request
/// carries it; Ctrl-C stops it, not the session) and `@picture.png` (an `image` block).
@Suite(.serialized) struct InputRealCLITests {
    /// A 1×1 PNG and a 1×1 GIF.
    static let png = Data(base64Encoded: "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")!
    static let gif = Data(base64Encoded: "R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")!

    @Test func bangCommandInATerminalGoesIntoTheConversationWithoutATurn() async throws {
        let harness = try RealHarness()
        defer { harness.finish() }
        let terminal = try await harness.terminal(extra: ["SHELL": "/bin/bash"], width: 120, height: 40)
        defer { terminal.close() }
        try await terminal.waitFor("● claude started", timeout: .seconds(30))

        // Output on screen (inert), the user's $SHELL, the conversation's directory, exit status.
        terminal.type(#"!printf 'bang-%s\n' out; echo "shell=$0 dir=$PWD"; printf 'x\033[2Jy\n'; echo oops >&2; exit 4"#, enter: true)
        let screen = try await terminal.waitFor(": exit 4", timeout: .seconds(20))
        #expect(screen.contains("bang-out"), "\(screen)")
        #expect(screen.contains("shell=/bin/bash dir=\(harness.work)"), "\(screen)")
        #expect(screen.contains("x␛[2Jy"), "\(screen)")
        #expect(screen.contains("✗ !printf 'bang-%s\\n' out;"), "\(screen)")
        // The record-only line was taken (the CLI answered with an empty result) and no API request was made.
        usleep(1_500_000)
        #expect(harness.api.mainRequests.isEmpty, "\(harness.api.mainRequests)")
        #expect(!terminal.screen().contains("$0.0"), "no turn footer for the record: \(terminal.screen())")

        terminal.type("what did it print", enter: true)
        try await terminal.waitFor(timeout: .seconds(30)) { $0.contains("Echo: ") && $0.components(separatedBy: "─ ").count >= 2 }
        let first = try #require(harness.api.mainRequests.first)
        let texts = APIRequest.allTexts(first).joined(separator: "\n")
        #expect(texts.contains("<bash-input>printf 'bang-%s\\n' out;"), "\(texts)")
        #expect(texts.contains("bang-out\nshell=/bin/bash"), "\(texts)")
        #expect(texts.contains("<bash-stderr>oops\n</bash-stderr>"), "\(texts)")
        #expect(texts.contains("<bash-exit-status>exit 4</bash-exit-status>"), "\(texts)")
        #expect(APIRequest.latestPrompt(first) == "what did it print")

        // A !command typed while a turn runs waits for it: its output comes after the reply.
        terminal.type("a slow one mock-slow=150", enter: true)  // about 4.5 s: long enough to type into on a loaded machine
        try await terminal.waitFor("slow0", timeout: .seconds(30))
        terminal.type("!echo after-the-turn", enter: true)
        let screen2 = try await terminal.waitFor(timeout: .seconds(30)) { $0.contains("✓ !echo after-the-turn: exit 0") }
        #expect(screen2.contains("queued: !echo after-the-turn"), "\(screen2)")
        let reply = try #require(screen2.range(of: "slow29."))
        let output = try #require(screen2.range(of: "\nafter-the-turn"))
        #expect(reply.upperBound < output.lowerBound, "the command ran during the turn:\n\(screen2)")

        // Ctrl-C stops the command (its whole process group), not the session.
        terminal.type("!echo started-sleep; sleep 37.5; echo never", enter: true)
        try await terminal.waitFor("started-sleep", timeout: .seconds(20))
        let stoppedAt = Date()
        terminal.send("C-c")
        let screen3 = try await terminal.waitFor("killed by signal 2 (SIGINT)", timeout: .seconds(10))
        #expect(Date().timeIntervalSince(stoppedAt) < 5)
        #expect(!screen3.contains("\nnever"), "\(screen3)")
        #expect(Self.processes(withArgument: "37.5").isEmpty, "sleep survived")
        terminal.type("after the stop", enter: true)
        try await terminal.waitFor(timeout: .seconds(30)) { $0.contains("after the stop") && $0.contains("Echo: ") && $0.components(separatedBy: "─ ").count >= 4 }
        #expect(terminal.screen().components(separatedBy: "● claude started").count == 2, "one process: \(terminal.screen())")
        let last = try #require(harness.api.mainRequests.last)
        #expect(APIRequest.allTexts(last).joined().contains("started-sleep\n</bash-stdout>"))
        #expect(harness.api.mainRequests.count == 3)
        try await quitParley(terminal)
    }

    @Test func bangCommandInAScriptReportsOnStderrAndReachesTheNextRequest() async throws {
        let harness = try RealHarness()
        defer { harness.finish() }
        let outcome = try await harness.parley("!echo piped-out; echo piped-err >&2; exit 3\nwhat was printed?\n",
                                         environment: ["SHELL": "/bin/sh"])
        #expect(outcome.status == 0, "stderr: \(outcome.stderr)")
        #expect(outcome.stderr.contains("piped-out\n") && outcome.stderr.contains("piped-err\n"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("✗ !echo piped-out; echo piped-err >&2; exi…: exit 3"), "\(outcome.stderr)")
        #expect(outcome.stdout.hasSuffix(" what was printed?\n"), "\(outcome.stdout)")
        // One API request: the prompt's, carrying the command's record before it.
        let requests = harness.api.mainRequests
        #expect(requests.count == 1)
        let texts = try APIRequest.allTexts(#require(requests.first))
        let record = try #require(texts.firstIndex { $0.hasPrefix("<bash-input>echo piped-out;") }, "\(texts)")
        let prompt = try #require(texts.firstIndex(of: "what was printed?"), "\(texts)")
        #expect(record < prompt)
        #expect(texts[record].contains("<bash-stdout>piped-out\n</bash-stdout>\n<bash-stderr>piped-err\n</bash-stderr>"))
    }

    @Test func mentionedAndPastedImagesReachTheAPIAsImageBlocks() async throws {
        let harness = try RealHarness()
        defer { harness.finish() }
        try Self.png.write(to: URL(fileURLWithPath: harness.work + "/shot.png"))
        try Self.png.write(to: URL(fileURLWithPath: harness.work + "/really-a-png.jpg"))
        try Self.gif.write(to: URL(fileURLWithPath: harness.work + "/dropped file.gif"))
        var big = Self.png
        big.append(Data(count: 4 * 1024 * 1024))
        try big.write(to: URL(fileURLWithPath: harness.work + "/big.png"))
        let input = "what is @shot.png and @really-a-png.jpg?\n"
            + "too big @big.png\n"
            + "'\(harness.work)/dropped file.gif'\n"
            + "missing @nothere.webp\n"
            + "plain text after\n"
        let outcome = try await harness.parley(input)
        #expect(outcome.status == 0, "stderr: \(outcome.stderr)")
        #expect(outcome.stderr.contains("✗ not sent: cannot attach big.png: 4.0 MiB is too large"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("✗ not sent: cannot attach nothere.webp: no such file"), "\(outcome.stderr)")
        let requests = harness.api.mainRequests
        // (The CLI adds a text block `[Image: source: …]` after each image.)
        let prompts = ["what is @shot.png and @really-a-png.jpg?", "'\(harness.work)/dropped file.gif'", "plain text after"]
        #expect(requests.count == 3)
        guard requests.count == 3 else { return }
        for (request, prompt) in zip(requests, prompts) {
            #expect(APIRequest.allTexts(request).contains(prompt), "\(APIRequest.allTexts(request))")
        }
        func images(_ record: JSONValue) -> [JSONValue] {
            guard let last = APIRequest.conversation(record).last(where: { $0["role"] == "user" }) else { return [] }
            return (last["content"]?.arrayValue ?? []).filter { $0["type"] == "image" }
        }
        let first = images(requests[0])
        #expect(first.count == 2, "\(requests[0])")
        for image in first {
            #expect(image["source"]?["type"] == "base64")
            #expect(image["source"]?["media_type"] == "image/png")  // by its bytes, not the .jpg name
            #expect(image["source"]?["data"]?.stringValue == Self.png.base64EncodedString())
        }
        let pasted = images(requests[1])
        #expect(pasted.count == 1)
        #expect(pasted.first?["source"]?["media_type"] == "image/gif")
        #expect(pasted.first?["source"]?["data"]?.stringValue == Self.gif.base64EncodedString())
        #expect(images(requests[2]).isEmpty)
    }

    /// Live processes whose command line holds `argument`.
    static func processes(withArgument argument: String) -> [pid_t] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return names.compactMap { pid_t($0) }.filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            return data.split(separator: 0).contains { String(decoding: $0, as: UTF8.self) == argument }
                && ProcessTable.entry(pid)?.state != "Z"
        }
    }
}
