import Testing

@testable import Terminal

@Suite("Shell words")
struct ShellWordsTests {
    @Test func splitsLikeAShellWithoutExpanding() {
        #expect(ShellWords.split("code -w") == ["code", "-w"])
        #expect(ShellWords.split("  vim  ") == ["vim"])
        #expect(ShellWords.split("'/Applications/My Editor' --wait") == ["/Applications/My Editor", "--wait"])
        #expect(ShellWords.split(#"sh -c "echo \"hi\" \$x" ed"#) == ["sh", "-c", #"echo "hi" $x"#, "ed"])
        #expect(ShellWords.split(#"my\ editor a""b''"#) == ["my editor", "ab"])
        #expect(ShellWords.split("emacs $HOME ~") == ["emacs", "$HOME", "~"])
        #expect(ShellWords.split("''") == [""])
    }

    @Test func anOpenQuoteIsAnError() {
        #expect(ShellWords.split("code 'unclosed") == nil)
        #expect(ShellWords.split(#"code "unclosed"#) == nil)
    }
}
