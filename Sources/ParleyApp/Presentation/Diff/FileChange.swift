import Foundation
import StreamJSON

/// What a file-changing tool call (Edit, MultiEdit, Write) does to its file: the text before and
/// after, worked out from the call's input and the file as it was read when the call was seen.
///
/// The file is read when the call arrives (or when its permission is asked), before the tool
/// runs. If the tool already ran by then (an edit that needed no permission can be quicker than
/// Parley), an Edit is worked out backwards from the file; a Write is then shown as created.
/// Without the file (missing, unreadable, larger than ``FileSnapshot/maximumBytes``, or the text
/// to replace not found), an Edit compares just its old and new strings, with
/// ``lineNumbersKnown`` false.
struct FileChange: Sendable, Equatable {
    enum Kind: String, Sendable, Equatable {
        /// Part of an existing file replaced (Edit, MultiEdit).
        case edit
        /// A new file (Write of a file that did not exist).
        case create
        /// A Write over an existing file.
        case overwrite
    }

    /// The path the tool was given.
    var path: String
    var kind: Kind
    var oldText: String
    var newText: String
    /// False when only the edit's strings were compared, not the file, so numbers start at 1.
    var lineNumbersKnown = true

    /// Tools whose calls this describes.
    static func isFileChangingTool(_ name: String) -> Bool {
        name == "Edit" || name == "MultiEdit" || name == "Write"
    }

    /// The change a call makes, or `nil` for another tool or an input without a path.
    /// - Parameter before: the file's text when the call was seen (`nil`: missing or unreadable).
    init?(toolName: String, input: JSONValue, before: String?) {
        guard let path = input["file_path"]?.stringValue, !path.isEmpty else { return nil }
        switch toolName {
        case "Write":
            let content = input["content"]?.stringValue ?? ""
            if let before, before != content {
                self.init(path: path, kind: .overwrite, oldText: before, newText: content)
            } else {
                self.init(path: path, kind: .create, oldText: "", newText: content)
            }
        case "Edit":
            guard let edit = Replacement(input) else { return nil }
            self.init(path: path, edits: [edit], before: before)
        case "MultiEdit":
            let edits = input["edits"]?.arrayValue?.compactMap(Replacement.init) ?? []
            guard !edits.isEmpty else { return nil }
            self.init(path: path, edits: edits, before: before)
        default:
            return nil
        }
    }

    private init(path: String, kind: Kind, oldText: String, newText: String, lineNumbersKnown: Bool = true) {
        self.path = path
        self.kind = kind
        self.oldText = oldText
        self.newText = newText
        self.lineNumbersKnown = lineNumbersKnown
    }

    private init(path: String, edits: [Replacement], before: String?) {
        if let before {
            if let after = Replacement.apply(edits, to: before) {
                self.init(path: path, kind: .edit, oldText: before, newText: after)
                return
            }
            // The tool already ran: undo it to find the old text.
            if let original = Replacement.apply(edits.reversed().map(\.inverse), to: before) {
                self.init(path: path, kind: .edit, oldText: original, newText: before)
                return
            }
        }
        self.init(path: path, kind: .edit, oldText: edits.map(\.old).joined(separator: "\n"),
                  newText: edits.map(\.new).joined(separator: "\n"), lineNumbersKnown: false)
    }

    /// One `old_string` → `new_string` replacement of an Edit or MultiEdit.
    private struct Replacement {
        var old: String
        var new: String
        var all: Bool

        init?(_ input: JSONValue) {
            guard let old = input["old_string"]?.stringValue, let new = input["new_string"]?.stringValue else { return nil }
            self.init(old: old, new: new, all: input["replace_all"]?.boolValue ?? false)
        }

        init(old: String, new: String, all: Bool) {
            self.old = old
            self.new = new
            self.all = all
        }

        var inverse: Replacement { Replacement(old: new, new: old, all: all) }

        /// The text with every replacement made in order, or `nil` if one finds nothing to replace.
        static func apply(_ edits: [Replacement], to text: String) -> String? {
            var text = text
            for edit in edits {
                if edit.old.isEmpty {
                    guard text.isEmpty else { return nil }
                    text = edit.new
                    continue
                }
                guard let range = text.range(of: edit.old) else { return nil }
                text = edit.all ? text.replacingOccurrences(of: edit.old, with: edit.new)
                    : text.replacingCharacters(in: range, with: edit.new)
            }
            return text
        }
    }

    /// The change as a line diff.
    var hunks: [DiffHunk] { LineDiff.hunks(old: LineDiff.lines(of: oldText), new: LineDiff.lines(of: newText)) }
}

/// Reads a file's text as it is before a tool changes it.
enum FileSnapshot {
    /// Files larger than this are not read (their change is shown from the call's input).
    static let maximumBytes = 2 << 20

    /// The file's text, or `nil` when it is missing, unreadable, not a regular file or too large.
    /// Invalid UTF-8 becomes U+FFFD.
    static func read(_ path: String) -> String? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              attributes[.type] as? FileAttributeType == .typeRegular,
              let size = attributes[.size] as? Int, size <= maximumBytes,
              let data = FileManager.default.contents(atPath: path) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
