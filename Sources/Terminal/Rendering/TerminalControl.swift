/// Parley's own terminal controls that draw nothing: the bell with a desktop notification, the
/// window title, and the OSC 133 marks around prompts and command output. They reach the
/// terminal only through the line editor (``LineEditor/send(_:)``), never in scripted use.
///
/// Any text in them (a persona name, a tool name) may come from outside Parley, so it is made
/// inert (``InertText``), stripped of what would end or split the sequence (`;` in OSC 777),
/// and cut to ``maximumTextLength`` characters before it is put in a sequence.
public enum TerminalControl: Sendable, Equatable {
    /// `BEL` (the bell, often a visual or urgency hint), then a desktop notification: OSC 9
    /// (iTerm2, WezTerm, kitty, Windows Terminal…) and OSC 777 (`notify`: rxvt, foot, VTE
    /// terminals); terminals ignore the one they do not know. One control, so the three are
    /// written together.
    case alert(title: String, body: String)
    /// The window title (OSC 2). The first one saves the title the terminal had (`CSI 22;0t`);
    /// the editor restores it when it stops (`CSI 23;0t`).
    case title(String)
    /// OSC 133 `D`: the output of the last submitted line has ended (a turn ended).
    case commandFinished

    /// The longest text a control carries, in characters.
    public static let maximumTextLength = 120

    /// The bytes written to the terminal.
    public var sequence: String {
        switch self {
        case .alert(let title, let body):
            let title = Self.inert(title), body = Self.inert(body)
            return "\u{07}" + "\u{1B}]9;\(title): \(body)\u{07}" + "\u{1B}]777;notify;\(title);\(body)\u{07}"
        case .title(let text):
            return "\u{1B}]2;\(Self.inert(text))\u{07}"
        case .commandFinished:
            return Self.commandFinishedMark
        }
    }

    /// `CSI 22;0t`: saves the window and icon titles on the terminal's stack.
    public static let pushTitle = "\u{1B}[22;0t"
    /// `CSI 23;0t`: restores the titles saved by ``pushTitle``.
    public static let popTitle = "\u{1B}[23;0t"
    /// OSC 133 `A`: a prompt starts here.
    public static let promptStartMark = "\u{1B}]133;A\u{07}"
    /// OSC 133 `B`: the prompt ends and the user's input starts.
    public static let inputStartMark = "\u{1B}]133;B\u{07}"
    /// OSC 133 `C`: the line was submitted; its output starts.
    public static let outputStartMark = "\u{1B}]133;C\u{07}"
    /// OSC 133 `D`: the output of the submitted line has ended.
    public static let commandFinishedMark = "\u{1B}]133;D\u{07}"

    /// `text` made inert, on one line, without `;` (a field separator in OSC 777), cut short.
    static func inert(_ text: String) -> String {
        let inert = InertText.make(text)
            .replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\t", with: " ")
            .replacingOccurrences(of: ";", with: ",")
        return inert.count > maximumTextLength ? String(inert.prefix(maximumTextLength - 1)) + "…" : inert
    }
}
