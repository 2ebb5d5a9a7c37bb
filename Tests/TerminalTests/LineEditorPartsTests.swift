import Foundation
import Locking
import Testing

import Glibc
@testable import Terminal

@Suite("Edit area layout")
struct EditAreaLayoutTests {
    func scalars(_ text: String) -> [Unicode.Scalar] { Array(text.unicodeScalars) }

    @Test func shortLineStaysOnTheFirstRow() {
        #expect(EditAreaLayout.cursorRow(prompt: "> ", line: scalars("abc"), cursor: 3, columns: 10) == 0)
    }

    @Test func aFullRowWrapsTheCursor() {
        // 2 + 8 = 10 columns: the cursor after the 8th character sits on row 1.
        #expect(EditAreaLayout.cursorRow(prompt: "> ", line: scalars("abcdefgh"), cursor: 8, columns: 10) == 1)
        #expect(EditAreaLayout.cursorRow(prompt: "> ", line: scalars("abcdefg"), cursor: 7, columns: 10) == 0)
        #expect(EditAreaLayout.cursorRow(prompt: "> ", line: scalars("abcdefgh"), cursor: 3, columns: 10) == 0)
        #expect(EditAreaLayout.lastRow(prompt: "> ", line: scalars(String(repeating: "x", count: 25)), columns: 10) == 2)
    }

    @Test func wideCharacterThatDoesNotFitMovesToTheNextRow() {
        // 9 columns used, a 2-column character does not fit in the 10th.
        #expect(EditAreaLayout.row(after: scalars("123456789日"), columns: 10) == 1)
        #expect(EditAreaLayout.row(after: scalars("12345678日"), columns: 10) == 1)
        #expect(EditAreaLayout.row(after: scalars("1234567日"), columns: 10) == 0)
    }

    @Test func newlinesTabsAndControls() {
        #expect(EditAreaLayout.row(after: scalars("ab\ncd\n"), columns: 10) == 2)
        #expect(EditAreaLayout.row(after: scalars("a\tb"), columns: 10) == 0)
        #expect(EditAreaLayout.row(after: scalars("a\tbc"), columns: 10) == 1)
        #expect(EditAreaLayout.row(after: scalars("12345678\u{1}"), columns: 10) == 1)
    }
}

extension LiveOutput {
    mutating func renderText(_ items: [OutputItem], editAreaCursorRow: Int, columns: Int, color: Bool) -> String {
        String(decoding: render(items, editAreaCursorRow: editAreaCursorRow, columns: columns, color: color), as: UTF8.self)
    }
}

@Suite("Live output")
struct LiveOutputTests {
    @Test func completeLinesLeaveNoLiveRow() {
        var live = LiveOutput()
        let bytes = live.renderText([.text("one\ntwo\n")], editAreaCursorRow: 0, columns: 20, color: false)
        #expect(bytes == "\r\u{1B}[K\u{1B}[C\u{1B}[J\rone\r\ntwo\r\n")
        #expect(!live.hasLiveRow)
    }

    @Test func unfinishedLineIsRewrittenWithTheNextChunk() {
        var live = LiveOutput()
        let first = live.renderText([.text("Hello wo")], editAreaCursorRow: 1, columns: 20, color: false)
        #expect(first == "\r\u{1B}[1A\u{1B}[K\u{1B}[C\u{1B}[J\rHello wo\r\n")
        let second = live.renderText([.text("rld\nnext")], editAreaCursorRow: 0, columns: 20, color: false)
        #expect(second == "\r\u{1B}[1A\u{1B}[K\u{1B}[C\u{1B}[J\rHello world\r\nnext\r\n")
        #expect(live.liveRow.map(\.text).joined() == "next")
    }

    @Test func liveRowKeepsOnlyTheLastVisualRow() {
        var live = LiveOutput()
        _ = live.renderText([.text("abcdefghijklm")], editAreaCursorRow: 0, columns: 5, color: false)
        #expect(live.liveRow.map(\.text).joined() == "klm")
        #expect(live.liveRowWidth == 3)
        _ = live.renderText([.text("日本")], editAreaCursorRow: 0, columns: 5, color: false)
        // "klm日" is 5 columns; "本" wraps.
        #expect(live.liveRow.map(\.text).joined() == "本")
    }

    @Test func rewrittenLiveRowKeepsItsStyle() {
        var live = LiveOutput()
        _ = live.renderText([.text(StyledText("bold", .bold))], editAreaCursorRow: 0, columns: 20, color: true)
        let bytes = live.renderText([.text(" more")], editAreaCursorRow: 0, columns: 20, color: true)
        #expect(bytes == "\r\u{1B}[1A\u{1B}[K\u{1B}[C\u{1B}[J\r\u{1B}[0;1mbold\u{1B}[0m more\r\n")
    }

