import ArgumentParser
import Foundation
import ParleyApp
import Terminal

/// `parley`: parse the command line, hand it to ``ParleyMain``, exit with its status.
@main
struct Parley: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parley",
        abstract: "A terminal REPL for Claude Code that keeps one claude process per conversation.",
        discussion: """
            Type a message and press Enter; the reply streams in. Lines typed while a reply streams are \
            queued. /help lists the slash commands. With standard input not a terminal, each line is one \
            message (`parley < script.txt`), assistant text goes to stdout and everything else to stderr.
            Exit status: 0 every turn succeeded, 1 a turn failed or claude could not be recovered, \
            2 usage or configuration error, 130 interrupted.
            """)

    @Option(help: "Persona from the config file.") var persona: String?
    // Launch flags: name, help and checks come from `LaunchSettings` (Sources/ParleyApp/LaunchSettings.swift);
    // each property is its flag in camelCase.
    @Option(.model) var model: String?
    @Option(.systemPrompt) var systemPrompt: String?
    @Option(.appendSystemPrompt) var appendSystemPrompt: String?
    @Option(.permissionMode) var permissionMode: String?
    @Option(.workingDirectory) var cwd: String?
    @Option(.claude) var claude: String?
    @Option(help: "Resume the conversation with this session id (or id prefix); without one, list this directory's conversations and ask.")
    var resume: String?
    @Flag(name: .customLong(pickMarker), help: .hidden) var pickConversation = false
    @Flag(name: .customLong("continue"), help: "Continue the most recent conversation in this directory.") var continueMostRecent = false
    @Option(help: "Colour: auto, always or never (NO_COLOR is honoured in auto).") var color: ColorMode?
    @Option(help: "Links as OSC 8 hyperlinks: auto (known terminals), on or off; never without colour or when scripted.") var hyperlinks: HyperlinkMode?
    @Option(name: .customLong("output-format"), help: "Output format when scripted: text or json.") var outputFormat: AppOptions.OutputFormat = .text
    @Option(.autoApprove) var autoApprove: String?
    @Option(help: "Config file (default: $XDG_CONFIG_HOME/parley/config.toml).") var config: String?
    @Option(name: .customLong("debug-log"), help: "Append the session engine's events to this file.") var debugLog: String?
    @Option(name: .customLong("stall-timeout"), help: "Seconds without output in a turn before warning (0 = off, at most 86400).") var stallTimeout: String?
    @Flag(name: .customLong("show-thinking"), help: "Show thinking in full.") var showThinking = false
    @Flag(help: "Print Parley's version and the detected claude version.") var version = false

    func validate() throws {
        do {
            _ = try LaunchOverrides(flags: launchFlags)
        } catch {
            throw ValidationError(error.description)
        }
        if (resume != nil || pickConversation) && continueMostRecent {
            throw ValidationError("--resume and --continue cannot be used together")
        }
    }

    /// The launch flags given, by long name, picked by ``LaunchSettings`` out of the
    /// `String?` options by property name.
    var launchFlags: [String: String] {
        get throws(LaunchFlagError) {
            let options = Mirror(reflecting: self).children.compactMap { child -> (String, String?)? in
                guard let label = child.label, let option = child.value as? Option<String?> else { return nil }
                return (String(label.drop { $0 == "_" }), option.wrappedValue)
            }
            return try LaunchSettings.standard.flags(fromProperties: Dictionary(uniqueKeysWithValues: options))
        }
    }

    func run() async throws {
        var options = AppOptions(environment: ProcessInfo.processInfo.environment)
        options.persona = persona
        options.overrides = try LaunchOverrides(flags: launchFlags)
        options.overrides.resumeSessionID = resume
        options.pickConversation = pickConversation
        options.overrides.continueMostRecent = continueMostRecent
        options.color = color
        options.hyperlinks = hyperlinks
        options.outputFormat = outputFormat
        options.configPath = config
        options.debugLogPath = debugLog
        options.stallTimeout = stallTimeout
        options.showThinking = showThinking
        options.printVersion = version
        let status = await ParleyMain.run(options)
        if status != 0 { throw ExitCode(status) }
    }

    /// Usage errors exit with status 2 (ArgumentParser's default is 64).
    static func main() async {
        do {
            var command = try parseAsRoot(withPickMarker(Array(CommandLine.arguments.dropFirst())))
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .success || error is ExitCode {
                exit(withError: error)
            }
            let message = message(for: error).split(separator: "\n").first.map(String.init) ?? "invalid usage"
            FileHandle.standardError.write(Data("parley: \(message) (see parley --help)\n".utf8))
            Foundation.exit(ExitStatusCode.usage)
        }
    }
}

extension Parley {
    /// What a bare `--resume` becomes (ArgumentParser has no option with an optional value).
    static let pickMarker = "resume-pick"

    /// `--resume` with no id after it (last, or followed by another option) → `--resume-pick`.
    static func withPickMarker(_ arguments: [String]) -> [String] {
        var result: [String] = []
        for (index, argument) in arguments.enumerated() {
            if argument == "--resume", index + 1 == arguments.count || arguments[index + 1].hasPrefix("--") {
                result.append("--" + pickMarker)
            } else {
                result.append(argument)
            }
        }
        return result
    }
}

extension ColorMode: ExpressibleByArgument {}
extension HyperlinkMode: ExpressibleByArgument {}
extension AppOptions.OutputFormat: ExpressibleByArgument {}

extension Option where Value == String? {
    /// The flag of a launch setting, named, explained and completed by its ``LaunchSetting`` entry.
    init(_ setting: LaunchSetting) {
        let completion: CompletionKind? = switch setting.kind {
        case .choice(let choices): .list(choices)
        case .directory: .directory
        case .file: .file()
        case .text, .integer, .list, .environment: nil
        }
        self.init(name: .customLong(setting.flag ?? setting.name), help: ArgumentHelp(setting.help), completion: completion)
    }
}
