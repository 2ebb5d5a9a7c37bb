import Foundation
import ParleyTestSupport
import StreamJSON
import Testing

#if canImport(Glibc)
import Glibc
#endif
@testable import ParleyApp

/// The pure parts of `!command` and `@path` (issue 16): classification, mentions, pasted paths,
/// image sniffing, output kept at a bounded size, lines for the screen.
@Suite struct InputPartsTests {
    @Test func bangLinesAreShellCommands() {
        #expect(SubmittedInput(line: "!ls -la") == .shell("ls -la"))
        #expect(SubmittedInput(line: "  ! git status  ") == .shell("git status"))
        #expect(SubmittedInput(line: "!") == .message("!"))
        #expect(SubmittedInput(line: "hello !ls") == .message("hello !ls"))
    }

    @Test func mentionsAreFoundAfterWhitespaceOnly() {
        #expect(Mentions.paths(in: "look at @shot.png, then @src/main.swift.") == ["shot.png", "src/main.swift"])
        #expect(Mentions.paths(in: "@first and (@second)") == ["first"])
        #expect(Mentions.paths(in: "mail me@example.com or @ alone") == [])
        #expect(Mentions.paths(in: #"see @"My Shots/a b.png" now"#) == ["My Shots/a b.png"])
        #expect(Mentions.paths(in: "two\n@lines.gif\t@tabs.webp") == ["lines.gif", "tabs.webp"])
        #expect(Mentions.paths(in: "@@x") == ["@x"])
    }

    @Test func aPastedPathIsOneTokenWithASlashOrAnImageExtension() {
        #expect(Mentions.pastedPath("/home/me/shot.png") == "/home/me/shot.png")
        #expect(Mentions.pastedPath("  '/home/me/my shot.png' ") == "/home/me/my shot.png")
        #expect(Mentions.pastedPath(#""/tmp/a b.jpg""#) == "/tmp/a b.jpg")
        #expect(Mentions.pastedPath(#"/tmp/my\ shot.png"#) == "/tmp/my shot.png")
        #expect(Mentions.pastedPath("shot.PNG") == "shot.PNG")
        #expect(Mentions.pastedPath("hello") == nil)
        #expect(Mentions.pastedPath("look at /tmp/x.png") == nil)
        #expect(Mentions.pastedPath("/tmp/a.png\n/tmp/b.png") == nil)
    }

    @Test func imagesAreKnownByTheirFirstBytes() {
        #expect(ImageFormat(sniffing: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0]) == .png)
        #expect(ImageFormat(sniffing: [0xFF, 0xD8, 0xFF, 0xE0]) == .jpeg)
        #expect(ImageFormat(sniffing: Array("GIF89a...".utf8)) == .gif)
        #expect(ImageFormat(sniffing: Array("GIF87a".utf8)) == .gif)
        #expect(ImageFormat(sniffing: Array("RIFF\u{1}\u{2}\u{3}\u{4}WEBPVP8 ".utf8)) == .webp)
        #expect(ImageFormat(sniffing: Array("RIFF\u{1}\u{2}\u{3}\u{4}WAVEfmt ".utf8)) == nil)
        #expect(ImageFormat(sniffing: [0x89, 0x50, 0x4E]) == nil)
        #expect(ImageFormat(sniffing: Array("not an image".utf8)) == nil)
        #expect(ImageFormat.jpeg.mediaType == "image/jpeg")
        #expect(ImageFormat.hasImageExtension("a/b.JPEG") && ImageFormat.hasImageExtension("x.webp"))
        #expect(!ImageFormat.hasImageExtension("notes.txt") && !ImageFormat.hasImageExtension("png") && !ImageFormat.hasImageExtension("a.png/b"))
    }

    @Test func shortOutputIsKeptWhole() {
        var buffer = HeadTailBuffer(headLimit: 16, tailLimit: 16)
        buffer.append(Array("one\ntwo\n".utf8))
        buffer.append(Array("three\n".utf8))
        #expect(!buffer.isTruncated)
        #expect(buffer.text == "one\ntwo\nthree\n")
    }

    @Test func longOutputKeepsHeadAndTailAndSaysWhatWasCut() {
        var buffer = HeadTailBuffer(headLimit: 20, tailLimit: 20)
        let lines = (1...100).map { String(format: "line %03d\n", $0) }  // 9 bytes each
        for line in lines { buffer.append(Array(line.utf8)) }
        let text = buffer.text
        #expect(buffer.isTruncated)
        #expect(text.hasPrefix("line 001\nline 002\n["), "\(text)")
        #expect(text.hasSuffix("]\nline 099\nline 100\n"), "\(text)")
        #expect(text.contains("[… 864 bytes (96 lines) cut from the middle …]"), "\(text)")
    }

