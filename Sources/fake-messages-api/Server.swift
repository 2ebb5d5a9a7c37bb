import Foundation
import Locking
import Glibc

/// Mutable state shared by the connection threads, behind one lock.
final class ServerState: @unchecked Sendable {
    private struct State {
        var requestCounter = 0
        var counts: [String: Int] = [:]
        var scriptIndex = 0
    }
    private let state = Locked(State())
    /// Set in `init`, read-only afterwards.
    private var script: [String] = []
    private var recordFile: UnsafeMutablePointer<FILE>?
    /// Keeps each record line whole.
    private let recordLock = Locked(())

    init(options: Options) {
        if let path = options.recordPath {
            guard let f = fopen(path, "a") else { Options.fail("cannot open --record file \(path)") }
            recordFile = f
        }
        if let path = options.scriptPath {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                Options.fail("cannot read --script file \(path)")
            }
            script = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty && !$0.hasPrefix("#") && !$0.hasPrefix("//") }
            for (i, line) in script.enumerated() where !(JSON.parse(line) is [String: Any]) {
                Options.fail("--script line \(i + 1) is not a JSON object: \(line)")
            }
        }
    }

    func nextRequestNumber() -> Int {
        state.withLock { state in
            state.requestCounter += 1
            return state.requestCounter
        }
    }

    /// Increments and returns the counter for `key`.
    func bump(key: String) -> Int {
        state.withLock { state in
            let v = (state.counts[key] ?? 0) + 1
            state.counts[key] = v
            return v
        }
    }

    func nextScriptLine() -> [String: Any]? {
        let script = self.script
        let line: String? = state.withLock { state in
            guard state.scriptIndex < script.count else { return nil }
            defer { state.scriptIndex += 1 }
            return script[state.scriptIndex]
        }
        return line.flatMap { JSON.parse($0) as? [String: Any] }
    }

    func record(_ line: [UInt8]) {
        guard let f = recordFile else { return }
        recordLock.withLock { _ in
            var bytes = line
            bytes.append(10)
            _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) }
            fflush(f)
        }
    }
}

final class Server: @unchecked Sendable {
    let options: Options
    let state: ServerState
    private var listenFD: Int32 = -1

    init(options: Options) {
        self.options = options
        self.state = ServerState(options: options)
    }

    func log(_ s: String) {
        guard !options.quiet else { return }
        FileHandle.standardError.write(Data("[fake-messages-api] \(s)\n".utf8))
    }

