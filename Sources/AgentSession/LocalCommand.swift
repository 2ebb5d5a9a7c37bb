import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A command the user runs on their own machine (`!command`): `$SHELL -c command` (the user's
/// own command line, so a shell is right here, unlike for `claude`), in the conversation's
/// working directory, with no input (stdin is closed at once).
///
/// It is a ``ChildProcess`` like `claude`: its own process group, parent-death signal, both
/// output pipes read for its whole life with bounded hand-off, and a sweep token, so that
/// ``stop()`` and ``kill()`` reach everything it started, detached processes included.
public final class LocalCommand: Sendable {
    /// One piece of what the command did, in order; ``exited(_:)`` comes last.
    public enum Output: Sendable, Equatable {
        case stdout([UInt8])
        case stderr([UInt8])
        case exited(ExitStatus)
    }

    /// Why a command could not be started.
    public struct StartError: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
    }

    private let child: ChildProcess

    /// The shell's process id (also its process group's id).
    public var pid: Int32 { child.pid }

    private init(child: ChildProcess) {
        self.child = child
    }

    /// Starts `command` with `shell -c`.
    public static func start(_ command: String, shell: String, workingDirectory: String?,
                             environment: [String: String]) throws(StartError) -> LocalCommand {
        let child: ChildProcess
        do {
            child = try ChildProcess.spawn(executable: shell, arguments: ["-c", command], environment: environment,
                                           workingDirectory: workingDirectory, sweepToken: DescendantSweeper.makeToken())
        } catch {
            switch error {
            case .workingDirectoryUnusable(let path, let detail):
                throw StartError(description: "cannot run the command in \(path): \(detail)")
            case .claudeNotFound, .claudeNotExecutable:
                throw StartError(description: "cannot run the shell \(shell): not found or not executable; check $SHELL")
            default:
                throw StartError(description: "cannot start the shell \(shell): \(error)")
            }
        }
        child.closeStdin()
        return LocalCommand(child: child)
    }

    /// The shell to use: `$SHELL` when it is an absolute path to an executable, else `/bin/sh`.
    public static func shell(environment: [String: String]) -> String {
        if let shell = environment["SHELL"], shell.hasPrefix("/"), access(shell, X_OK) == 0 { return shell }
        return "/bin/sh"
    }

    /// The command's output, then its exit. Single consumer; the next chunk is read from the
    /// command only once the consumer asks for it (a fast command waits on its pipe).
    public var output: Chunks { Chunks(child: child) }

    /// Stops the command as Ctrl-C in a terminal would: SIGINT to its process group, then
    /// SIGTERM and SIGKILL for what is still there a second later each, then the sweep.
    public func stop() {
        child.run([.signalGroup(SIGINT), .awaitExit(.seconds(1)), .signalGroup(SIGTERM), .awaitExit(.seconds(1)),
                   .signalGroup(SIGKILL), .sweepDescendants])
    }

    /// Kills the command and everything it started at once (Parley is leaving).
    public func kill() {
        child.run([.signalGroup(SIGKILL), .sweepDescendants])
    }

    /// ``output`` as an async sequence that returns each chunk's credit when the next is asked for.
    public struct Chunks: AsyncSequence, Sendable {
        public typealias Element = Output
        let child: ChildProcess

        public func makeAsyncIterator() -> Iterator {
            Iterator(child: child, base: child.output.makeAsyncIterator())
        }

        public struct Iterator: AsyncIteratorProtocol {
            let child: ChildProcess
            var base: AsyncStream<ChildOutput>.Iterator
            var owesCredit = false

            public mutating func next() async -> Output? {
                if owesCredit {
                    child.chunkProcessed()
                    owesCredit = false
                }
                switch await base.next() {
                case .stdout(let bytes)?:
                    owesCredit = true
                    return .stdout(bytes)
                case .stderr(let bytes)?:
                    owesCredit = true
                    return .stderr(bytes)
                case .exited(let status)?:
                    return .exited(status)
                case nil:
                    return nil
                }
            }
        }
    }
}
