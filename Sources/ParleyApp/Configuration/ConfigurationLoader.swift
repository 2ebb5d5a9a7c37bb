import Foundation
import TOMLKit

import Glibc

/// Reads `config.toml` into a ``ParleyConfiguration``, reporting every problem with its file,
/// line and key.
///
/// Loading never throws and never half-applies a file: either the whole file is valid and
/// becomes the configuration, or the result holds ``ParleyConfiguration/builtIn`` and the
/// diagnostics that explain why. A missing file at the default location is normal (no
/// diagnostic); a missing file named with `--config` is a fatal diagnostic. The file format is
/// described in `Docs/Configuration.md`.
public struct ConfigurationLoader {
    /// The keys allowed at the top level of the file.
    public static let topLevelKeys = [
        "default_persona", "color", "hyperlinks", "claude_path", "history_size", "auto_approve", "editing_mode", "notify_after_seconds", "personas",
    ]
    /// The keys allowed in a `[personas.NAME]` table: those of ``LaunchSettings/standard``.
    public static var personaKeys: [String] { LaunchSettings.standard.personaKeys }

    /// The largest configuration file Parley reads (1 MiB): parsing costs many times the
    /// file's size in memory, and a real file is a few kilobytes.
    public static let maximumFileSize = 1 << 20

    /// Loads the configuration file.
    ///
    /// - Parameters:
    ///   - path: The file given with `--config`, or `nil` for ``ParleyPaths/configFile``.
    ///     A leading `~` is expanded.
    ///   - explicit: Whether the user named the file (`--config`). A missing or unreadable
    ///     explicit file is fatal; a missing default file is not an error.
    ///   - paths: Where Parley's files are; also gives the home directory for `~`.
    ///   - settings: The launch options personas may set (tests pass their own).
    /// - Returns: The configuration to use and the problems found. When there are problems the
    ///   configuration is ``ParleyConfiguration/builtIn``.
    public static func load(path: String?, explicit: Bool, paths: ParleyPaths,
                            settings: LaunchSettings = .standard) -> ConfigurationLoadResult {
        let file = path.map { paths.expandingTilde(in: $0) } ?? paths.configFile
        func failure(_ message: String, fatal: Bool) -> ConfigurationLoadResult {
            ConfigurationLoadResult(
                configuration: .builtIn,
                diagnostics: [ConfigurationDiagnostic(file: file, message: message, isFatal: fatal)])
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory) else {
            if explicit { return failure("no such configuration file (given with --config)", fatal: true) }
            return ConfigurationLoadResult(configuration: .builtIn)
        }
        if isDirectory.boolValue {
            return failure("is a directory, not a configuration file", fatal: explicit)
        }
        // `stat` follows a symbolic link (a dotfiles manager's), as reading does.
        var status = stat()
        if stat(file, &status) == 0 {
            if status.st_mode & S_IFMT != S_IFREG { return failure("is not a regular file", fatal: explicit) }
            if status.st_size > maximumFileSize {
                return failure("is \(status.st_size) bytes; a configuration file may be at most 1 MiB", fatal: explicit)
            }
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            return failure("cannot be read; check its permissions", fatal: explicit)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            return failure("is not UTF-8 text", fatal: false)
        }
        return parse(text, file: file, paths: paths, settings: settings)
    }

