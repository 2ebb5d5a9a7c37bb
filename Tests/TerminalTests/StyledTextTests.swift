import Foundation
import Testing
@testable import Terminal

@Suite("Styled text")
struct StyledTextTests {
    @Test func plainRenderingHasNoEscapes() {
        let text = StyledText("bold", .bold) + StyledText(" and ") + StyledText("red", .color(.red))
        #expect(text.rendered(color: false) == "bold and red")
        #expect(!text.rendered(color: false).contains("\u{1B}"))
    }

    @Test func colourRenderingEmitsOneSequencePerChange() {
        let text = StyledText("a", .bold) + StyledText("b", .bold) + StyledText("c") + StyledText("d", .color(.red))
        #expect(text.rendered(color: true) == "\u{1B}[0;1mab\u{1B}[0mc\u{1B}[0;31md\u{1B}[0m")
    }

    @Test func combinedAttributes() {
        let style = Style(foreground: .brightCyan, bold: true, dim: true, italic: true, underline: true)
        #expect(StyledText("x", style).rendered(color: true) == "\u{1B}[0;1;2;3;4;96mx\u{1B}[0m")
    }

    @Test func plainTextNeedsNoReset() {
        #expect(StyledText("plain").rendered(color: true) == "plain")
        #expect(StyledText().rendered(color: true) == "")
    }

    @Test func appendMergesEqualStyles() {
        var text = StyledText("a", .dim)
        text.append("b", .dim)
        text.append("", .bold)
        text.append("c")
        #expect(text.fragments == [.init("ab", .dim), .init("c")])
        #expect(text.plainText == "abc")
        let literal: StyledText = "hello"
        #expect(literal.description == "hello")
    }

    @Test func mergingStyles() {
        let merged = Style.bold.merging(.color(.red)).merging(.italic)
        #expect(merged == Style(foreground: .red, bold: true, italic: true))
        #expect(StyledText("x", .dim).applying(.bold).fragments[0].style == Style(bold: true, dim: true))
    }

    /// A style is packed into four bytes (rendering copies and compares one per run of text);
    /// every attribute, every colour and the link survive the packing, and the later colour
    /// and link win a merge.
    @Test func aStyleKeepsEveryAttributeColourAndLinkInFourBytes() throws {
        #expect(MemoryLayout<Style>.size == 4)
        let first = try #require(Hyperlink("https://example.com/first"))
        let second = try #require(Hyperlink("https://example.com/second"))
        #expect(Hyperlink("https://example.com/first") == first && first.url == "https://example.com/first")
        for color in TerminalColor.allCases {
            var style = Style(foreground: color, bold: true, underline: true, hyperlink: first)
            #expect(style.foreground == color && style.isBold && !style.isDim && !style.isItalic && style.isUnderlined)
            #expect(style.hyperlink == first)
            style.isBold = false
            style.isItalic = true
            #expect(!style.isBold && style.isItalic && style.foreground == color)
        }
        let merged = Style(foreground: .red, dim: true, hyperlink: first).merging(Style(foreground: .blue, bold: true, hyperlink: second))
        #expect(merged == Style(foreground: .blue, bold: true, dim: true, hyperlink: second))
        #expect(Style(foreground: .red, hyperlink: first).merging(.bold) == Style(foreground: .red, bold: true, hyperlink: first))
        #expect(!Style(hyperlink: first).isPlain && Style(hyperlink: first).merging(.plain).hyperlink == first)
    }

    @Test func translatingNewlinesForRawTerminal() {
        var output = ""
        ANSIWriter.append(StyledText("a\nb\n\nc").fragments, to: &output, color: false, carriageReturns: true)
        #expect(output == "a\r\nb\r\n\r\nc")
    }
}

@Suite("Display width")
struct DisplayWidthTests {
    @Test func asciiAndWideCharacters() {
        #expect(displayWidth(of: "hello") == 5)
        #expect(displayWidth(of: "héllo wörld ✓") == 13)
        #expect(displayWidth(of: "日本語") == 6)
        #expect(displayWidth(of: "e\u{301}") == 1)
    }

