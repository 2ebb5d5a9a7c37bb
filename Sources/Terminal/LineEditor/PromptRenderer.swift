/// Turns a styled prompt into the string libedit's `EL_PROMPT_ESC` expects.
///
/// Escape codes are wrapped in a literal-delimiter character so libedit does
/// not count them as visible. libedit attaches each delimited run to the next
/// visible character, drops a run at the very end of the prompt and misrenders
/// two adjacent runs, so: one run per change of style, always followed by a
/// visible character. The reset back to plain is therefore attached to the
/// prompt's last character (or its trailing spaces), which is drawn plain.
enum PromptRenderer {
    /// The delimiter registered with `EL_PROMPT_ESC`.
    static let delimiter: Character = "\u{1}"

    /// The prompt string with delimited escapes (or without any when `color` is false).
    ///
    /// With `marks`, the prompt also carries the OSC 133 marks terminals use to jump between
    /// prompts: `A` in the run before its first character, `B` in the run before its last one
    /// (a run at the very end would be dropped), so input starts at most one column after `B`.
    static func render(_ prompt: StyledText, color: Bool, marks: Bool = false) -> String {
        var fragments = prompt.normalized().fragments.filter { !$0.text.isEmpty }
        guard color || marks else { return fragments.map(\.text).joined() }
        if let last = fragments.last, marks || !last.style.isPlain {
            // Move trailing spaces (or, failing that, the last character) into a plain fragment.
            var text = last.text
            var plainTail = ""
            while text.last == " " { plainTail.insert(text.removeLast(), at: plainTail.startIndex) }
            if plainTail.isEmpty, let character = text.popLast() { plainTail = String(character) }
            fragments.removeLast()
            if !text.isEmpty { fragments.append(.init(text, last.style)) }
            fragments.append(.init(plainTail, .plain))
        }
        var output = ""
        var current = Style.plain
        for (index, fragment) in fragments.enumerated() {
            var codes = ""
            if marks, index == 0 { codes += TerminalControl.promptStartMark }
            if color, fragment.style != current {
                codes += fragment.style.isPlain ? "\u{1B}[0m" : fragment.style.selectGraphicRendition
                current = fragment.style
            }
            if marks, index == fragments.count - 1 { codes += TerminalControl.inputStartMark }
            if !codes.isEmpty { output += String(delimiter) + codes + String(delimiter) }
            output += fragment.text
        }
        return output
    }
}