    @Test func aStatusDuringAStreamedLineShowsAtOnceBelowItUntilTheLineEnds() {
        var live = LiveOutput()
        let first = live.renderText([.text("partial"), .status("queued (1)")], editAreaCursorRow: 0, columns: 40, color: false)
        #expect(first == "\r\u{1B}[K\u{1B}[C\u{1B}[J\rpartial\r\nqueued (1)\r\n")
        #expect(live.heldStatuses.count == 1)
        // The next chunk rewrites the live row and the status under it; the line's end places
        // the status after it, for good.
        let second = live.renderText([.text(" done\n")], editAreaCursorRow: 0, columns: 40, color: false)
        #expect(second == "\r\u{1B}[2A\u{1B}[K\u{1B}[C\u{1B}[J\rpartial done\r\nqueued (1)\r\n")
        #expect(live.heldStatuses.isEmpty)
    }

    @Test func streamedTextWrapsAtWordsWithHardBreaks() {
        var live = LiveOutput()
        let bytes = live.renderText([.text("alpha beta gamma")], editAreaCursorRow: 0, columns: 10, color: false)
        #expect(bytes == "\r\u{1B}[K\u{1B}[C\u{1B}[J\ralpha beta\r\ngamma\r\n")
        // A word that arrives in pieces moves as a whole when it does not fit.
        _ = live.renderText([.text(" del")], editAreaCursorRow: 0, columns: 10, color: false)
        let next = live.renderText([.text("ta")], editAreaCursorRow: 0, columns: 10, color: false)
        #expect(next == "\r\u{1B}[1A\u{1B}[K\u{1B}[C\u{1B}[J\rgamma\r\ndelta\r\n")
        #expect(live.liveRow.map(\.text).joined() == "delta")
    }

    @Test func onlyADeliberateKeyAnswersAQuestion() {
        var gate = DeliberateKey()
        gate.keysArrived(at: 9.8)  // typing before the question
        gate.observe(request: 1, now: 10.0)
        gate.keysArrived(at: 10.1)  // type-ahead: too soon after the question and the last key
        #expect(!gate.answers(lineIsEmpty: true, aloneInBatch: true))
        gate.keysArrived(at: 10.4)  // visible for 0.4 s only
        #expect(!gate.answers(lineIsEmpty: true, aloneInBatch: true))
        gate.keysArrived(at: 11.0)  // visible, after a pause
        #expect(gate.answers(lineIsEmpty: true, aloneInBatch: true))
        #expect(!gate.answers(lineIsEmpty: false, aloneInBatch: true))  // a half-typed line
        #expect(!gate.answers(lineIsEmpty: true, aloneInBatch: false))  // a paste or burst
        gate.observe(request: 2, now: 11.2)  // a new question starts its own settle time
        gate.keysArrived(at: 11.8)
        #expect(gate.answers(lineIsEmpty: true, aloneInBatch: true))
        gate.observe(request: 0, now: 12)
        gate.keysArrived(at: 13)
        #expect(!gate.answers(lineIsEmpty: true, aloneInBatch: true))
    }

    @Test func historySearchFindsTheNewestMatchThenOlderOnes() {
        var search = HistorySearch(entries: ["git status", "make test", "git push", "ls"])
        search.type("g")
        search.type("i")
        #expect(search.match == "git push")
        search.older()
        #expect(search.match == "git status")
        search.older()  // nothing older: stays
        #expect(search.match == "git status")
        search.type("x")
        #expect(search.match == nil)
        search.deleteBackward()
        #expect(search.match == "git push")
    }

    @Test func aNarrowerTerminalGetsTheLiveRowLaidOutAgain() {
        var live = LiveOutput()
        _ = live.renderText([.text("one two three four")], editAreaCursorRow: 0, columns: 40, color: false)
        // At 10 columns the terminal shows the 18-column live row on 2 rows: erase both.
        let bytes = live.renderText([], editAreaCursorRow: 0, columns: 10, color: false)
        #expect(bytes == "\r\u{1B}[2A\u{1B}[K\u{1B}[C\u{1B}[J\rone two\r\nthree four\r\n")
        #expect(live.liveRow.map(\.text).joined() == "three four")
    }