    /// Parses the text of a configuration file.
    ///
    /// Relative paths in the file (`system_prompt_file`, `working_directory`, a `claude_path`
    /// containing `/`) are resolved against the directory of `file`, and prompt files must exist.
    ///
    /// - Parameters:
    ///   - text: The TOML text.
    ///   - file: The path the text was read from; used in diagnostics and to resolve relative paths.
    ///   - paths: Gives the home directory for `~`.
    ///   - settings: The launch options personas may set (tests pass their own).
    /// - Returns: The configuration and the problems found, as for ``load(path:explicit:paths:settings:)``.
    public static func parse(_ text: String, file: String, paths: ParleyPaths,
                             settings: LaunchSettings = .standard) -> ConfigurationLoadResult {
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            let begin = error.source.begin
            // toml++ says "Error while parsing key-value pair: expected value, saw '\n'".
            let detail = error.description
            let lead = "Error while parsing "
            let message = detail.hasPrefix(lead)
                ? "syntax error while parsing \(detail.dropFirst(lead.count))" : "syntax error: \(detail)"
            let diagnostic = ConfigurationDiagnostic(
                file: file, line: begin.line > 0 ? begin.line : nil, column: begin.column > 0 ? begin.column : nil,
                message: message)
            return ConfigurationLoadResult(configuration: .builtIn, diagnostics: [diagnostic])
        } catch {
            return ConfigurationLoadResult(
                configuration: .builtIn,
                diagnostics: [ConfigurationDiagnostic(file: file, message: "syntax error: \(error)")])
        }
        var reader = ConfigurationReader(file: file, text: text, paths: paths, settings: settings)
        let configuration = reader.read(root)
        if reader.diagnostics.isEmpty { return ConfigurationLoadResult(configuration: configuration) }
        let ordered = reader.diagnostics.enumerated().sorted { left, right in
            let leftKey = (left.element.line ?? .max, left.element.column ?? 0, left.offset)
            let rightKey = (right.element.line ?? .max, right.element.column ?? 0, right.offset)
            return leftKey < rightKey
        }.map(\.element)
        return ConfigurationLoadResult(configuration: .builtIn, diagnostics: ordered)
    }
}

/// Walks a parsed document, building the configuration and collecting diagnostics.
private struct ConfigurationReader {
    let file: String
    let directory: String
    let paths: ParleyPaths
    let locator: TOMLKeyLocator
    let settings: LaunchSettings
    var diagnostics: [ConfigurationDiagnostic] = []

    init(file: String, text: String, paths: ParleyPaths, settings: LaunchSettings) {
        self.file = file
        self.settings = settings
        let absolute = file.hasPrefix("/")
            ? file : ParleyPaths.join(FileManager.default.currentDirectoryPath, file)
        directory = ((absolute as NSString).standardizingPath as NSString).deletingLastPathComponent
        self.paths = paths
        locator = TOMLKeyLocator(text: text)
    }

    mutating func read(_ root: TOMLTable) -> ParleyConfiguration {
        var configuration = ParleyConfiguration.builtIn
        configuration.sourcePath = file
        var personas: [String: Persona] = [:]
        for key in root.keys {
            guard let value = root[key] else { continue }
            let path = [key]
            switch key {
            case "default_persona":
                configuration.defaultPersona = string(value, at: path, persona: nil)
            case "color":
                configuration.color = choice(value, at: path, persona: nil, among: ParleyConfiguration.colorValues)
            case "hyperlinks":
                configuration.hyperlinks = choice(value, at: path, persona: nil, among: ParleyConfiguration.hyperlinkValues)
            case "claude_path":
                if let claude = string(value, at: path, persona: nil) {
                    configuration.claudePath = claude.contains("/") ? paths.resolve(claude, relativeTo: directory) : claude
                }
            case "history_size":
                if let size = integer(value, at: path, persona: nil) {
                    if (0...ParleyConfiguration.maximumHistorySize).contains(size) {
                        configuration.historySize = size
                    } else {
                        report(path, persona: nil,
                               "\"history_size\" must be from 0 to \(ParleyConfiguration.maximumHistorySize), not \(size)")
                    }
                }
            case "editing_mode":
                configuration.editingMode = choice(value, at: path, persona: nil, among: ParleyConfiguration.editingModes)
            case "auto_approve":
                configuration.autoApprove = choice(value, at: path, persona: nil, among: Persona.autoApprovePolicies)
            case "notify_after_seconds":
                if let seconds = integer(value, at: path, persona: nil) {
                    if (0...ParleyConfiguration.maximumNotifyAfterSeconds).contains(seconds) {
                        configuration.notifyAfterSeconds = seconds
                    } else {
                        report(path, persona: nil, "\"notify_after_seconds\" must be from 0 (off) to "
                               + "\(ParleyConfiguration.maximumNotifyAfterSeconds), not \(seconds)")
                    }
                }
            case "personas":
                guard let table = table(value, at: path, persona: nil, expected: "a table of personas") else { break }
                for name in table.keys {
                    guard let personaValue = table[name] else { continue }
                    if let persona = readPersona(named: name, personaValue) { personas[name] = persona }
                }
            default:
                unknownKey(key, at: path, persona: nil, known: ConfigurationLoader.topLevelKeys)
            }
        }
        configuration.personas = personas
        if personas["default"] == nil { configuration.personas["default"] = .default }
        if let name = configuration.defaultPersona, configuration.personas[name] == nil {
            var message = "\"default_persona\" names no persona: \"\(name)\""
            if let suggestion = NearestName.suggestion(for: name, among: configuration.personaNames) {
                message += " (did you mean \"\(suggestion)\"?)"
            }
            message += "; known personas: \(configuration.personaNames.joined(separator: ", "))"
            report(["default_persona"], persona: nil, message)
        }
        return configuration
    }

