/// vi mode shown in the prompt. libedit does not say which vi keymap is active, so the mode is
/// followed from the keys themselves (``ViKeyTracker``) and the prompt redrawn when it changes.
enum ViMode: Equatable {
    case insert
    case normal

    /// A key sequence nobody types (Ctrl-_ Ctrl-^), bound to libedit's `vi-command-mode`: what
    /// a lone Esc becomes in insert mode.
    static let commandModeKeys = "^_^^"

    /// The prompt's marker.
    var marker: StyledText {
        switch self {
        case .insert: StyledText("[I] ", .dim)
        case .normal: StyledText("[N] ", .color(.yellow).merging(.bold))
        }
    }
}

/// Follows vi's mode from the keys (a lone Esc in insert mode is handled before, see
/// ``EditorCore/interceptEscape()``): in normal mode `i a I A o O s S C R` and `c` with its motion go to insert mode, and the character
/// after `r f F t T` is an argument, not a command.
struct ViKeyTracker {
    private var awaitingArgument = false

    /// The mode after `key`, given the mode before it.
    mutating func mode(after key: Unicode.Scalar, in mode: ViMode) -> ViMode {
        switch mode {
        case .insert:
            return .insert
        case .normal:
            if awaitingArgument {
                awaitingArgument = false
                return .normal
            }
            if "rfFtT".unicodeScalars.contains(key) {
                awaitingArgument = true
                return .normal
            }
            return "iaIAoOsSCRc".unicodeScalars.contains(key) ? .insert : .normal
        }
    }
}

extension EditorCore {
    /// Updates the mode for the key about to go to libedit, redrawing the prompt on a change.
    func trackViMode(after key: Unicode.Scalar) {
        guard let mode = viMode else { return }
        let next = viKeys.mode(after: key, in: mode)
        guard next != mode else { return }
        viMode = next
        render([], newPrompt: basePrompt)
    }
}
