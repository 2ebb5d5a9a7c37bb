/// One problem found in a configuration file, with where it is.
///
/// ``description`` is a single line in the familiar compiler form
/// `FILE:LINE[:COLUMN]: MESSAGE`, for example
///
/// ```
/// /home/ada/.config/parley/config.toml:12: persona "reviewer": unknown key "modle" (did you mean "model"?)
/// ```
///
/// A diagnostic that is not ``isFatal`` means the file was ignored and Parley starts with its
/// built-in defaults (see ``ConfigurationLoadResult/notice``). A fatal one means Parley must
/// not start: the user asked for a file with `--config` and it cannot be read. The app exits
/// with status 2 in that case.
public struct ConfigurationDiagnostic: Sendable, Equatable, CustomStringConvertible {
    /// The configuration file, as given or as found at the default location.
    public var file: String
    /// The 1-based line the problem is on, when known.
    public var line: Int?
    /// The 1-based column, when known (TOML syntax errors carry one).
    public var column: Int?
    /// The dotted path of the key involved, such as `personas.reviewer.model`, when there is one.
    public var key: String?
    /// What is wrong, without the location prefix; it names the key and, inside a persona, the
    /// persona.
    public var message: String
    /// Whether Parley must exit (status 2) rather than start with its defaults.
    public var isFatal: Bool

    /// Creates a diagnostic.
    ///
    /// - Parameters:
    ///   - file: The configuration file.
    ///   - line: The 1-based line, when known.
    ///   - column: The 1-based column, when known.
    ///   - key: The dotted key path involved, if any.
    ///   - message: What is wrong, without the location prefix.
    ///   - isFatal: Whether Parley must exit instead of starting with its defaults.
    public init(file: String, line: Int? = nil, column: Int? = nil, key: String? = nil,
                message: String, isFatal: Bool = false) {
        self.file = file
        self.line = line
        self.column = column
        self.key = key
        self.message = message
        self.isFatal = isFatal
    }

    /// The diagnostic as one line: `FILE:LINE:COLUMN: MESSAGE`, leaving out the parts that are
    /// not known.
    public var description: String {
        var location = file
        if let line {
            location += ":\(line)"
            if let column { location += ":\(column)" }
        }
        return "\(location): \(message)"
    }
}

/// What ``ConfigurationLoader/load(path:explicit:paths:)`` produced: the configuration to
/// use, and everything that was wrong with the file.
///
/// When ``diagnostics`` is not empty the file was not used at all: ``configuration`` holds
/// the built-in defaults. The app prints each diagnostic's ``ConfigurationDiagnostic/description``
/// and then ``notice``, or exits with status 2 when ``isFatal`` is true.
public struct ConfigurationLoadResult: Sendable, Equatable {
    /// The configuration to use: the file's, or the built-in defaults when there is no file or
    /// the file has errors.
    public var configuration: ParleyConfiguration
    /// The problems found, in file order. Empty when the file loaded cleanly or does not exist.
    public var diagnostics: [ConfigurationDiagnostic]

    /// Creates a result.
    ///
    /// - Parameters:
    ///   - configuration: The configuration to use.
    ///   - diagnostics: The problems found, in file order.
    public init(configuration: ParleyConfiguration, diagnostics: [ConfigurationDiagnostic] = []) {
        self.configuration = configuration
        self.diagnostics = diagnostics
    }

    /// Whether Parley must exit with status 2 instead of starting.
    public var isFatal: Bool { diagnostics.contains { $0.isFatal } }

    /// A line telling the user that the file was ignored and the defaults are in use, or `nil`
    /// when there is nothing to say (the file loaded, there was no file, or the problem is fatal).
    public var notice: String? {
        guard let file = diagnostics.first?.file, !isFatal else { return nil }
        let count = diagnostics.count
        let errors = count == 1 ? "1 error" : "\(count) errors"
        return "\(file) has \(errors) and was ignored; starting with the built-in defaults."
    }
}