    private mutating func readPersona(named name: String, _ value: any TOMLValueConvertible) -> Persona? {
        let base = ["personas", name]
        guard name.range(of: "^[A-Za-z0-9._-]+$", options: .regularExpression) != nil else {
            report(base, persona: nil,
                   "persona name \"\(name)\" may only contain letters, digits, \".\", \"_\" and \"-\"")
            return nil
        }
        guard let table = table(value, at: base, persona: nil, expected: "a table ([personas.\(name)])",
                                subject: "persona \"\(name)\"")
        else { return nil }
        var persona = Persona(name: name)
        let errorsBefore = diagnostics.count
        for key in table.keys {
            guard let value = table[key] else { continue }
            let path = base + [key]
            guard let setting = settings.setting(personaKey: key) else {
                unknownKey(key, at: path, persona: name, known: settings.personaKeys)
                continue
            }
            persona[setting] = read(value, as: setting.kind, at: path, persona: name)
        }
        for setting in settings.entries {
            guard let key = setting.personaKey, let other = setting.conflictsWith,
                  table[key] != nil, table[other] != nil else { continue }
            let later = [[other], [key]].max { left, right in
                (locator.position(of: base + left)?.line ?? 0) < (locator.position(of: base + right)?.line ?? 0)
            }!
            report(base + later, persona: name, "\"\(other)\" and \"\(key)\" are both set; keep only one")
        }
        return diagnostics.count == errorsBefore ? persona : nil
    }

    // MARK: Values

    /// A persona value of `kind`, or `nil` after reporting why it is not one.
    private mutating func read(_ value: any TOMLValueConvertible, as kind: LaunchSetting.Kind, at path: [String],
                               persona: String) -> LaunchValue? {
        switch kind {
        case .text:
            return string(value, at: path, persona: persona).map(LaunchValue.text)
        case .choice(let choices):
            return choice(value, at: path, persona: persona, among: choices).map(LaunchValue.text)
        case .integer(let minimum):
            guard let number = integer(value, at: path, persona: persona) else { return nil }
            guard number >= minimum else {
                report(path, persona: persona, "\"\(path.last!)\" must be \(minimum) or more, not \(number)")
                return nil
            }
            return .integer(number)
        case .list:
            return .list(strings(value, at: path, persona: persona))
        case .environment:
            return .table(environment(value, at: path, persona: persona))
        case .directory:
            return string(value, at: path, persona: persona).map { .text(paths.resolve($0, relativeTo: directory)) }
        case .file(let noun):
            guard let file = string(value, at: path, persona: persona) else { return nil }
            return existingFile(file, noun: noun, at: path, persona: persona).map(LaunchValue.text)
        }
    }

    private mutating func string(_ value: any TOMLValueConvertible, at path: [String], persona: String?) -> String? {
        if let string = value.string { return string }
        mismatch(value, at: path, persona: persona, expected: "a string")
        return nil
    }

    private mutating func integer(_ value: any TOMLValueConvertible, at path: [String], persona: String?) -> Int? {
        if let integer = value.int { return integer }
        mismatch(value, at: path, persona: persona, expected: "an integer")
        return nil
    }

    private mutating func choice(_ value: any TOMLValueConvertible, at path: [String], persona: String?,
                                 among choices: [String]) -> String? {
        guard let string = string(value, at: path, persona: persona) else { return nil }
        if choices.contains(string) { return string }
        var message = "\"\(path.last!)\" must be one of \(choices.joined(separator: ", ")), not \"\(string)\""
        if let suggestion = NearestName.suggestion(for: string, among: choices) {
            message += " (did you mean \"\(suggestion)\"?)"
        }
        report(path, persona: persona, message)
        return nil
    }

