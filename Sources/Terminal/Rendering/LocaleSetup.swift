import CEditLine

/// Puts the process's character-type locale into UTF-8, once.
///
/// Both `wcwidth` and libedit's multibyte conversion follow `LC_CTYPE`; in the
/// "C" locale (an empty `LANG`) they drop or mismeasure everything beyond ASCII.
/// The user's locale is used when it is UTF-8, otherwise `C.UTF-8`.
enum LocaleSetup {
    private static let configured: Bool = {
        setlocale(LC_CTYPE, "")
        if !isUTF8 { setlocale(LC_CTYPE, "C.UTF-8") }
        return isUTF8
    }()

    private static var isUTF8: Bool {
        guard let codeset = parley_codeset() else { return false }
        let name = String(cString: codeset).uppercased()
        return name == "UTF-8" || name == "UTF8"
    }

    /// Configures the locale on first use; returns whether it is UTF-8.
    @discardableResult
    static func ensureUTF8() -> Bool { configured }
}
