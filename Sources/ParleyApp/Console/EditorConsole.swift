import Terminal

/// Interactive output: everything goes through the line editor, which draws it above the
/// prompt and the half-typed line. Whole lines are made inert here (see ``InertText``), whoever
/// built them; streamed text is made inert by its producer (the presenter), which sees the deltas.
final class EditorConsole: Console {
    private let editor: LineEditor

    init(editor: LineEditor) {
        self.editor = editor
    }

    func streamText(_ text: StyledText) { editor.write(text) }
    func line(_ text: StyledText, kind: ConsoleLineKind) { editor.writeStatus(text.madeInert()) }
    func json(_ line: String) { editor.writeStatus(StyledText(line)) }
    /// At most 1 MiB of streamed text waits for the terminal.
    private static let roomLimit = 1 << 20
    var isBehind: Bool { editor.pendingTextBytes > Self.roomLimit }
    func waitForRoom() async { await editor.waitForRoom(limit: Self.roomLimit) }
}