    private mutating func strings(_ value: any TOMLValueConvertible, at path: [String], persona: String?) -> [String] {
        guard let array = value.array else {
            mismatch(value, at: path, persona: persona, expected: "an array of strings")
            return []
        }
        var result: [String] = []
        for (offset, element) in array.enumerated() {
            guard let string = element.string else {
                report(path, persona: persona,
                       "\"\(path.last!)\" must be an array of strings, but item \(offset + 1) is \(Self.describe(element))")
                return []
            }
            result.append(string)
        }
        return result
    }

    private mutating func environment(_ value: any TOMLValueConvertible, at path: [String],
                                      persona: String?) -> [String: String] {
        guard let table = table(value, at: path, persona: persona, expected: "a table of strings") else { return [:] }
        var result: [String: String] = [:]
        for name in table.keys {
            guard let entry = table[name] else { continue }
            guard !name.isEmpty, !name.contains("="), !name.contains("\0") else {
                report(path + [name], persona: persona,
                       "environment variable name \"\(name)\" must be non-empty and contain no \"=\"")
                continue
            }
            guard let string = entry.string else {
                report(path + [name], persona: persona,
                       "environment variable \"\(name)\" must be a string, not \(Self.describe(entry))")
                continue
            }
            result[name] = string
        }
        return result
    }

    private mutating func table(_ value: any TOMLValueConvertible, at path: [String], persona: String?,
                                expected: String, subject: String? = nil) -> TOMLTable? {
        if let table = value.table { return table }
        let subject = subject ?? "\"\(path.last!)\""
        report(path, persona: persona, "\(subject) must be \(expected), not \(Self.describe(value))")
        return nil
    }

    private mutating func existingFile(_ file: String, noun: String, at path: [String], persona: String) -> String? {
        let resolved = paths.resolve(file, relativeTo: directory)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: resolved, isDirectory: &isDirectory) else {
            report(path, persona: persona, "\(noun) \"\(file)\" does not exist (looked for \(resolved))")
            return nil
        }
        guard !isDirectory.boolValue else {
            report(path, persona: persona, "\(noun) \"\(file)\" is a directory (\(resolved))")
            return nil
        }
        guard FileManager.default.isReadableFile(atPath: resolved) else {
            report(path, persona: persona, "\(noun) \"\(file)\" cannot be read (\(resolved))")
            return nil
        }
        return resolved
    }

    // MARK: Reporting

    private mutating func mismatch(_ value: any TOMLValueConvertible, at path: [String], persona: String?,
                                   expected: String) {
        report(path, persona: persona, "\"\(path.last!)\" must be \(expected), not \(Self.describe(value))")
    }

    private mutating func unknownKey(_ key: String, at path: [String], persona: String?, known: [String]) {
        var message = "unknown key \"\(key)\""
        if let suggestion = NearestName.suggestion(for: key, among: known, synonyms: NearestName.configurationSynonyms) {
            message += " (did you mean \"\(suggestion)\"?)"
        }
        report(path, persona: persona, message)
    }

    private mutating func report(_ path: [String], persona: String?, _ message: String) {
        let prefix = persona.map { "persona \"\($0)\": " } ?? ""
        diagnostics.append(ConfigurationDiagnostic(
            file: file, line: locator.position(of: path)?.line, key: path.joined(separator: "."),
            message: prefix + message))
    }

    /// "the string \"three\"", "the integer 3", "an array", ...
    private static func describe(_ value: any TOMLValueConvertible) -> String {
        switch value.type {
        case .string: return "the string \"\(value.string ?? "")\""
        case .int: return "the integer \(value.int.map(String.init) ?? "")"
        case .double: return "the floating-point number \(value.double.map { String($0) } ?? "")"
        case .bool: return "the boolean \(value.bool.map { String($0) } ?? "")"
        case .array: return "an array"
        case .table: return "a table"
        case .date: return "a date"
        case .time: return "a time"
        case .dateTime: return "a date-time"
        }
    }
}
