import AgentSession
import Terminal

/// Everything the configuration file holds: Parley's defaults and its personas.
///
/// ``ConfigurationLoader`` produces one from `config.toml`; ``builtIn`` is what Parley uses
/// when there is no file or the file has errors. ``personas`` always holds a persona named
/// `default`: the built-in ``Persona/default`` unless the file defines its own.
///
/// Settings that are `nil` were not given; the app fills in its own defaults
/// (`color` then means `auto`, `autoApprove` means `none`).
public struct ParleyConfiguration: Sendable, Equatable {
    /// The values `color` accepts: `auto`, `always`, `never`.
    public static let colorValues = ColorMode.allCases.map(\.rawValue)
    /// The values `hyperlinks` accepts: `auto`, `on`, `off`.
    public static let hyperlinkValues = HyperlinkMode.allCases.map(\.rawValue)

    /// The default history size, in entries.
    public static let defaultHistorySize = 1000
    /// The largest `history_size` accepted.
    public static let maximumHistorySize = 1_000_000

    /// The default `notify_after_seconds`.
    public static let defaultNotifyAfterSeconds = 10
    /// The largest `notify_after_seconds` accepted (a day).
    public static let maximumNotifyAfterSeconds = 86_400

    /// The configuration used when there is no file or the file has errors.
    public static let builtIn = ParleyConfiguration()

    /// The persona active at start when `--persona` is not given.
    public var defaultPersona: String?
    /// `auto`, `always` or `never`; `nil` means `auto`.
    public var color: String?
    /// OSC 8 hyperlinks for Markdown links: `auto`, `on` or `off`; `nil` means `auto`.
    public var hyperlinks: String?
    /// The `claude` executable (a path, or a name looked up in `PATH`); `nil` means
    /// `PARLEY_CLAUDE`, then `PATH`.
    public var claudePath: String?
    /// How many entries the line-editing history keeps; `0` keeps none.
    public var historySize: Int
    /// The scripted-mode permission policy (one of ``Persona/autoApprovePolicies``) for
    /// personas that do not set their own; `nil` means `none`.
    public var autoApprove: String?
    /// The line editor's key bindings: `emacs` or `vi`; `nil` means `emacs` (`~/.editrc` may
    /// still change them).
    public var editingMode: String?
    /// The values `editing_mode` accepts.
    public static let editingModes = ["emacs", "vi"]
    /// A turn that ran at least this many seconds rings the bell and sends a desktop
    /// notification when it ends (interactive use); `0` turns it off.
    public var notifyAfterSeconds = ParleyConfiguration.defaultNotifyAfterSeconds
    /// The personas by name. Always contains `default`.
    public var personas: [String: Persona]
    /// The file this configuration was read from, or `nil` for the built-in defaults.
    public var sourcePath: String?

    /// Creates a configuration. A `default` persona is added when `personas` has none.
    ///
    /// - Parameters:
    ///   - defaultPersona: The persona active at start.
    ///   - color: `auto`, `always` or `never`.
    ///   - claudePath: The `claude` executable.
    ///   - historySize: How many history entries to keep.
    ///   - autoApprove: The scripted-mode permission policy.
    ///   - personas: The personas by name.
    ///   - sourcePath: The file this configuration was read from.
    public init(defaultPersona: String? = nil, color: String? = nil, claudePath: String? = nil,
                historySize: Int = ParleyConfiguration.defaultHistorySize, autoApprove: String? = nil,
                personas: [String: Persona] = [:], sourcePath: String? = nil) {
        self.defaultPersona = defaultPersona
        self.color = color
        self.claudePath = claudePath
        self.historySize = historySize
        self.autoApprove = autoApprove
        var personas = personas
        if personas["default"] == nil { personas["default"] = .default }
        self.personas = personas
        self.sourcePath = sourcePath
    }

    /// The persona names, `default` first and the rest in alphabetical order: the order for
    /// `/persona list` and completion.
    public var personaNames: [String] {
        personas.keys.sorted { left, right in
            if left == "default" { return right != "default" }
            if right == "default" { return false }
            return left < right
        }
    }

    /// The persona to start with when `--persona` is not given: ``defaultPersona``, or `default`.
    public var initialPersonaName: String { defaultPersona ?? "default" }

    /// ``color`` as a ``Terminal/ColorMode``; `auto` when not set.
    public var colorMode: ColorMode { color.flatMap(ColorMode.init(rawValue:)) ?? .auto }

    /// ``hyperlinks`` as a ``Terminal/HyperlinkMode``; `auto` when not set.
    public var hyperlinkMode: HyperlinkMode { hyperlinks.flatMap(HyperlinkMode.init(rawValue:)) ?? .auto }

    /// The scripted-mode permission policy for a persona: its own ``Persona/autoApprove``,
    /// else the file's ``autoApprove``, else `none`.
    ///
    /// - Parameter persona: The active persona.
    public func autoApprovePolicy(for persona: Persona) -> String {
        persona.autoApprove ?? autoApprove ?? "none"
    }

    /// Looks a persona up by name, for `/persona NAME` and `--persona NAME`.
    ///
    /// - Parameter name: The persona's name, exactly as configured.
    /// - Throws: ``ConfigurationError`` of kind ``ConfigurationError/Kind/unknownPersona`` whose
    ///   message proposes the nearest name and lists the known ones.
    public func persona(named name: String) throws(ConfigurationError) -> Persona {
        if let persona = personas[name] { return persona }
        var message = "unknown persona \"\(name)\""
        if let suggestion = NearestName.suggestion(for: name, among: personaNames) {
            message += " (did you mean \"\(suggestion)\"?)"
        }
        message += "; known personas: \(personaNames.joined(separator: ", "))"
        throw ConfigurationError(kind: .unknownPersona, personaName: name, message: message)
    }

    /// The launch configuration for a persona: `base`, then this file's defaults
    /// (``claudePath``), then the persona's settings.
    ///
    /// Apply command-line flags to the result: they win over everything here.
    ///
    /// - Parameters:
    ///   - personaName: The persona to use.
    ///   - base: The built-in starting point.
    /// - Throws: ``ConfigurationError`` when there is no such persona or its prompt file
    ///   cannot be read.
    public func launchConfiguration(persona personaName: String, base: LaunchConfiguration)
        throws(ConfigurationError) -> LaunchConfiguration {
        var configuration = base
        if let claudePath { configuration.claudePath = claudePath }
        return try persona(named: personaName).launchConfiguration(base: configuration)
    }
}
