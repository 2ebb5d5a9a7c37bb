import Testing

@testable import Terminal

/// OSC 8 hyperlinks for Markdown links (issue 14, point 4): which URLs may become one, the exact
/// bytes, widths that ignore the link, wrapping, and `text (url)` whenever a link cannot be one.
@Suite struct HyperlinkTests {
    static let open = "\u{1B}]8;;"
    static let end = "\u{1B}\\"
    static let close = "\u{1B}]8;;\u{1B}\\"

    func render(_ document: String, hyperlinks: Bool = true) -> StyledText {
        var renderer = MarkdownStreamRenderer(ruleWidth: 5, hyperlinks: hyperlinks)
        return renderer.feed(document) + renderer.finish()
    }

    @Test(arguments: ["https://example.com/docs?a=1&b=2#x", "http://x.y", "mailto:ada@example.com", "file:///etc/hosts",
                      "HTTPS://EXAMPLE.COM", "https://example.com/a;b=c"])
    func allowedURLsBecomeHyperlinks(url: String) {
        #expect(Hyperlink(url)?.url == url)
    }

    @Test(arguments: ["javascript:alert(1)", "ftp://example.com/f", "data:text/html,x", "vbscript:x", "https", "https:",
                      "//example.com", "", "https://a b", "https://a\u{1B}]0;PWNED\u{07}", "https://a\u{1B}\\", "https://a\u{07}",
                      "https://a\u{9B}2J", "https://a\u{9D}0;x", "https://a\u{7F}", "https://a\n", "https://a\t", "https://a\r",
                      "https://exämple.com", "https://a/␛]0;…", "https://a\u{0}"])
    func unsafeOrOtherURLsAreRefused(url: String) {
        #expect(Hyperlink(url) == nil, "\(url.debugDescription)")
    }

    @Test func anOverlongURLIsRefused() {
        #expect(Hyperlink("https://a/" + String(repeating: "b", count: Hyperlink.maximumLength)) == nil)
    }

    @Test(arguments: [
        ["TERM_PROGRAM": "iTerm.app"], ["TERM_PROGRAM": "WezTerm"], ["TERM_PROGRAM": "vscode"], ["TERM_PROGRAM": "ghostty"],
        ["TERM": "xterm-kitty"], ["KITTY_WINDOW_ID": "1"], ["VTE_VERSION": "5000"], ["VTE_VERSION": "7600"],
        ["WT_SESSION": "abc"], ["KONSOLE_VERSION": "230800"],
    ])
    func autoLinksInTerminalsKnownToSupportThem(environment: [String: String]) {
        #expect(TerminalCapabilities.hyperlinkPolicy(mode: .auto, useColor: true, isInteractive: true, environment: environment))
        #expect(!TerminalCapabilities.hyperlinkPolicy(mode: .off, useColor: true, isInteractive: true, environment: environment))
    }

    @Test(arguments: [[:], ["TERM_PROGRAM": "tmux"], ["TERM_PROGRAM": "Apple_Terminal"], ["VTE_VERSION": "4205"],
                      ["VTE_VERSION": "x"], ["WT_SESSION": ""], ["TERM": "xterm-256color"]])
    func autoDoesNotLinkInOtherTerminals(environment: [String: String]) {
        #expect(!TerminalCapabilities.hyperlinkPolicy(mode: .auto, useColor: true, isInteractive: true, environment: environment))
        #expect(TerminalCapabilities.hyperlinkPolicy(mode: .on, useColor: true, isInteractive: true, environment: environment))
    }

    @Test func neverWithoutColourOrOutsideTheInteractiveTerminal() {
        let wezTerm = ["TERM_PROGRAM": "WezTerm"]
        for mode in HyperlinkMode.allCases {
            #expect(!TerminalCapabilities.hyperlinkPolicy(mode: mode, useColor: false, isInteractive: true, environment: wezTerm))
            #expect(!TerminalCapabilities.hyperlinkPolicy(mode: mode, useColor: true, isInteractive: false, environment: wezTerm))
        }
        // NO_COLOR turns colour off, and so the links; so does a pipe.
        let detected = TerminalCapabilities.detect(colorMode: .auto, hyperlinkMode: .on,
                                                   environment: ["TERM_PROGRAM": "WezTerm", "TERM": "xterm", "NO_COLOR": "1"])
        #expect(!detected.hyperlinks)
    }

