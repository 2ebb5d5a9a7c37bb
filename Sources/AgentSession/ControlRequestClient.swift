import Foundation
import StreamJSON

/// The control requests Parley has sent to the current process and not yet seen answered:
/// their ids, who waits for each answer, deadlines, and the failure of every waiting caller
/// when the process goes away. Owned by ``AgentSession``; no I/O (it returns the line to write).
struct ControlRequestClient {
    /// Called once with the answer's `response` object or the error.
    typealias Completion = @Sendable (Result<JSONValue, SessionError>) -> Void

    private struct Pending {
        let subtype: String
        /// `nil` when the session itself reads the answer (`initialize`).
        let completion: Completion?
    }

    private var counter = 0
    private var pending: [String: Pending] = [:]

    /// Registers `body` under a new id; returns the id and the line to write.
    mutating func begin(_ body: ControlRequestBody, completion: Completion?) -> (id: String, line: Data) {
        counter += 1
        let id = "parley-\(body.subtype)-\(counter)"
        pending[id] = Pending(subtype: body.subtype, completion: completion)
        return (id, OutgoingMessage.controlRequest(requestID: id, body).encodedLine())
    }

    /// Whether the request `id` still waits for its answer.
    func isPending(_ id: String) -> Bool { pending[id] != nil }

    /// Whether an `initialize` still waits for its answer.
    var awaitsInitialize: Bool { pending.values.contains { $0.subtype == ControlRequestBody.initialize.subtype } }

    /// Hands an answer to whoever waits for it; answers to ids Parley does not know (or no
    /// longer waits for) are ignored. Returns the request's subtype and answer when it succeeded.
    @discardableResult
    mutating func resolve(_ response: ControlResponse) -> (subtype: String, body: JSONValue)? {
        guard let id = response.requestID, let request = pending.removeValue(forKey: id) else { return nil }
        switch response.outcome {
        case .success(let body):
            request.completion?(.success(body))
            return (request.subtype, body)
        case .error(let message, let code):
            request.completion?(.failure(.controlRequestFailed(subtype: request.subtype, message: message, code: code)))
            return nil
        }
    }

    /// The deadline of request `id` passed: it fails with `error(subtype)`. Returns whether
    /// it was still waiting.
    @discardableResult
    mutating func timeOut(_ id: String, with error: (String) -> SessionError) -> Bool {
        guard let request = pending.removeValue(forKey: id) else { return false }
        request.completion?(.failure(error(request.subtype)))
        return true
    }

    /// The process is gone: every waiting request fails with ``SessionError/noResponse(subtype:)``.
    mutating func failAll() {
        let waiting = pending
        pending.removeAll()
        for request in waiting.values { request.completion?(.failure(.noResponse(subtype: request.subtype))) }
    }
}
