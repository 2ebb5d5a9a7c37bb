import Conversations
import Foundation
import StreamJSON

/// Reading the CLI's transcripts, as `/resume` and Tab after `/resume ` do (up to 20 files):
/// in process, on transcripts shaped like a working session's (a prompt, a tool call and a
/// 20 KB tool result per turn).
enum TranscriptBench {
    static func run(megabytes: Int, rounds: Int) -> [Row] {
        let transcript = make(bytes: megabytes << 20)
        let seconds = median((0..<rounds).map { _ in
            let start = monotonicSeconds()
            let turns = (try? TranscriptParser.parse(transcript, sessionID: "bench").turns.count) ?? -1
            precondition(turns > 0, "the generated transcript did not parse")
            return monotonicSeconds() - start
        })
        let rate = Double(transcript.count) / seconds / 1e6
        return [Row(id: "3", name: "read \(megabytes) MB of transcript (/resume listing)",
                    figure: "\(fmt(rate, 0)) MB/s (\(fmtDuration(seconds)))", target: "(for information)",
                    baseline: "54 MB/s before lines were cut with memchr (Data.split), 2026-12-01",
                    met: nil,
                    method: "in process: TranscriptParser.parse of one generated transcript (user prompt, assistant tool_use, 20 KB tool_result per turn); median of \(rounds)")]
    }

    /// A transcript of about `bytes` bytes.
    static func make(bytes: Int) -> Data {
        let result = String(repeating: "x", count: 20_000)
        var data = Data()
        var parent: JSONValue = .null
        var turn = 0
        func append(_ object: [String: JSONValue]) {
            data.append(contentsOf: JSONValue.object(object.merging(
                ["cwd": "/work", "sessionId": "bench", "isSidechain": false, "timestamp": "2026-12-01T06:00:00.000Z"]) { $1 }).compactText.utf8)
            data.append(UInt8(ascii: "\n"))
        }
        while data.count < bytes {
            let (user, assistant, tool) = ("u\(turn)", "a\(turn)", "r\(turn)")
            append(["type": "user", "uuid": .string(user), "parentUuid": parent,
                    "message": ["role": "user", "content": .string("prompt \(turn)")]])
            append(["type": "assistant", "uuid": .string(assistant), "parentUuid": .string(user),
                    "message": ["role": "assistant", "content": [["type": "tool_use", "id": .string("t\(turn)"), "name": "Read",
                                                                  "input": ["file_path": "/work/file"]]]]])
            append(["type": "user", "uuid": .string(tool), "parentUuid": .string(assistant),
                    "message": ["role": "user", "content": [["type": "tool_result", "tool_use_id": .string("t\(turn)"),
                                                             "content": .string(result)]]]])
            parent = .string(tool)
            turn += 1
        }
        return data
    }
}
