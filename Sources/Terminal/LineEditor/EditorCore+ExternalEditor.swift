import CEditLine
import Glibc

/// Ctrl-X Ctrl-E (and ``LineEditor/openExternalEditor()``): the message being edited goes to
/// `$VISUAL` or `$EDITOR` in a private temporary file; what is saved becomes the edit line,
/// not sent until Enter. The terminal is handed over the way Ctrl-Z hands it to the shell.
extension EditorCore {
    /// The editor's command line: `$VISUAL`, else `$EDITOR`, else `vi`.
    static func externalEditorCommand() -> String {
        for name in ["VISUAL", "EDITOR"] {
            if let value = getenv(name).map({ String(cString: $0) }), value.contains(where: { !$0.isWhitespace }) {
                return value
            }
        }
        return "vi"
    }

    func editInExternalEditor() -> UInt8 {
        let command = Self.externalEditorCommand()
        guard let words = ShellWords.split(command), let program = words.first else {
            render([.status(StyledText("cannot run the editor “\(command)”: unbalanced quotes in $VISUAL/$EDITOR", .color(.red)))])
            return UInt8(CC_NORM)
        }
        let (line, _) = currentLine()
        let message = pastedBlocks.expand((continuedLines + [String(String.UnicodeScalarView(line))]).joined(separator: "\n"))
        let file: TemporaryFile
        do {
            file = try TemporaryFile(contents: message.isEmpty ? "" : message + "\n")
        } catch {
            render([.status(StyledText("cannot open the editor: \(error)", .color(.red)))])
            return UInt8(CC_NORM)
        }
        defer { file.remove() }
        let status = runInForeground(words + [file.path])
        if status < 0 {
            render([.status(StyledText("cannot run the editor “\(program)”: \(String(cString: strerror(-status)))", .color(.red)))])
            return UInt8(CC_NORM)
        }
        guard status == 0, var edited = file.read() else {
            render([.status(StyledText("the editor “\(program)” exited with status \(status): the line is unchanged", .color(.yellow)))])
            return UInt8(CC_NORM)
        }
        if edited.hasSuffix("\n") { edited.removeLast() }
        edited = edited.replacingCRLF()
        pastedBlocks.reset()
        continuedLines = []
        applyPrompt()
        replaceLine(with: edited)
        parley_el_refresh(editLine)
        return UInt8(CC_NORM)
    }

    /// Runs `arguments` with the terminal handed over (cooked mode, no bracketed paste, the
    /// edit area erased) and takes it back afterwards. Returns the exit status or -errno.
    private func runInForeground(_ arguments: [String]) -> Int32 {
        parley_flush_stdout()
        TerminalOutput.write(live.detach(editAreaCursorRow: cursorRow(), columns: columns, color: color) + Array("\u{1B}[?2004l".utf8))
        parley_el_set_int(editLine, EL_PREP_TERM, 0)
        var argv = arguments.map { strdup($0) }
        argv.append(nil)
        defer { for pointer in argv { free(pointer) } }
        let status = argv.withUnsafeBufferPointer { parley_spawn_wait(arguments[0], $0.baseAddress) }
        parley_el_set_int(editLine, EL_PREP_TERM, 1)
        TerminalOutput.write("\u{1B}[?2004h")
        // Ctrl-C typed in the editor belonged to it, not to the conversation.
        dropPendingInterrupts()
        el_resize(editLine)
        return status
    }
}

/// A file only the user can read (mode 0600, `mkstemps`), for handing text to another program.
struct TemporaryFile {
    let path: String

    struct CreationError: Error, CustomStringConvertible {
        let errno: Int32
        var description: String { "cannot create a temporary file: \(String(cString: strerror(errno)))" }
    }

    init(contents: String) throws(CreationError) {
        let directory = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((directory + "/parley-edit-XXXXXX.md").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemps($0.baseAddress!, 3) }
        guard fd >= 0 else { throw CreationError(errno: errno) }
        path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        defer { close(fd) }
        let bytes = Array(contents.utf8)
        guard bytes.isEmpty || TerminalOutput.write(bytes, fd: fd) else {
            let error = errno
            unlink(path)
            throw CreationError(errno: error)
        }
    }

    /// The file's contents as UTF-8 (invalid bytes repaired), or `nil` when it cannot be read.
    func read() -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            if count < 0 { return nil }
            if count == 0 { break }
            bytes += buffer[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    func remove() { unlink(path) }
}
