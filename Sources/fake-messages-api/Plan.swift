import Foundation

/// One content block of a scripted reply.
enum ReplyBlock {
    case text(String)
    case thinking(String, signature: String)
    /// `input` is the JSON text streamed as `input_json_delta` (must encode an object).
    case toolUse(id: String, name: String, input: String)
}

/// How a streamed reply goes wrong (streaming requests only; a non-streaming request gets the full reply).
enum StreamFailure {
    /// An SSE `error` event (overloaded_error) after this many text deltas.
    case sseError(afterDeltas: Int)
    /// Stop sending after this many deltas and hold the connection open until the client leaves.
    case stall(afterDeltas: Int)
    /// Close the connection after this many deltas, without the closing events or the last chunk.
    case close(afterDeltas: Int)
}

/// What to answer to one `POST /v1/messages`.
struct Plan {
    var httpError: (status: Int, type: String, message: String)?
    var blocks: [ReplyBlock] = []
    var stopReason = "end_turn"
    /// Characters per text/thinking delta.
    var chunk: Int
    /// Seconds between deltas.
    var delay: Double = 0
    var failure: StreamFailure?
    /// The `usage.output_tokens` the finished message reports (`message_delta`, or the whole
    /// message); `nil`: one per delta (streamed) or a quarter of the characters.
    var outputTokens: Int?
    /// Extra response headers (e.g. retry-after).
    var extraHeaders: [(String, String)] = []
    /// Short description for the log and the record file.
    var label: String

    init(chunk: Int, label: String) {
        self.chunk = chunk
        self.label = label
    }

    static func errorType(for status: Int) -> String {
        switch status {
        case 400: return "invalid_request_error"
        case 401: return "authentication_error"
        case 403: return "permission_error"
        case 404: return "not_found_error"
        case 413: return "request_too_large"
        case 429: return "rate_limit_error"
        case 529: return "overloaded_error"
        default: return "api_error"
        }
    }

    static func error(_ status: Int, chunk: Int, message: String? = nil, type: String? = nil) -> Plan {
        var p = Plan(chunk: chunk, label: "error \(status)")
        let t = type ?? errorType(for: status)
        p.httpError = (status, t, message ?? "mock \(t)")
        return p
    }
}
