import Dispatch

import Glibc

/// Signals behave like the real CLI's: SIGTERM → exit 143, SIGHUP → exit 129, no result line
/// (tool children are killed); SIGINT aborts a running turn like `interrupt` (without a
/// control_response), then exits 0; idle, it exits 0 at once.
///
/// Nonisolated on purpose: handlers run on a global queue, so they must not be formed in
/// main.swift's top-level (main-actor) context.
nonisolated func installSignalHandlers(_ shared: Shared) -> [any DispatchSourceSignal] {
    let output = shared.out
    var sources: [any DispatchSourceSignal] = []
    for (sig, code) in [(SIGTERM, Int32(143)), (SIGHUP, Int32(129))] {
        signal(sig, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
        source.setEventHandler { output.exitHoldingLock(code) }
        source.resume()
        sources.append(source)
    }
    signal(SIGINT, SIG_IGN)
    let sigint = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
    sigint.setEventHandler {
        let busy = shared.locked { () -> Bool in
            guard shared.turnActive else { return false }
            shared.exitAfterTurn = true
            shared.interruptRequested = true
            shared.cond.broadcast()
            return true
        }
        if !busy { output.exitHoldingLock(0) }
    }
    sigint.resume()
    sources.append(sigint)
    return sources
}
