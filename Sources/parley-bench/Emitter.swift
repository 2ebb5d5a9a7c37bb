import Foundation
import StreamJSON

import Glibc

/// A stand-in for `claude` that produces one very large reply as fast as it can write, so
/// that the rendering benchmark measures Parley and not the double. `parley-bench` becomes
/// it when `PARLEY_BENCH_EMITTER` is set (Parley is started with `--claude <parley-bench>`).
///
/// `PARLEY_BENCH_EMITTER=text:<bytes>:<delta>`: a Markdown reply of about `bytes` bytes in
/// `text_delta`s of `delta` bytes, then the `assistant` and `result` lines that, as with the
/// real CLI, repeat the whole text. `tool:<bytes>`: a Bash tool call whose `tool_result`
/// holds `bytes` bytes of output lines, then a short text reply.
enum Emitter {
    static var isRequested: Bool { ProcessInfo.processInfo.environment["PARLEY_BENCH_EMITTER"] != nil }

    /// A Markdown sample with every construct the renderer handles. ASCII only, so any byte
    /// offset is a character boundary.
    static let markdownSample: String = {
        var text = """
            ## Streaming a long answer

            Parley renders **bold**, *italics*, _underscores_ and `inline code` while the reply streams.
            A paragraph can run on for a while, with ordinary words and punctuation (commas, periods; colons: too).

            - first bullet with **strong** text
            - second bullet with a `code span` inside
              - nested bullet, *emphasised*
            1. numbered item one
            2. numbered item two

            > a quoted line with **bold** in it
            > and a second quoted line

            ```swift
            let session = AgentSession(configuration: launch)
            for await event in session.events { print(event) }
            ```

            ---

            Plain closing sentence number one. Plain closing sentence number two, a little longer than the first.

            """
        // Pad to a multiple of 64 bytes so that deltas of 8, 16, 32 or 64 bytes repeat with the sample.
        while text.utf8.count % 64 != 0 { text += " " }
        return text
    }()

    static let toolSampleLine = "drwxr-xr-x  2 user group  4096 Jan  1 00:00 some-directory-name-of-typical-length\n"

