import AgentSession
import Foundation

/// What `parley --version` prints: Parley's version, then the `claude` it would start and
/// that CLI's own version (or why it cannot be found or asked).
enum VersionReport {
    /// How long `claude --version` may take before Parley gives up on it.
    static let timeout: TimeInterval = 10

    static func text(claudeLaunch launch: LaunchConfiguration) -> String {
        "parley \(ParleyVersion.string)\n" + claudeLine(launch)
    }

    private static func claudeLine(_ launch: LaunchConfiguration) -> String {
        let path: String
        do {
            path = try launch.resolveExecutable()
        } catch {
            return "claude: \(error)"
        }
        guard let output = run(path, ["--version"], environment: launch.childEnvironment()) else {
            return "claude: \(path) did not answer --version"
        }
        let version = output.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let tested = ParleyVersion.testedClaudeVersions.joined(separator: ", ")
        return "claude \(version.isEmpty ? "(no version printed)" : version) at \(path) (Parley was tested with \(tested))"
    }

    /// The standard output of `path arguments`, or `nil` when it fails or takes too long.
    private static func run(_ path: String, _ arguments: [String], environment: [String: String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        process.environment = environment
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        do { try process.run() } catch { return nil }
        if finished.wait(timeout: .now() + timeout) == .timedOut || process.isRunning {
            process.terminate()
            return nil
        }
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
