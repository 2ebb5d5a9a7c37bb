import Foundation
import StreamJSON

import Glibc

/// One user line taken from stdin.
struct UserMessage {
    let text: String
    let uuid: String?
    /// The input's `message` object, echoed by `--replay-user-messages`.
    let message: JSONValue
    /// It arrived while a turn was running (only such messages are merged).
    let arrivedWhileBusy: Bool
    /// False for `"shouldQuery": false`: recorded in the conversation, no model call.
    var asksForReply = true
}

enum PermissionOutcome {
    case response(JSONValue)
    case error(String)
    case interrupted
    case eof
}

/// State shared by the stdin reader thread, the turn thread and signal handlers.
/// Every mutable field is guarded by `cond`.
final class Shared: @unchecked Sendable {
    let cond = NSCondition()
    let cfg: Config
    let out: Output

    var queue: [UserMessage] = []
    var eof = false
    var turnActive = false
    /// Request ids of `interrupt` requests not yet answered (answered by the turn thread).
    var interruptIDs: [JSONValue?] = []
    var interruptRequested = false
    /// SIGINT: abort the running turn like an interrupt, then exit 0.
    var exitAfterTurn = false
    var pendingPermissionID: String?
    var permissionOutcome: PermissionOutcome?

    var model: String
    var permissionMode: String
    var sessionID: String
    var history: [String]
    var seenUUIDs: Set<String> = []
    var resultCount = 0
    /// Background tasks started (`fc:bgtask`) and not yet stopped, by task id.
    var runningTasks: Set<String> = []
    var lastResultIsError = false
    var totalCost = 0.0
    var totalAPIms = 0
    var sessionInputTokens = 0
    var sessionOutputTokens = 0
    var allowedRules: Set<String>
    var counter = 0

    init(cfg: Config, out: Output, sessionID: String, history: [String]) {
        self.cfg = cfg
        self.out = out
        self.model = resolveModel(cfg.model)
        self.permissionMode = cfg.permissionMode
        self.sessionID = sessionID
        self.history = history
        self.allowedRules = Set(cfg.allowedTools.map(toolName))
    }

    func locked<T>(_ body: () throws -> T) rethrows -> T {
        cond.lock()
        defer { cond.unlock() }
        return try body()
    }

    func nextCounter() -> Int { locked { counter += 1; return counter } }

    var isInterrupted: Bool { locked { interruptRequested } }

    /// Sleeps up to `ms` milliseconds; returns true (at once) when an interrupt is pending.
    func sleepInterruptible(_ ms: Int) -> Bool {
        cond.lock()
        defer { cond.unlock() }
        let deadline = Date(timeIntervalSinceNow: Double(ms) / 1000)
        while !interruptRequested {
            if !cond.wait(until: deadline) { break }
        }
        return interruptRequested
    }

    /// Blocks until an interrupt arrives (`fc:hang`).
    func waitForInterrupt() {
        cond.lock()
        while !interruptRequested { cond.wait() }
        cond.unlock()
    }

    /// Registers `id` as the `can_use_tool` request being answered. Called before the request
    /// is written: a host that answers at once (an auto-approve policy) must not find it unknown.
    func expectPermission(_ id: String) {
        locked {
            pendingPermissionID = id
            permissionOutcome = nil
        }
    }

    /// Blocks until the host answers the request registered with ``expectPermission(_:)``, an
    /// interrupt, or EOF.
    func waitPermission() -> PermissionOutcome {
        cond.lock()
        defer { cond.unlock() }
        while permissionOutcome == nil && !interruptRequested && !eof { cond.wait() }
        pendingPermissionID = nil
        if let outcome = permissionOutcome {
            permissionOutcome = nil
            return outcome
        }
        return interruptRequested ? .interrupted : .eof
    }

    /// Waits for the next turn's messages; `[]` means stdin is closed and nothing is left.
    func nextBatch() -> [UserMessage] {
        cond.lock()
        defer { cond.unlock() }
        while queue.isEmpty && !eof { cond.wait() }
        if queue.isEmpty { return [] }
        var batch = [queue.removeFirst()]
        if cfg.mergeQueued {
            while let next = queue.first, next.arrivedWhileBusy {
                batch.append(queue.removeFirst())
            }
        }
        turnActive = true
        interruptRequested = false
        return batch
    }

    /// Marks the turn finished; returns interrupt ids that arrived too late to abort it.
    func endTurn() -> [JSONValue?] {
        locked {
            turnActive = false
            interruptRequested = false
            let late = interruptIDs
            interruptIDs = []
            return late
        }
    }

    /// Interrupt ids to acknowledge now (the turn is being aborted).
    func takeInterruptIDs() -> [JSONValue?] {
        locked {
            let ids = interruptIDs
            interruptIDs = []
            return ids
        }
    }
}

// MARK: - control responses

func controlSuccess(_ out: Output, _ id: JSONValue?, _ body: J?) {
    var response: [(String, J)] = [("subtype", .safe("success"))]
    if let id { response.append(("request_id", J(id))) }
    if let body { response.append(("response", body)) }
    out.line(.o([("type", .safe("control_response")), ("response", .o(response))]))
}

func controlError(_ out: Output, _ id: JSONValue?, _ message: String, code: String?, extra: [(String, J)] = []) {
    var response: [(String, J)] = [("subtype", .safe("error"))]
    if let id { response.append(("request_id", J(id))) }
    response.append(("error", .s(message)))
    if let code { response.append(("error_code", .s(code))) }
    response += extra
    out.line(.o([("type", .safe("control_response")), ("response", .o(response))]))
}
