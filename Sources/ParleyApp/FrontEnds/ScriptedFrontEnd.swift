import AgentSession
import Dispatch
import Foundation
import Locking

import Glibc

/// Why a front end stopped.
public enum StopReason: Sendable, Equatable {
    /// End of input, `/quit` or Ctrl-D.
    case finished
    /// A signal (SIGINT, SIGTERM, SIGHUP) asked Parley to stop.
    case signal(Int32)
    /// Standard output was closed by its reader.
    case outputClosed
}

/// Scripted use (standard input is not a terminal): each logical line is one message,
/// sent only after the previous turn has ended, so every line gets its own turn. Slash
/// commands run in order between turns. At the end of input every turn is finished, then
/// the session is terminated. The process starts at once, so that a `claude` that cannot run
/// fails the script (exit status 1) even when it sends nothing; a stalled turn is stopped by
/// the session (``StallAction/interrupt``), so a script always ends.
struct ScriptedFrontEnd {
    let controller: SessionController
    let stopSignal: StopSignal

    func run() async -> StopReason {
        let controller = self.controller
        let reader = Task {
            var lines = InputLines.standardInput().makeAsyncIterator()
            while let line = await lines.next() {
                if Task.isCancelled { break }
                // Once nothing can be answered (claude could not start, or gave up; the session
                // reported what it held), every further line is reported as never sent.
                if await controller.hasFailed {
                    if !line.trimmingCharacters(in: .whitespaces).isEmpty { await controller.reportNotSent(line) }
                    continue
                }
                await controller.submit(line)
                if await controller.quitRequested { break }
                await controller.waitUntilSettled()
            }
            await controller.waitUntilSettled()
        }
        let reason = await stopSignal.race(reader)
        return reason
    }
}

/// Signals and a closed stdout, turned into one awaitable stop reason.
final class StopSignal: Sendable {
    private let state = Locked<(reason: StopReason?, waiter: CheckedContinuation<StopReason, Never>?)>((nil, nil))
    /// Kept alive for the process's life; installed once, from one task.
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []

    /// Catches SIGINT, SIGTERM and SIGHUP (scripted use; the line editor has its own).
    /// `onSignal` runs first, on the signal's own thread (so it works even while every
    /// cooperative thread is blocked, e.g. writing to a stdout nobody reads).
    func installSignalHandlers(onSignal: @escaping @Sendable () -> Void = {}) {
        var installed: [any DispatchSourceSignal] = []
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { [weak self] in
                onSignal()
                self?.fire(.signal(signalNumber))
            }
            source.resume()
            installed.append(source)
        }
        Self.sources = installed
    }

    func fire(_ reason: StopReason) {
        let waiter = state.withLock { state -> CheckedContinuation<StopReason, Never>? in
            guard state.reason == nil else { return nil }
            state.reason = reason
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: reason)
    }

    var reason: StopReason? { state.withLock { $0.reason } }

    /// Waits for `work` to finish or for a stop, whichever comes first; a stop cancels `work`.
    func race(_ work: Task<Void, Never>) async -> StopReason {
        let watcher = Task { [weak self] in
            await work.value
            self?.fire(.finished)
        }
        let reason = await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> StopReason? in
                if let reason = state.reason { return reason }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
        if reason != .finished { work.cancel() }
        watcher.cancel()
        return reason
    }
}
