import CEditLine

/// The C entry points libedit calls; each finds its ``EditorCore`` through
/// `EL_CLIENTDATA` and forwards.
enum EditorCallbacks {
    static let prompt: @convention(c) (OpaquePointer?) -> UnsafeMutablePointer<CChar>? = { editLine in
        EditorCore.from(editLine)?.promptPointer
    }

    static let readCharacter: @convention(c) (OpaquePointer?, UnsafeMutablePointer<wchar_t>?) -> Int32 = {
        editLine, character in
        EditorCore.from(editLine)?.readCharacter(into: character) ?? 0
    }

    static let keyCommand: parley_el_command_t = { editLine, key in
        EditorCore.from(editLine)?.reportKeyCommand(key) ?? UInt8(CC_ERROR)
    }

    static let submit: parley_el_command_t = { editLine, _ in
        EditorCore.from(editLine)?.submit() ?? UInt8(CC_ERROR)
    }

    static let interrupt: parley_el_command_t = { editLine, _ in
        EditorCore.from(editLine)?.interrupt() ?? UInt8(CC_ERROR)
    }

    static let endOrDelete: parley_el_command_t = { editLine, _ in
        EditorCore.from(editLine)?.endOrDelete() ?? UInt8(CC_ERROR)
    }

    static let complete: parley_el_command_t = { editLine, _ in
        EditorCore.from(editLine)?.complete() ?? UInt8(CC_ERROR)
    }

    static let paste: parley_el_command_t = { editLine, _ in
        EditorCore.from(editLine)?.paste() ?? UInt8(CC_ERROR)
    }

    static let insertNewline: parley_el_command_t = { editLine, _ in
        EditorCore.from(editLine)?.insertNewline() ?? UInt8(CC_ERROR)
    }

    static let escapeTwice: parley_el_command_t = { editLine, _ in
        EditorCore.from(editLine)?.escapeTwice() ?? UInt8(CC_ERROR)
    }

    static let shiftTab: parley_el_command_t = { editLine, _ in
        EditorCore.from(editLine)?.reportShiftTab() ?? UInt8(CC_ERROR)
    }

    static let editInExternalEditor: parley_el_command_t = { editLine, _ in
        EditorCore.from(editLine)?.editInExternalEditor() ?? UInt8(CC_ERROR)
    }

    static let searchHistory: parley_el_command_t = { editLine, _ in
        EditorCore.from(editLine)?.searchHistory() ?? UInt8(CC_ERROR)
    }

    static let backwardCharacter: parley_el_command_t = { editLine, _ in
        EditorCore.from(editLine)?.moveCharacter(forward: false) ?? UInt8(CC_ERROR)
    }

    static let forwardCharacter: parley_el_command_t = { editLine, _ in
        EditorCore.from(editLine)?.moveCharacter(forward: true) ?? UInt8(CC_ERROR)
    }

    static let deleteBackward: parley_el_command_t = { editLine, _ in
        EditorCore.from(editLine)?.deleteCharacter(forward: false) ?? UInt8(CC_ERROR)
    }

    static let deleteForward: parley_el_command_t = { editLine, _ in
        EditorCore.from(editLine)?.deleteCharacter(forward: true) ?? UInt8(CC_ERROR)
    }
}