    static func jsonEscaped(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func run() -> Never {
        signal(SIGPIPE, SIG_IGN)
        let spec = ProcessInfo.processInfo.environment["PARLEY_BENCH_EMITTER"] ?? "text:1048576:8"
        let parts = spec.split(separator: ":").map(String.init)
        let mode = parts.first ?? "text"
        let total = parts.count > 1 ? Int(parts[1]) ?? 1 << 20 : 1 << 20
        let delta = parts.count > 2 ? Int(parts[2]) ?? 8 : 8
        let sessionID = UUID().uuidString.lowercased()
        let reader = Reader(0)
        var turn = 0
        while let line = reader.line(timeout: 3600) {
            guard let value = try? JSONValue.parse(Data(line)) else { continue }
            switch value["type"]?.stringValue {
            case "control_request":
                let id = value["request_id"]?.stringValue ?? ""
                let body: String = value["request"]?["subtype"]?.stringValue == "initialize"
                    ? "{\"commands\":[],\"models\":[],\"claude_code_version\":\"2.1.331\"}" : "{}"
                out("{\"type\":\"control_response\",\"response\":{\"subtype\":\"success\",\"request_id\":\"\(id)\",\"response\":\(body)}}\n")
            case "user":
                turn += 1
                let uuid = value["uuid"]?.stringValue ?? ""
                out("{\"type\":\"system\",\"subtype\":\"init\",\"session_id\":\"\(sessionID)\",\"model\":\"bench-model\",\"tools\":[],\"cwd\":\"/\",\"slash_commands\":[],\"claude_code_version\":\"2.1.331\"}\n")
                let prompt = String(decoding: line, as: UTF8.self)
                if mode == "tool" && !prompt.contains("small") {
                    toolTurn(total: total, sessionID: sessionID, uuid: uuid, turn: turn)
                } else {
                    textTurn(total: prompt.contains("small") ? 64 : total, delta: delta, sessionID: sessionID, uuid: uuid, turn: turn)
                }
            default:
                continue
            }
        }
        exit(0)
    }

    private static func textTurn(total: Int, delta: Int, sessionID: String, uuid: String, turn: Int) {
        let sample = Array(markdownSample.utf8)
        let repeats = max(1, (total + sample.count - 1) / sample.count)
        let tail = ",\"session_id\":\"\(sessionID)\",\"parent_tool_use_id\":null}\n"
        out("{\"type\":\"stream_event\",\"event\":{\"type\":\"message_start\",\"message\":{\"id\":\"msg_bench_\(turn)\",\"model\":\"bench-model\"}}\(tail)")
        out("{\"type\":\"stream_event\",\"event\":{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\(tail)")
        // One period of delta lines, written `repeats` times in large writes.
        var period: [UInt8] = []
        var offset = 0
        while offset < sample.count {
            let piece = String(decoding: sample[offset..<min(sample.count, offset + delta)], as: UTF8.self)
            period += Array("{\"type\":\"stream_event\",\"event\":{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"\(jsonEscaped(piece))\"}}\(tail)".utf8)
            offset += delta
        }
        var batch: [UInt8] = []
        for _ in 0..<repeats {
            batch += period
            if batch.count > 1 << 20 { write(batch); batch.removeAll(keepingCapacity: true) }
        }
        write(batch)
        out("{\"type\":\"stream_event\",\"event\":{\"type\":\"content_block_stop\",\"index\":0}\(tail)")
        let escaped = Array(jsonEscaped(markdownSample).utf8)
        var full: [UInt8] = []
        full.reserveCapacity(escaped.count * repeats)
        for _ in 0..<repeats { full += escaped }
        write(Array("{\"type\":\"assistant\",\"message\":{\"id\":\"msg_bench_\(turn)\",\"model\":\"bench-model\",\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"".utf8) + full
              + Array("\"}]},\"parent_tool_use_id\":null,\"session_id\":\"\(sessionID)\"}\n".utf8))
        out("{\"type\":\"stream_event\",\"event\":{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"}}\(tail)")
        out("{\"type\":\"stream_event\",\"event\":{\"type\":\"message_stop\"}\(tail)")
        write(Array("{\"type\":\"result\",\"subtype\":\"success\",\"is_error\":false,\"result\":\"".utf8) + full
              + Array("\",\"num_turns\":1,\"duration_ms\":1,\"total_cost_usd\":0,\"usage\":{\"input_tokens\":1,\"output_tokens\":1},\"session_id\":\"\(sessionID)\",\"user_message_uuids\":[\"\(uuid)\"]}\n".utf8))
    }

    private static func toolTurn(total: Int, sessionID: String, uuid: String, turn: Int) {
        let line = Array(jsonEscaped(toolSampleLine).utf8)
        let count = max(1, total / toolSampleLine.utf8.count)
        out("{\"type\":\"assistant\",\"message\":{\"id\":\"msg_bench_\(turn)\",\"model\":\"bench-model\",\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"toolu_bench_\(turn)\",\"name\":\"Bash\",\"input\":{\"command\":\"ls -lR /\",\"description\":\"list\"}}]},\"parent_tool_use_id\":null,\"session_id\":\"\(sessionID)\"}\n")
        var content: [UInt8] = []
        content.reserveCapacity(line.count * count)
        for _ in 0..<count { content += line }
        write(Array("{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_bench_\(turn)\",\"content\":\"".utf8)
              + content + Array("\",\"is_error\":false}]},\"parent_tool_use_id\":null,\"session_id\":\"\(sessionID)\"}\n".utf8))
        out("{\"type\":\"assistant\",\"message\":{\"id\":\"msg_bench_\(turn)b\",\"model\":\"bench-model\",\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"Listed.\"}]},\"parent_tool_use_id\":null,\"session_id\":\"\(sessionID)\"}\n")
        out("{\"type\":\"result\",\"subtype\":\"success\",\"is_error\":false,\"result\":\"Listed.\",\"num_turns\":2,\"duration_ms\":1,\"total_cost_usd\":0,\"usage\":{\"input_tokens\":1,\"output_tokens\":1},\"session_id\":\"\(sessionID)\",\"user_message_uuids\":[\"\(uuid)\"]}\n")
    }

    private static func out(_ text: String) { write(Array(text.utf8)) }

    private static func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(1, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR || errno == EAGAIN { continue }
                    exit(0)
                }
                offset += n
            }
        }
    }
}