    @Test func aLinkIsItsTextCarryingTheURL() {
        let text = render("See [the docs](https://example.com/docs) now.\n")
        #expect(text.plainText == "See the docs now.\n")
        #expect(text.rendered(color: true) == "See " + Self.open + "https://example.com/docs" + Self.end
            + "\u{1B}[0;4mthe docs" + Self.close + "\u{1B}[0m now.\n")
        // A link that is its URL, and inline styles inside the link text.
        #expect(render("[https://a.b](https://a.b)\n").rendered(color: true)
            == Self.open + "https://a.b" + Self.end + "\u{1B}[0;4mhttps://a.b" + Self.close + "\u{1B}[0m\n")
        let styled = render("[**bold** link](https://a.b)\n")
        #expect(styled.plainText == "bold link\n")
        #expect(styled.fragments.filter { $0.style.hyperlink != nil }.map(\.text) == ["bold", " link"])
        #expect(styled.rendered(color: true) == Self.open + "https://a.b" + Self.end + "\u{1B}[0;1;4mbold\u{1B}[0;4m link"
            + Self.close + "\u{1B}[0m\n", "one link around both styles")
    }

    @Test(arguments: [("[x](javascript:alert)", "x (javascript:alert)"), ("[old](ftp://e.com/f)", "old (ftp://e.com/f)"),
                      ("[evil](https://e.com/␛]0;…x)", "evil (https://e.com/␛]0;…x)"), ("[ä](https://ä.de)", "ä (https://ä.de)")])
    func aRefusedURLIsShownAsTextThenURL(markdown: String, shown: String) {
        let text = render(markdown + "\n")
        #expect(text.plainText == shown + "\n")
        #expect(text.fragments.allSatisfy { $0.style.hyperlink == nil })
        #expect(!text.rendered(color: true).contains("\u{1B}]8"))
    }

    @Test func withoutHyperlinksALinkIsTextThenURL() {
        let text = render("See [the docs](https://example.com/docs) now.\n", hyperlinks: false)
        #expect(text.plainText == "See the docs (https://example.com/docs) now.\n")
        #expect(!text.rendered(color: true).contains("\u{1B}]8"))
    }

    @Test func withoutColourNoSequenceIsWritten() {
        #expect(render("See [the docs](https://example.com/docs) now.\n").rendered(color: false) == "See the docs now.\n")
    }

    @Test func aLinkInATableCellIsAHyperlinkToo() {
        let text = render("| a | b |\n|---|---|\n| [x](https://e.com) | y |\n")
        #expect(text.rendered(color: true).contains(Self.open + "https://e.com" + Self.end))
        // The cell is laid out by the width of its text alone.
        let rows = text.plainText.split(separator: "\n")
        #expect(rows.allSatisfy { displayWidth(of: String($0)) == displayWidth(of: String(rows[0])) }, "\(rows)")
        #expect(rows.contains { $0.hasPrefix("│ x │ y │") }, "\(rows)")
    }

    @Test func theLinkTakesNoColumns() {
        let text = render("See [the docs](https://example.com/docs) now.")
        #expect(text.displayWidth == 17)
        #expect(displayWidth(of: text.rendered(color: true)) == 17)
        // An OSC 8 ended by BEL counts nothing either.
        #expect(displayWidth(of: "\u{1B}]8;;https://a.b\u{07}ab\u{1B}]8;;\u{07}") == 2)
        #expect(Self.visible(truncate(text.rendered(color: true), toWidth: 9)) == "See the …")
    }

    /// `text` without its escape sequences: what a terminal shows.
    static func visible(_ text: String) -> String {
        var scanner = EscapeScanner()
        var result = ""
        for scalar in text.unicodeScalars where !scanner.consume(scalar) { result.unicodeScalars.append(scalar) }
        return result
    }

    @Test func aLiveRowWrapsAHyperlinkByItsText() {
        let markdown = "aaaa bbbb [link text here](https://example.com/x) cccc dddd\n"
        func rows(_ hyperlinks: Bool) -> [String] {
            var live = LiveOutput()
            let bytes = live.render([.text(render(markdown, hyperlinks: hyperlinks))], editAreaCursorRow: 0, columns: 20, color: true)
            return String(decoding: bytes, as: UTF8.self).components(separatedBy: "\r\n")
        }
        let linked = rows(true)
        // The rows break where the visible text says, as without any link.
        // (Carriage returns come from erasing the edit area: not what this test is about.)
        let shown = linked.map { Self.visible($0).replacingOccurrences(of: "\r", with: "") }
        #expect(shown == ["aaaa bbbb link text", "here cccc dddd", ""], "\(linked)")
        // Each row's piece of the link is a whole hyperlink of its own.
        #expect(linked[0].hasSuffix(Self.open + "https://example.com/x" + Self.end + "\u{1B}[0;4mlink text" + Self.close + "\u{1B}[0m"))
        #expect(linked[1].hasPrefix(Self.open + "https://example.com/x" + Self.end + "\u{1B}[0;4mhere" + Self.close + "\u{1B}[0m"))
    }
}