    /// Binds 127.0.0.1 and returns the port.
    func bind() -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { Options.fail("socket() failed: errno \(errno)") }
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = options.port.bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let r = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard r == 0 else { Options.fail("bind 127.0.0.1:\(options.port) failed: errno \(errno)") }
        guard listen(fd, 128) == 0 else { Options.fail("listen failed: errno \(errno)") }
        var bound = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        listenFD = fd
        return UInt16(bigEndian: bound.sin_port)
    }

    func acceptLoop() -> Never {
        while true {
            let client = accept(listenFD, nil, nil)
            if client < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                log("accept failed: errno \(errno)")
                usleep(10_000)
                continue
            }
            let thread = Thread { [self] in
                self.serve(Connection(fd: client))
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    // MARK: per connection

    func serve(_ conn: Connection) {
        defer { conn.close() }
        while true {
            let request: HTTPRequest
            do {
                request = try conn.readRequest()
            } catch HTTPError.malformed(let why) {
                log("bad request: \(why)")
                let body = errorBody(type: "invalid_request_error", message: "malformed HTTP request: \(why)")
                conn.respond(status: 400, headers: [("content-type", "application/json")], body: body, close: true)
                return
            } catch {
                return
            }
            let keepOpen = handle(request, conn)
            if !keepOpen || request.wantsClose || conn.isBroken { return }
        }
    }

    private func errorBody(type: String, message: String, requestID: String? = nil) -> [UInt8] {
        var o: [String: Any] = ["type": "error", "error": ["type": type, "message": message]]
        if let requestID { o["request_id"] = requestID }
        return JSON.bytes(o)
    }

    /// Answers one request. Returns false when the connection must close.
    func handle(_ req: HTTPRequest, _ conn: Connection) -> Bool {
        let n = state.nextRequestNumber()
        let closeAfter = req.wantsClose
        let requestID = "req_mock_\(n)"
        let body = JSON.parse(req.body)
        let path = req.path
        let json: [(String, String)] = [("content-type", "application/json"), ("request-id", requestID)]

        var kind = "other"
        var plan: Plan?
        var messages: MessagesRequest?
        if req.method == "POST" && path.hasSuffix("/v1/messages/count_tokens") {
            kind = "count_tokens"
        } else if req.method == "POST" && path.hasSuffix("/v1/messages") {
            if let b = body as? [String: Any] {
                let m = MessagesRequest(body: b)
                let behaviour = Behaviour(options: options, state: state)
                let side = behaviour.isSide(m)
                kind = side ? "side" : "main"
                messages = m
                plan = behaviour.plan(for: m, n: n, isSide: side)
            } else {
                kind = "bad"
            }
        }

        var rec: [String: Any] = [
            "n": n, "t": Date().timeIntervalSince1970, "method": req.method, "path": req.target,
            "headers": req.headers, "body": body ?? NSNull(), "kind": kind,
        ]
        if let plan { rec["reply"] = plan.label }
        if let m = messages, !m.toolResults.isEmpty { rec["tool_results"] = m.toolResults }
        state.record(JSON.bytes(rec))
        if let m = messages, let plan {
            log("#\(n) \(kind) model=\(m.model) stream=\(m.stream) msgs=\(m.messageCount) → \(plan.label)")
        } else {
            log("#\(n) \(req.method) \(req.target) (\(kind))")
        }

        switch kind {
        case "count_tokens":
            let tokens = max(1, req.body.count / 4)
            return conn.respond(status: 200, headers: json, body: JSON.bytes(["input_tokens": tokens]), close: closeAfter)
        case "bad":
            let b = errorBody(type: "invalid_request_error", message: "request body is not a JSON object", requestID: requestID)
            return conn.respond(status: 400, headers: json, body: b, close: closeAfter)
        case "main", "side":
            guard let plan, let m = messages else { return false }
            return reply(plan, to: m, n: n, requestID: requestID, inputBytes: req.body.count, closeAfter: closeAfter, conn)
        default:
            if req.method == "POST" && path.hasPrefix("/v1/") && !path.hasPrefix("/v1/messages") {
                // Unknown API endpoint: a harmless JSON 200.
                return conn.respond(status: 200, headers: json, body: Array("{}".utf8), close: closeAfter)
            }
            return conn.respond(status: 200, headers: json, body: Array("{}".utf8), close: closeAfter,
                                headOnly: req.method == "HEAD")
        }
    }

    // MARK: replies

    private func usage(input: Int, output: Int) -> [String: Any] {
        ["input_tokens": input, "output_tokens": output, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0]
    }

    private func pieces(_ s: String, _ size: Int) -> [String] {
        guard !s.isEmpty else { return [""] }
        var out: [String] = []
        var cur = ""
        var count = 0
        for c in s {
            cur.append(c)
            count += 1
            if count == size {
                out.append(cur)
                cur = ""
                count = 0
            }
        }
        if !cur.isEmpty { out.append(cur) }
        return out
    }

    func reply(_ plan: Plan, to m: MessagesRequest, n: Int, requestID: String, inputBytes: Int, closeAfter: Bool,
               _ conn: Connection) -> Bool {
        if let e = plan.httpError {
            let headers = [("content-type", "application/json"), ("request-id", requestID)]
                + plan.extraHeaders
            return conn.respond(status: e.status, headers: headers,
                                body: errorBody(type: e.type, message: e.message, requestID: requestID), close: closeAfter)
        }
        let messageID = "msg_mock_\(n)"
        let inputTokens = max(1, inputBytes / 4)
        if !m.stream {
            var content: [Any] = []
            var outputTokens = 0
            for b in plan.blocks {
                switch b {
                case .text(let t):
                    content.append(["type": "text", "text": t])
                    outputTokens += max(1, t.count / 4)
                case .thinking(let t, let sig):
                    content.append(["type": "thinking", "thinking": t, "signature": sig])
                    outputTokens += max(1, t.count / 4)
                case .toolUse(let id, let name, let input):
                    content.append(["type": "tool_use", "id": id, "name": name, "input": JSON.parse(input) ?? [String: Any]()])
                    outputTokens += max(1, input.count / 4)
                }
            }
            let msg: [String: Any] = [
                "id": messageID, "type": "message", "role": "assistant", "model": m.model, "content": content,
                "stop_reason": plan.stopReason, "stop_sequence": NSNull(),
                "usage": usage(input: inputTokens, output: plan.outputTokens ?? outputTokens),
            ]
            return conn.respond(status: 200, headers: [("content-type", "application/json"), ("request-id", requestID)],
                                body: JSON.bytes(msg), close: closeAfter)
        }

        // Streaming (SSE over chunked transfer encoding).
        guard conn.startChunked(status: 200, headers: [
            ("content-type", "text/event-stream; charset=utf-8"), ("cache-control", "no-cache"), ("request-id", requestID),
        ]) else { return false }

        func event(_ name: String, _ data: [String: Any]) -> Bool {
            conn.writeChunk(Array("event: \(name)\ndata: ".utf8) + JSON.bytes(data) + Array("\n\n".utf8))
        }
        let start: [String: Any] = [
            "type": "message_start",
            "message": [
                "id": messageID, "type": "message", "role": "assistant", "model": m.model, "content": [Any](),
                "stop_reason": NSNull(), "stop_sequence": NSNull(), "usage": usage(input: inputTokens, output: 1),
            ] as [String: Any],
        ]
        guard event("message_start", start), event("ping", ["type": "ping"]) else { return false }

        var deltas = 0
        var outputTokens = 1
        /// Sends one delta; applies the plan's delay and failure. Returns false when the stream must end now.
        func delta(_ index: Int, _ d: [String: Any]) -> (ok: Bool, keepOpen: Bool) {
            if deltas > 0 && plan.delay > 0 {
                // Sleep in slices so a vanished client is noticed.
                if !conn.peerStillThere(waitingUpTo: plan.delay) { return (false, false) }
            }
            guard event("content_block_delta", ["type": "content_block_delta", "index": index, "delta": d]) else {
                return (false, false)
            }
            deltas += 1
            outputTokens += 1
            switch plan.failure {
            case .sseError(let k)? where deltas >= k:
                let err: [String: Any] = ["type": "error", "error": ["type": "overloaded_error", "message": "mock mid-stream error"]]
                _ = event("error", err)
                _ = conn.endChunked()
                return (false, true)
            case .stall(let k)? where deltas >= k:
                log("#\(n) stalling")
                while conn.peerStillThere(waitingUpTo: 1.0) {}
                log("#\(n) client left the stalled stream")
                return (false, false)
            case .close(let k)? where deltas >= k:
                log("#\(n) closing mid-stream")
                return (false, false)
            default:
                return (true, true)
            }
        }

        for (index, block) in plan.blocks.enumerated() {
            let startBlock: [String: Any]
            var steps: [[String: Any]] = []
            switch block {
            case .text(let t):
                startBlock = ["type": "text", "text": ""]
                steps = pieces(t, plan.chunk).map { ["type": "text_delta", "text": $0] }
            case .thinking(let t, let sig):
                startBlock = ["type": "thinking", "thinking": "", "signature": ""]
                steps = pieces(t, plan.chunk).map { ["type": "thinking_delta", "thinking": $0] }
                steps.append(["type": "signature_delta", "signature": sig])
            case .toolUse(let id, let name, let input):
                startBlock = ["type": "tool_use", "id": id, "name": name, "input": [String: Any]()]
                steps = pieces(input, max(plan.chunk, 24)).map { ["type": "input_json_delta", "partial_json": $0] }
            }
            guard event("content_block_start", ["type": "content_block_start", "index": index, "content_block": startBlock])
            else { return false }
            for s in steps {
                let (ok, keepOpen) = delta(index, s)
                if !ok { return keepOpen }
            }
            guard event("content_block_stop", ["type": "content_block_stop", "index": index]) else { return false }
        }
        let md: [String: Any] = [
            "type": "message_delta",
            "delta": ["stop_reason": plan.stopReason, "stop_sequence": NSNull()] as [String: Any],
            "usage": ["output_tokens": plan.outputTokens ?? outputTokens],
        ]
        guard event("message_delta", md), event("message_stop", ["type": "message_stop"]) else { return false }
        return conn.endChunked()
    }
}

