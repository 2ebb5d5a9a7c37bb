import Terminal

/// Where presented output goes. The seam between what Parley says and how it reaches a
/// screen: the real implementations write to file descriptors or to the line editor, and
/// tests use ``RecordingConsole`` to assert the text.
public protocol Console: Sendable {
    /// Assistant text as it streams; may end in the middle of a line.
    func streamText(_ text: StyledText)
    /// One whole line of a given kind (tool call, tool result, status, error, command output).
    func line(_ text: StyledText, kind: ConsoleLineKind)
    /// One JSON object line (for `--output-format json`).
    func json(_ line: String)
    /// Whether output is waiting to reach the screen beyond what the console wants to hold
    /// (then the producer should ``waitForRoom()`` before handing over more). Checked after
    /// every event, so it is cheap and never suspends.
    var isBehind: Bool { get }
    /// Returns once the console can take more output without holding it in memory
    /// (back-pressure from a slow screen).
    func waitForRoom() async
}

extension Console {
    /// Consoles that write synchronously push back by blocking: never behind.
    public var isBehind: Bool { false }
    public func waitForRoom() async {}
}

/// What a whole line is, which decides its stream in scripted use.
public enum ConsoleLineKind: Sendable, Equatable {
    /// A tool call or its result.
    case tool
    /// Session status (started, queued, retrying…).
    case status
    /// An error or warning the user must see.
    case error
    /// Output a slash command asked for (`/status`, `/queue`, `/help`).
    case info
}