    @Test func cutsNeverSplitACharacter() {
        var buffer = HeadTailBuffer(headLimit: 5, tailLimit: 5)
        buffer.append(Array(String(repeating: "é", count: 50).utf8))  // 2 bytes each, no newline
        let text = buffer.text
        #expect(!text.contains("\u{FFFD}"), "\(text)")
        #expect(text.hasPrefix("éé\n[… ") && text.hasSuffix("…]\néé"), "\(text)")
    }

    @Test func bufferMemoryStaysBounded() {
        var buffer = HeadTailBuffer(headLimit: 1024, tailLimit: 1024)
        for _ in 0..<10_000 { buffer.append([UInt8](repeating: UInt8(ascii: "x"), count: 100)) }
        #expect(buffer.totalBytes == 1_000_000)
        #expect(buffer.text.utf8.count < 2200)
    }

    @Test func screenLinesAreWholeLinesAcrossChunks() {
        var splitter = OutputLineSplitter()
        #expect(splitter.append(Array("par".utf8)) == [])
        #expect(splitter.append(Array("tial\nnext\nla".utf8)) == ["partial", "next"])
        let e = Array("é".utf8)
        #expect(splitter.append([e[0]]) == [])
        #expect(splitter.append([e[1], UInt8(ascii: "\n")]) == ["laé"])
        #expect(splitter.append(Array("tail".utf8)) == [])
        #expect(splitter.finish() == "tail")
        #expect(splitter.finish() == nil)
        #expect(splitter.append([UInt8](repeating: 0x41, count: OutputLineSplitter.maxLineBytes)).count == 1)
    }

    @Test func theRecordUsesClaudeCodesTags() {
        var record = LocalCommandRecord(command: "make test")
        record.append(.stdout(Array("ok\n".utf8)))
        record.append(.stderr(Array("warn\n".utf8)))
        #expect(record.text(status: .exited(2)) == """
            <bash-input>make test</bash-input>
            <bash-stdout>ok
            </bash-stdout>
            <bash-stderr>warn
            </bash-stderr>
            <bash-exit-status>exit 2</bash-exit-status>
            """)
        #expect(LocalCommandRecord.describe(.signaled(2)) == "killed by signal 2 (SIGINT)")
    }

    @Test func imagesAreLoadedOnlyWhenTheyFitAndAreImages() throws {
        let directory = TemporaryDirectory("parley-attach")
        defer { directory.remove() }
        let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3])
        FileManager.default.createFile(atPath: directory.file("shot.png"), contents: png)
        FileManager.default.createFile(atPath: directory.file("really-a-png.jpg"), contents: png)
        FileManager.default.createFile(atPath: directory.file("noextension"), contents: png)
        FileManager.default.createFile(atPath: directory.file("notes.txt"), contents: Data("text".utf8))
        FileManager.default.createFile(atPath: directory.file("fake.gif"), contents: Data("text".utf8))
        var big = png
        big.append(Data(count: 3 * 1024 * 1024 + 800 * 1024))  // 3.78 MiB: base64 over 5 MiB
        FileManager.default.createFile(atPath: directory.file("big.png"), contents: big)
        FileManager.default.createFile(atPath: directory.file("locked.png"), contents: png, attributes: [.posixPermissions: 0])
        #expect(mkfifo(directory.file("pipe.png"), 0o600) == 0 && mkfifo(directory.file("pipe"), 0o600) == 0)
        let loader = ImageAttachmentLoader(directory: directory.path)

        let images = try loader.images(mentionedIn: "see @shot.png and @really-a-png.jpg, @noextension, @notes.txt, @missing")
        #expect(images.map(\.mediaType) == ["image/png", "image/png", "image/png"])
        #expect(images[0].base64Data == png.base64EncodedString())
        #expect(try loader.images(mentionedIn: "@\(directory.file("shot.png"))").count == 1)

        func failure(_ text: String) -> String? {
            do { _ = try loader.images(mentionedIn: text); return nil } catch { return error.description }
        }
        #expect(failure("@big.png")?.contains("cannot attach big.png: 3.8 MiB is too large") == true, "\(failure("@big.png") ?? "")")
        #expect(failure("@fake.gif") == "cannot attach fake.gif: not a PNG, JPEG, GIF or WebP image")
        #expect(failure("@nothere.png") == "cannot attach nothere.png: no such file")
        #expect(failure("@pipe.png") == "cannot attach pipe.png: not a regular file")  // and no open that blocks
        #expect(try loader.images(mentionedIn: "@pipe and @\(directory.path)").isEmpty)
        if getuid() != 0 { #expect(failure("@locked.png") == "cannot attach locked.png: not readable") }

        #expect(try loader.pastedImage(directory.file("shot.png"))?.mediaType == "image/png")
        #expect(try loader.pastedImage("'\(directory.file("shot.png"))'")?.mediaType == "image/png")
        #expect(try loader.pastedImage(directory.file("notes.txt")) == nil)
        #expect(try loader.pastedImage("/no/such/file.png") == nil)
    }
}