    @Test func escapesAreSkipped() {
        #expect(displayWidth(of: "\u{1B}[0;1;31mred\u{1B}[0m") == 3)
        #expect(displayWidth(of: "\u{1B}]0;title\u{07}ab") == 2)
        #expect(StyledText("ab", .bold).displayWidth == 2)
    }

    @Test func truncation() {
        #expect(truncate("hello world", toWidth: 8) == "hello w…")
        #expect(truncate("short", toWidth: 8) == "short")
        #expect(truncate("日本語です", toWidth: 5) == "日本…")
        let styled = (StyledText("abc", .bold) + StyledText("defgh")).truncated(toWidth: 5)
        #expect(styled.plainText == "abcd…")
        #expect(styled.displayWidth == 5)
    }
}

@Suite("Colour policy")
struct ColorPolicyTests {
    let tty = ["TERM": "xterm-256color"]

    @Test func autoFollowsTheTerminal() {
        #expect(TerminalCapabilities.colorPolicy(mode: .auto, isTTY: true, environment: tty))
        #expect(!TerminalCapabilities.colorPolicy(mode: .auto, isTTY: false, environment: tty))
    }

    @Test func noColorDisablesAuto() {
        #expect(!TerminalCapabilities.colorPolicy(mode: .auto, isTTY: true, environment: tty.merging(["NO_COLOR": "1"]) { $1 }))
        #expect(TerminalCapabilities.colorPolicy(mode: .auto, isTTY: true, environment: tty.merging(["NO_COLOR": ""]) { $1 }))
    }

    @Test func dumbTerminalHasNoColour() {
        #expect(!TerminalCapabilities.colorPolicy(mode: .auto, isTTY: true, environment: ["TERM": "dumb"]))
    }

    @Test func cliColorForceTurnsAutoOn() {
        #expect(TerminalCapabilities.colorPolicy(mode: .auto, isTTY: false, environment: ["CLICOLOR_FORCE": "1"]))
        #expect(!TerminalCapabilities.colorPolicy(mode: .auto, isTTY: false, environment: ["CLICOLOR_FORCE": "0"]))
    }

    @Test func explicitModesOverride() {
        #expect(TerminalCapabilities.colorPolicy(mode: .always, isTTY: false, environment: ["NO_COLOR": "1", "TERM": "dumb"]))
        #expect(!TerminalCapabilities.colorPolicy(mode: .never, isTTY: true, environment: tty.merging(["CLICOLOR_FORCE": "1"]) { $1 }))
        #expect(ColorMode(rawValue: "always") == .always)
    }

    @Test func widthFallbacks() {
        #expect(TerminalCapabilities.resolveWidth(windowColumns: 120, environment: ["COLUMNS": "50"]) == 120)
        #expect(TerminalCapabilities.resolveWidth(windowColumns: 0, environment: ["COLUMNS": "50"]) == 50)
        #expect(TerminalCapabilities.resolveWidth(windowColumns: 0, environment: ["COLUMNS": "x"]) == 80)
        #expect(TerminalCapabilities.resolveWidth(windowColumns: 0, environment: [:]) == 80)
    }

    @Test func detectWithPipes() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        let caps = TerminalCapabilities.detect(
            colorMode: .auto, environment: ["TERM": "xterm", "COLUMNS": "77"],
            stdinFD: fds[0], stdoutFD: fds[1], stderrFD: fds[1])
        #expect(!caps.isInteractive)
        #expect(!caps.stdoutIsTTY)
        #expect(!caps.stderrIsTTY)
        #expect(!caps.useColor)
        #expect(!caps.useColorOnStderr)
        #expect(caps.width == 77)
        let forced = TerminalCapabilities.detect(
            colorMode: .always, environment: [:], stdinFD: fds[0], stdoutFD: fds[1], stderrFD: fds[1])
        #expect(forced.useColor && forced.useColorOnStderr)
    }
}
