import AgentSession
import Foundation

/// A value of a ``LaunchSetting``, as read from a persona key or a command-line flag.
public enum LaunchValue: Sendable, Equatable {
    /// A string (``LaunchSetting/Kind/text``, ``LaunchSetting/Kind/choice(_:)``, paths).
    case text(String)
    /// A whole number (``LaunchSetting/Kind/integer(minimum:)``).
    case integer(Int)
    /// A list of strings (``LaunchSetting/Kind/list``).
    case list([String])
    /// Names and values (``LaunchSetting/Kind/environment``).
    case table([String: String])

    /// The string, for the string kinds.
    public var text: String? { if case .text(let text) = self { text } else { nil } }
    /// The number, for ``LaunchSetting/Kind/integer(minimum:)``.
    public var integer: Int? { if case .integer(let integer) = self { integer } else { nil } }
    /// The strings, or none.
    public var list: [String] { if case .list(let list) = self { list } else { [] } }
    /// The names and values, or none.
    public var table: [String: String] { if case .table(let table) = self { table } else { [:] } }

    /// An empty list or table says nothing: it keeps the value underneath.
    var isEmpty: Bool {
        switch self {
        case .list(let list): list.isEmpty
        case .table(let table): table.isEmpty
        case .text, .integer: false
        }
    }

    /// The value as the arguments after its `claude` flag.
    var claudeArguments: [String] {
        switch self {
        case .text(let text): [text]
        case .integer(let integer): [String(integer)]
        case .list(let list): [list.joined(separator: ",")]
        case .table(let table): table.keys.sorted().map { "\($0)=\(table[$0]!)" }
        }
    }
}

/// One launch option: its persona key, its `parley` flag, its help, the kind of value it
/// takes and how it changes the `claude` process. ``LaunchSettings/standard`` lists them all;
/// the configuration loader, ``Persona``, ``LaunchOverrides`` and the `parley` executable
/// read everything about an option from its entry.
public struct LaunchSetting: Sendable {
    /// The kind of value a setting takes; it decides how the TOML value and the flag are read
    /// and checked.
    public enum Kind: Sendable, Equatable {
        /// Any string.
        case text
        /// One string from a fixed list.
        case choice([String])
        /// A whole number no smaller than `minimum`.
        case integer(minimum: Int)
        /// Strings: a TOML array, or a comma-separated flag value.
        case list
        /// Environment variables: a TOML table of strings, or `NAME=VALUE,…` on the flag.
        case environment
        /// A directory. In the file `~` is expanded and a relative path is relative to the
        /// file's directory; on the command line it must exist.
        case directory
        /// A file that must exist and be readable (`noun` names it in messages); resolved like
        /// ``directory``; its contents are read at each launch.
        case file(noun: String)
    }

    /// Changes a launch configuration by a setting's value. Only reading a file can fail.
    public typealias Apply = @Sendable (LaunchValue, inout LaunchConfiguration) throws(ConfigurationError) -> Void

    /// The setting's identity: its persona key, or its flag when it has no persona key.
    public var name: String { personaKey ?? flag ?? "" }
    /// The key in a `[personas.NAME]` table, or `nil` when personas cannot set it.
    public let personaKey: String?
    /// The long `parley` flag without its dashes (`"cwd"`), or `nil` when it is not a flag.
    public let flag: String?
    /// The `--help` line (and the documentation's gist).
    public let help: String
    /// What values it takes.
    public let kind: Kind
    /// The `claude` flag it becomes, when it becomes one (documentation, and checked by tests).
    public let claudeFlag: String?
    /// A persona key that may not be set together with this one.
    public let conflictsWith: String?
    /// The name of the executable's property for ``flag``: the flag in camelCase
    /// (`append-system-prompt` → `appendSystemPrompt`).
    public var propertyName: String? {
        flag.map { flag in
            flag.split(separator: "-").enumerated()
                .map { $0.offset == 0 ? String($0.element) : $0.element.prefix(1).uppercased() + $0.element.dropFirst() }
                .joined()
        }
    }
    /// How its value changes the launch; `nil` for settings that do not (a description, a policy).
    let apply: Apply?

    /// Creates a setting.
    ///
    /// - Parameters:
    ///   - personaKey: The persona key, if personas can set it.
    ///   - flag: The long `parley` flag without dashes, if it is a flag.
    ///   - help: The `--help` text.
    ///   - kind: What values it takes.
    ///   - claudeFlag: The `claude` flag it becomes, if any.
    ///   - conflictsWith: A persona key it may not be combined with.
    ///   - apply: How it changes the launch; `nil` when it does not. Leave it out together with
    ///     a `claudeFlag` to pass the value to `claude` under that flag.
    public init(personaKey: String? = nil, flag: String? = nil, help: String, kind: Kind = .text,
                claudeFlag: String? = nil, conflictsWith: String? = nil, apply: Apply? = nil) {
        self.personaKey = personaKey
        self.flag = flag
        self.help = help
        self.kind = kind
        self.claudeFlag = claudeFlag
        self.conflictsWith = conflictsWith
        self.apply = apply ?? claudeFlag.map { claudeFlag -> Apply in
            { @Sendable value, launch in launch.claudeFlags[claudeFlag] = value.claudeArguments }
        }
    }

    /// Lays `value` over `launch`.
    func apply(_ value: LaunchValue, to launch: inout LaunchConfiguration) throws(ConfigurationError) {
        try apply?(value, &launch)
    }

    /// Reads the value typed after the flag.
    ///
    /// - Throws: ``LaunchFlagError`` saying what the flag accepts.
    public func value(fromFlag typed: String) throws(LaunchFlagError) -> LaunchValue {
        let flag = "--\(self.flag ?? name)"
        switch kind {
        case .text:
            return .text(typed)
        case .choice(let choices):
            guard choices.contains(typed) else {
                throw LaunchFlagError("\(flag) must be one of \(choices.joined(separator: ", ")), not '\(typed)'")
            }
            return .text(typed)
        case .integer(let minimum):
            guard let number = Int(typed), number >= minimum else {
                throw LaunchFlagError("\(flag) must be a whole number from \(minimum), not '\(typed)'")
            }
            return .integer(number)
        case .list:
            return .list(typed.split(separator: ",").map(String.init))
        case .environment:
            var table: [String: String] = [:]
            for pair in typed.split(separator: ",") {
                guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                    throw LaunchFlagError("\(flag) takes NAME=VALUE pairs, not '\(pair)'")
                }
                table[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
            }
            return .table(table)
        case .directory, .file:
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: typed, isDirectory: &isDirectory)
            if kind == .directory, !(exists && isDirectory.boolValue) {
                throw LaunchFlagError("\(flag) \(typed) is not a directory")
            }
            if case .file = kind, !exists || isDirectory.boolValue || !FileManager.default.isReadableFile(atPath: typed) {
                throw LaunchFlagError("\(flag) \(typed) is not a readable file")
            }
            return .text(typed)
        }
    }
}

/// A launch flag's value is not one it accepts; said in one line, Parley exits with status 2.
public struct LaunchFlagError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong and what the flag accepts.
    public let description: String

    init(_ description: String) { self.description = description }
}