    @Test func endLineClosesTheLiveRow() {
        var live = LiveOutput()
        _ = live.renderText([.text("tail"), .status("s")], editAreaCursorRow: 0, columns: 40, color: false)
        let bytes = live.renderText([.endLine, .status("t")], editAreaCursorRow: 0, columns: 40, color: false)
        #expect(bytes == "\r\u{1B}[2A\u{1B}[K\u{1B}[C\u{1B}[J\rtail\r\ns\r\nt\r\n")
        #expect(!live.hasLiveRow)
    }

    @Test func statusAtTheStartOfALineIsWrittenAtOnce() {
        var live = LiveOutput()
        #expect(live.renderText([.status("ready")], editAreaCursorRow: 2, columns: 40, color: false) == "\r\u{1B}[2A\u{1B}[K\u{1B}[C\u{1B}[J\rready\r\n")
    }

    @Test func bigBatchesRenderQuickly() {
        var live = LiveOutput()
        let delta = StyledText(String(repeating: "y", count: 63) + "\n")
        let items = [OutputItem](repeating: .text(delta), count: 16_384)  // 1 MiB
        let start = ContinuousClock.now
        var total = 0
        for _ in 0..<4 { total += live.render(items, editAreaCursorRow: 0, columns: 80, color: true).count }
        let elapsed = ContinuousClock.now - start
        #expect(total > 4 * 1_048_576)
        // Generous even for an unoptimised build; release builds are far faster.
        #expect(elapsed < .seconds(10))
    }
}

@Suite("Input decoding, prompt and completion")
struct EditorPartsTests {
    @Test func utf8SplitAcrossReads() {
        var decoder = UTF8InputDecoder()
        let bytes = Array("é✓😀a".utf8)
        for byte in bytes { decoder.feed([byte]) }
        var scalars: [Unicode.Scalar] = []
        while let scalar = decoder.next() { scalars.append(scalar) }
        #expect(String(String.UnicodeScalarView(scalars)) == "é✓😀a")
    }

    @Test func invalidBytesAreDropped() {
        var decoder = UTF8InputDecoder()
        decoder.feed([0x61, 0xFF, 0xC3, 0x41, 0xE2, 0x9C, 0x93])
        var scalars: [Unicode.Scalar] = []
        while let scalar = decoder.next() { scalars.append(scalar) }
        #expect(scalars == ["a", "A", "✓"])
    }

    @Test func colouredPromptUsesOneDelimitedRunPerChange() {
        let prompt = StyledText("demo", .bold) + StyledText("› ", .color(.cyan))
        #expect(PromptRenderer.render(prompt, color: true)
            == "\u{1}\u{1B}[0;1m\u{1}demo\u{1}\u{1B}[0;36m\u{1}›\u{1}\u{1B}[0m\u{1} ")
        #expect(PromptRenderer.render(prompt, color: false) == "demo› ")
        // A styled last character gives up its style so the reset has a character to attach to.
        #expect(PromptRenderer.render(StyledText(">", .bold), color: true) == ">")
        #expect(PromptRenderer.render(StyledText("> "), color: true) == "> ")
    }

    @Test func completionPlans() {
        #expect(CompletionPlan.plan(line: "/he", cursor: 3, candidates: ["/help"]) == .replace(wordLength: 3, text: "/help "))
        #expect(CompletionPlan.plan(line: "/h", cursor: 2, candidates: ["/help", "/hello"]) == .replace(wordLength: 2, text: "/hel"))
        #expect(CompletionPlan.plan(line: "/hel", cursor: 4, candidates: ["/help", "/hello"]) == .list(["/help", "/hello"]))
        #expect(CompletionPlan.plan(line: "/persona co", cursor: 11, candidates: ["coder"]) == .replace(wordLength: 2, text: "coder "))
        #expect(CompletionPlan.plan(line: "x", cursor: 1, candidates: []) == .none)
        #expect(CompletionPlan.columns(["a", "bb", "ccc"], width: 10) == ["a    bb", "ccc"])
    }

    @Test func crlfBecomesNewline() {
        #expect("a\r\nb\rc\n".replacingCRLF() == "a\nb\nc\n")
    }
}

@Suite("History file")
struct HistoryFileTests {
    func temporaryPath() -> String {
        NSTemporaryDirectory() + "parley-history-\(UUID().uuidString)/nested/history"
    }

    @Test func escapingRoundTrips() {
        for entry in ["plain", "two words", "multi\nline\tand \\ backslash", "héllo wörld ✓", "\\040 literal"] {
            #expect(HistoryFile.decode(HistoryFile.encode(entry)) == entry)
            #expect(!HistoryFile.encode(entry).contains(" "))
            #expect(!HistoryFile.encode(entry).contains("\n"))
        }
        #expect(HistoryFile.encode("a b") == "a\\040b")
    }

