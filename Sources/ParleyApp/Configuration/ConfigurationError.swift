/// A configuration problem found while Parley is running, as opposed to while the file is
/// loaded (those are ``ConfigurationDiagnostic``s).
///
/// It is thrown when a persona is turned into a ``AgentSession/LaunchConfiguration`` and its
/// prompt file has gone missing, when `/persona NAME` names no persona, and when a directory
/// for Parley's state cannot be created. ``description`` is one line meant for the user: it
/// says what happened and names the persona and the path involved.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of problem this is, for callers that react differently to each.
    public enum Kind: Sendable, Equatable {
        /// A persona's `system_prompt_file` does not exist or cannot be read as UTF-8 text.
        case promptFileUnreadable
        /// No persona has the requested name.
        case unknownPersona
        /// A directory for Parley's files could not be created.
        case cannotCreateDirectory
    }

    /// What kind of problem this is.
    public var kind: Kind
    /// The persona involved, if any.
    public var personaName: String?
    /// The file or directory involved, if any.
    public var path: String?
    /// The full one-line explanation.
    public var message: String

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - kind: What kind of problem this is.
    ///   - personaName: The persona involved, if any.
    ///   - path: The file or directory involved, if any.
    ///   - message: The full one-line explanation shown to the user.
    public init(kind: Kind, personaName: String? = nil, path: String? = nil, message: String) {
        self.kind = kind
        self.personaName = personaName
        self.path = path
        self.message = message
    }

    /// The one-line explanation, ready to print.
    public var description: String { message }
}
