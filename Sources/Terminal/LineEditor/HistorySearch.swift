import CEditLine

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Incremental history search (Ctrl-R) as a value: the query and the entry it matches.
struct HistorySearch {
    /// The entries, oldest first.
    let entries: [String]
    private(set) var query = ""
    /// The matching entry's index, or `nil` when nothing matches (or nothing is typed yet).
    private(set) var matchIndex: Int?

    var match: String? { matchIndex.map { entries[$0] } }

    /// Adds a character to the query: the newest entry containing it matches.
    mutating func type(_ character: Character) {
        query.append(character)
        matchIndex = newest(containing: query, before: entries.count)
    }

    /// Removes the query's last character.
    mutating func deleteBackward() {
        guard !query.isEmpty else { return }
        query.removeLast()
        matchIndex = query.isEmpty ? nil : newest(containing: query, before: entries.count)
    }

    /// Moves to the next older match; stays on the current one when there is none.
    mutating func older() {
        guard !query.isEmpty else { return }
        if let older = newest(containing: query, before: matchIndex ?? entries.count) { matchIndex = older }
    }

    private func newest(containing query: String, before end: Int) -> Int? {
        entries[..<max(0, min(end, entries.count))].lastIndex { $0.localizedCaseInsensitiveContains(query) }
    }
}

extension EditorCore {
    /// Ctrl-R: searches the history as the query is typed, showing the query in the prompt
    /// (`search history: query ›`) and the match as the line. Ctrl-R again: an older match.
    /// Enter sends the match; Ctrl-G (or Ctrl-C) gives the line back as it was; any other
    /// control key keeps the match to edit and then does what it normally does.
    func searchHistory() -> UInt8 {
        let (original, _) = currentLine()
        let originalText = String(String.UnicodeScalarView(original))
        var search = HistorySearch(entries: historyEntries)
        showSearch(search, line: originalText)
        var character: wchar_t = 0
        keyCommandReadsKeys = true
        defer { keyCommandReadsKeys = false }
        while el_wgetc(editLine, &character) == 1 {
            guard let scalar = Unicode.Scalar(UInt32(bitPattern: character)) else { continue }
            switch scalar.value {
            case 0x12: search.older()
            case 0x7F, 0x08: search.deleteBackward()
            case 0x07, 0x03:
                endSearch(line: originalText)
                return UInt8(CC_REFRESH)
            case 0x0A, 0x0D:
                endSearch(line: search.match ?? originalText)
                return submit()
            case 0x20...:
                search.type(Character(scalar))
            default:
                endSearch(line: search.match ?? originalText)
                var pushed: [wchar_t] = [character, 0]
                el_wpush(editLine, &pushed)
                return UInt8(CC_REFRESH)
            }
            showSearch(search, line: search.match ?? originalText)
        }
        endSearch(line: originalText)
        return UInt8(CC_REFRESH)
    }

    private func showSearch(_ search: HistorySearch, line: String) {
        let prompt = search.query.isEmpty || search.match != nil
            ? StyledText("search history: ", .color(.cyan)) + StyledText(search.query, .bold) + StyledText(" › ", .bold)
            : StyledText("no match for: ", .color(.yellow)) + StyledText(search.query, .bold) + StyledText(" › ", .bold)
        redraw(prompt: prompt, line: line)
    }

    private func endSearch(line: String) {
        redraw(prompt: nil, line: line)
    }

    /// Erases the edit area, shows `prompt` (the caller's prompt when `nil`) and `line`.
    private func redraw(prompt: StyledText?, line: String) {
        parley_flush_stdout()
        TerminalOutput.write(LiveOutput.eraseSequence(rowsUp: cursorRow()))
        let (current, _) = currentLine()
        moveCursorToEnd()
        if !current.isEmpty { el_deletestr(editLine, Int32(current.count)) }
        insert(line)
        if let prompt { showPrompt(prompt) } else { applyPrompt() }
        parley_el_refresh(editLine)
    }
}