    @Test func appendCreatesAPrivateFileWithAHeader() throws {
        let path = temporaryPath()
        let file = HistoryFile(path: path, limit: 10)
        file.append("first entry")
        file.append("second")
        let contents = try String(contentsOfFile: path, encoding: .utf8)
        #expect(contents == "_HiStOrY_V2_\nfirst\\040entry\nsecond\n")
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(file.load() == ["first entry", "second"])
    }

    @Test func twoWritersBothKeepTheirEntries() {
        let path = temporaryPath()
        let one = HistoryFile(path: path, limit: 10)
        let two = HistoryFile(path: path, limit: 10)
        one.append("from one")
        two.append("from two")
        one.append("again one")
        #expect(one.load() == ["from one", "from two", "again one"])
    }

    @Test func loadKeepsTheNewestAndCompacts() throws {
        let path = temporaryPath()
        let file = HistoryFile(path: path, limit: 3)
        for index in 0..<10 { file.append("entry \(index)") }
        #expect(file.load() == ["entry 7", "entry 8", "entry 9"])
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 4)
    }

    @Test func theLargestLimitNeitherTrapsNorCompacts() {
        let file = HistoryFile(path: temporaryPath(), limit: Int.max)
        file.append("one")
        #expect(file.load() == ["one"])
    }

    @Test func onlyARegularFileIsHistory() throws {
        let path = temporaryPath()
        #expect(HistoryFile.problem(at: path) == nil)
        try FileManager.default.removeItem(atPath: path)
        #expect(mkfifo(path, 0o600) == 0)
        #expect(HistoryFile.problem(at: path)?.hasSuffix("is a FIFO") == true)
        #expect(HistoryFile(path: path, limit: 10).load().isEmpty)
        try FileManager.default.removeItem(atPath: path)
        #expect(symlink("/etc/hostname", path) == 0)
        #expect(HistoryFile.problem(at: path)?.contains("symbolic link") == true)
        HistoryFile(path: path, limit: 10).append("never through a link")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: path) == "/etc/hostname")
    }
}

/// Back-pressure at the line editor's mailbox: a writer that is ahead of the editor thread
/// waits until the editor takes what is queued.
@Suite struct EditorMailboxRoomTests {
    @Test func aWriterWaitsUntilTheEditorTakesTheMailbox() async throws {
        let (_, continuation) = AsyncStream<LineInput>.makeStream()
        let channel = try EditorChannel(color: false, continuation: continuation)
        channel.post(.text(StyledText(String(repeating: "x", count: 1500), .bold) + StyledText("é")))
        #expect(channel.pendingTextBytes == 1502)
        // Within the limit: no wait at all.
        await channel.waitForRoom(limit: 2000)
        let returned = Locked(false)
        let waiter = Task {
            await channel.waitForRoom(limit: 1000)
            returned.withLock { $0 = true }
        }
        try await Task.sleep(for: .milliseconds(200))
        #expect(!returned.withLock { $0 })
        let taken = channel.take()
        #expect(taken.items.count == 1)
        await waiter.value
        #expect(returned.withLock { $0 })
        #expect(channel.pendingTextBytes == 0)
    }

    @Test(.timeLimit(.minutes(1))) func aClosedEditorNeverMakesAWriterWait() async throws {
        let (_, continuation) = AsyncStream<LineInput>.makeStream()
        let channel = try EditorChannel(color: false, continuation: continuation)
        channel.post(.text(StyledText(String(repeating: "y", count: 20) + "\n")))
        let returned = Locked(false)
        let waiter = Task {
            await channel.waitForRoom(limit: 10)
            returned.withLock { $0 = true }
        }
        try await Task.sleep(for: .milliseconds(50))
        #expect(!returned.withLock { $0 }, "the writer did not wait while the editor held too much")
        // Shutdown writes what is queued directly (to stdout) and releases the waiter at once.
        channel.markClosed()
        let deadline = ContinuousClock.now + .seconds(2)
        while !returned.withLock { $0 }, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(returned.withLock { $0 }, "a writer waiting when the editor closed was not released within 2 s")
        await waiter.value
        // After closing, a writer never waits, even for a limit of 0 with text posted.
        channel.post(.text(StyledText("more")))
        let start = ContinuousClock.now
        await channel.waitForRoom(limit: 0)
        #expect(ContinuousClock.now - start < .milliseconds(500))
        #expect(channel.pendingTextBytes == 0)
    }
}
