import AgentSession
import Foundation
import StreamJSON

import Glibc

/// (2) Engine overhead: sequential turns through `AgentSession` against `fake-claude` (which
/// answers at once) versus a minimal driver of the same double that writes a line and scans
/// stdout bytes for the `result` line, without decoding anything.
enum EngineBench {
    struct Sample {
        var wallPerTurn: Double
        var cpuPerTurn: Double
        /// Voluntary + involuntary context switches of this process (all threads) per turn.
        var switchesPerTurn: Double
    }

    static func contextSwitches() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_nvcsw + usage.ru_nivcsw)
    }

    static func run(_ bins: Binaries, turns: Int, rounds: Int, quick: Bool = false) -> [Row] {
        let dir = TempDir("parley-bench-engine")
        defer { dir.remove() }
        let env = hermeticEnvironment(dir)
        var engine: [Sample] = [], driver: [Sample] = []
        // Warm up both paths (page cache, dyld, the double's first turn).
        _ = driverRun(bins, env: env, cwd: dir.path, turns: 50)
        _ = engineRun(bins, env: env, cwd: dir.path, turns: 50)
        for _ in 0..<rounds {
            if let s = driverRun(bins, env: env, cwd: dir.path, turns: turns) { driver.append(s) }
            if let s = engineRun(bins, env: env, cwd: dir.path, turns: turns) { engine.append(s) }
        }
        let ew = median(engine.map(\.wallPerTurn)), dw = median(driver.map(\.wallPerTurn))
        let ec = median(engine.map(\.cpuPerTurn)), dc = median(driver.map(\.cpuPerTurn))
        let es = median(engine.map(\.switchesPerTurn)), ds = median(driver.map(\.switchesPerTurn))
        let added = ew - dw
        return [
            Row(id: "2", name: "engine turn, fake-claude (wall)",
                figure: "\(fmtDuration(ew))/turn (\(fmt(1 / ew, 0)) turns/s)",
                target: "added < 100 µs",
                baseline: "driver \(fmtDuration(dw))/turn (\(fmt(1 / dw, 0))/s); added \(fmtDuration(added)) (×\(fmt(ew / dw, 2)))",
                met: added < 100e-6,
                method: "AgentSession.send + wait for .turnCompleted, \(turns) turns × \(rounds) rounds (median) vs driver: write line, scan bytes for \"type\":\"result\""),
            Row(id: "2", name: "engine turn, host CPU",
                figure: "\(fmtDuration(ec))/turn",
                target: "added < 100 µs",
                baseline: "driver \(fmtDuration(dc))/turn; added \(fmtDuration(ec - dc))",
                met: ec - dc < 100e-6,
                method: "getrusage(RUSAGE_SELF) of the benchmark process over the same runs (all threads)"),
            Row(id: "2", name: "engine turn, context switches",
                figure: "\(fmt(es, 1))/turn", target: "",
                baseline: "driver \(fmt(ds, 1))/turn", met: nil,
                method: "getrusage(RUSAGE_SELF) ru_nvcsw + ru_nivcsw over the same runs (all threads of the benchmark process)"),
        ] + (ProcessInfo.processInfo.environment["PARLEY_BENCH_NO_DECODE"] == nil ? decodeRows(quick: quick) : [])
    }

    static func driverRun(_ bins: Binaries, env: [String: String], cwd: String, turns: Int) -> Sample? {
        guard let child = Child.spawn(bins.fakeClaude, streamJSONArguments, environment: env, cwd: cwd) else { return nil }
        defer { child.closeInput(); child.wait(); child.closeAll() }
        let reader = Reader(child.output)
        // One turn first so that process start is not measured.
        child.write(userLine("warm"))
        while let line = reader.line(timeout: 10), !isResultLine(line) {}
        let lines = (0..<turns).map { Array(userLine("turn \($0)").utf8) }
        let sw0 = contextSwitches(), cpu0 = processCPUSeconds(), t0 = monotonicSeconds()
        for line in lines {
            child.write(line)
            while true {
                guard let out = reader.line(timeout: 10) else { return nil }
                if isResultLine(out) { break }
            }
        }
        let t1 = monotonicSeconds(), cpu1 = processCPUSeconds(), sw1 = contextSwitches()
        return Sample(wallPerTurn: (t1 - t0) / Double(turns), cpuPerTurn: (cpu1 - cpu0) / Double(turns),
                      switchesPerTurn: (sw1 - sw0) / Double(turns))
    }

    static func engineRun(_ bins: Binaries, env: [String: String], cwd: String, turns: Int) -> Sample? {
        let box = ResultBox<Sample>()
        let semaphore = DispatchSemaphore(value: 0)
        Task.detached {
            box.value = await engineRunAsync(bins, env: env, cwd: cwd, turns: turns)
            semaphore.signal()
        }
        semaphore.wait()
        return box.value
    }

    static func engineRunAsync(_ bins: Binaries, env: [String: String], cwd: String, turns: Int) async -> Sample? {
        let configuration = LaunchConfiguration(claudePath: bins.fakeClaude, workingDirectory: cwd, baseEnvironment: env)
        let session = AgentSession(configuration: configuration)
        var events = session.events.makeAsyncIterator()
        func untilTurnEnds() async -> Bool {
            while let event = await events.next() {
                switch event {
                case .turnCompleted: return true
                case .messageNotAnswered, .failed, .closed: return false
                default: continue
                }
            }
            return false
        }
        await session.send("warm")
        guard await untilTurnEnds() else { return nil }
        let sw0 = contextSwitches(), cpu0 = processCPUSeconds(), t0 = monotonicSeconds()
        for i in 0..<turns {
            await session.send("turn \(i)")
            guard await untilTurnEnds() else { return nil }
        }
        let t1 = monotonicSeconds(), cpu1 = processCPUSeconds(), sw1 = contextSwitches()
        await session.terminate()
        while await events.next() != nil {}
        return Sample(wallPerTurn: (t1 - t0) / Double(turns), cpuPerTurn: (cpu1 - cpu0) / Double(turns),
                      switchesPerTurn: (sw1 - sw0) / Double(turns))
    }
}

final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}

// MARK: Decode micro-benchmark

extension EngineBench {
    /// One turn of `fake-claude` (`--include-partial-messages`) as it arrives on stdout, minus the
    /// `initialize` response: lifecycle, `system/init`, status, stream events, assistant, result.
    static let sampleTurn: [[UInt8]] = #"""
{"type":"command_lifecycle","command_uuid":"0d3f5e2c-1111-4222-8333-444455556666","state":"queued","uuid":"5ff02b2f-3ad8-4283-b93f-365d49767589","session_id":"8e878a87-80ea-491b-b164-cc04030df853"}
{"type":"command_lifecycle","command_uuid":"0d3f5e2c-1111-4222-8333-444455556666","state":"started","uuid":"35d280ce-081b-4aa3-93ba-d12767a0eb8a","session_id":"8e878a87-80ea-491b-b164-cc04030df853"}
{"type":"system","subtype":"init","cwd":"/tmp/fc","session_id":"8e878a87-80ea-491b-b164-cc04030df853","tools":["Task","Bash","CronCreate","CronDelete","CronList","Edit","EnterWorktree","ExitWorktree","ListAgents","Monitor","NotebookEdit","Read","ReportFindings","ScheduleWakeup","SendMessage","Skill","TaskStop","ToolSearch","WebFetch","WebSearch","Workflow","Write"],"mcp_servers":[],"model":"claude-opus-5-5","permissionMode":"default","slash_commands":["debug","code-review","simplify","verify","clear","compact","context","cost","init","model","review","security-review","usage"],"terminal_slash_commands":["doctor","color","focus","reload-plugins"],"apiKeySource":"none","claude_code_version":"2.1.331","output_style":"default","agents":["claude","Explore","general-purpose","Plan","statusline-setup"],"skills":["debug","code-review","simplify","verify"],"plugins":[],"capabilities":["interrupt_receipt_v1","interrupt_cancel_queued_v1","interrupt_send_now_v1","msg_lifecycle_v1","request_marker_lists_v1"],"analytics_disabled":true,"product_feedback_disabled":true,"served_by_anthropic":false,"uuid":"c6b02cf3-1651-4c44-8eee-13d3d9b31e2d","sandbox_enabled":false,"original_cwd":"/tmp/fc","additional_directories":[],"fast_mode_state":"off","fast_mode_disabled_reason":"sdk_opt_in_required","view_mode":"default","fake_history_turns":0}
{"type":"system","subtype":"status","status":"requesting","session_id":"8e878a87-80ea-491b-b164-cc04030df853","uuid":"b2ed1e27-9523-4208-a4bb-178119e50ccf"}
{"type":"stream_event","event":{"type":"message_start","message":{"id":"msg_fake_1","type":"message","role":"assistant","model":"claude-opus-5-5","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":5,"output_tokens":1,"cache_creation_input_tokens":0,"cache_read_input_tokens":0}}},"session_id":"8e878a87-80ea-491b-b164-cc04030df853","parent_tool_use_id":null,"uuid":"d90a4cbf-1da7-453a-ab8f-f7f4de0b6f35","ttft_ms":0,"thinking_display":"updates","api_message_id":"msg_fake_1"}
{"type":"stream_event","event":{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}},"session_id":"8e878a87-80ea-491b-b164-cc04030df853","parent_tool_use_id":null,"uuid":"0dd5f58b-96fb-4153-86c9-dcabc3afbd81","api_message_id":"msg_fake_1"}
{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Echo: tu"}},"session_id":"8e878a87-80ea-491b-b164-cc04030df853","parent_tool_use_id":null,"uuid":"e53db525-fdd0-413e-809f-af75c6e564d9","api_message_id":"msg_fake_1"}
{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"rn 1"}},"session_id":"8e878a87-80ea-491b-b164-cc04030df853","parent_tool_use_id":null,"uuid":"f985a012-f38a-45cb-af8a-7342c8fdc2f3","api_message_id":"msg_fake_1"}
{"type":"assistant","message":{"id":"msg_fake_1","type":"message","role":"assistant","model":"claude-opus-5-5","content":[{"type":"text","text":"Echo: turn 1"}],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":5,"output_tokens":1,"cache_creation_input_tokens":0,"cache_read_input_tokens":0},"context_management":null},"parent_tool_use_id":null,"session_id":"8e878a87-80ea-491b-b164-cc04030df853","uuid":"8819398f-573a-45bd-9282-966ab5fac2a9","timestamp":"2026-11-24T23:36:56.965Z","request_id":"req_fake_1","user_message_uuid":"0d3f5e2c-1111-4222-8333-444455556666","user_message_uuids":["0d3f5e2c-1111-4222-8333-444455556666"]}
{"type":"stream_event","event":{"type":"content_block_stop","index":0},"session_id":"8e878a87-80ea-491b-b164-cc04030df853","parent_tool_use_id":null,"uuid":"1e8ffe97-2d9f-413c-a8dc-bf0aa34c5b1b","api_message_id":"msg_fake_1"}
{"type":"stream_event","event":{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":7}},"session_id":"8e878a87-80ea-491b-b164-cc04030df853","parent_tool_use_id":null,"uuid":"38c24dad-0755-46db-84e3-040616796240","api_message_id":"msg_fake_1"}
{"type":"stream_event","event":{"type":"message_stop"},"session_id":"8e878a87-80ea-491b-b164-cc04030df853","parent_tool_use_id":null,"uuid":"84afa0a7-ccde-46a0-97a7-6f053078a218","api_message_id":"msg_fake_1"}
{"duration_api_ms":1,"stop_reason":"end_turn","session_id":"8e878a87-80ea-491b-b164-cc04030df853","total_cost_usd":0.00016,"usage":{"input_tokens":5,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":7,"output_tokens_details":{"thinking_tokens":0},"server_tool_use":{"web_search_requests":0,"web_fetch_requests":0},"service_tier":"standard","cache_creation":{"ephemeral_1h_input_tokens":0,"ephemeral_5m_input_tokens":0},"inference_geo":"","iterations":[],"speed":"standard","fallback_credit":null},"modelUsage":{"claude-opus-5-5":{"inputTokens":5,"outputTokens":7,"cacheReadInputTokens":0,"cacheCreationInputTokens":0,"webSearchRequests":0,"costUSD":0.00016,"contextWindow":1000000,"maxOutputTokens":128000,"thinkingTokens":0,"cacheCreationEphemeral5mInputTokens":0,"cacheCreationEphemeral1hInputTokens":0,"canonicalModel":"claude-opus-5-5","provider":"firstParty","costBasis":"list"}},"permission_denials":[],"terminal_reason":"completed","fast_mode_state":"off","fast_mode_disabled_reason":"sdk_opt_in_required","subagent_stats":{"spawned":0,"requested":{"background":0,"foreground":0,"unset":0},"started_in_background":0,"max_depth":0,"spawned_by_subagents":0,"completed":0,"failed":0,"killed":{"parent":0,"user":0,"system":0},"refused":{"depth_limit":0,"concurrency_limit":0,"budget":0},"by_type":{}},"safety_stops":0,"is_error":false,"num_turns":1,"subtype":"success","api_error_status":null,"result":"Echo: turn 1","ttft_ms":0,"type":"result","duration_ms":0,"uuid":"36b72afe-d7d7-4a12-89e7-2c3d5c22ec45","begun_message_ids":["msg_fake_1"],"ttft_stream_ms":0,"time_to_request_ms":0,"first_content_frame_ms":0,"user_message_uuid":"0d3f5e2c-1111-4222-8333-444455556666","user_message_uuids":["0d3f5e2c-1111-4222-8333-444455556666"],"queued_turn_count":0,"result_index":0,"model_usage_since_last_result":{"claude-opus-5-5":{"inputTokens":5,"outputTokens":7,"cacheReadInputTokens":0,"cacheCreationInputTokens":0,"webSearchRequests":0,"costUSD":0.00016,"contextWindow":1000000,"maxOutputTokens":128000,"thinkingTokens":0,"cacheCreationEphemeral5mInputTokens":0,"cacheCreationEphemeral1hInputTokens":0,"canonicalModel":"claude-opus-5-5","provider":"firstParty","costBasis":"list"}}}
{"type":"command_lifecycle","command_uuid":"0d3f5e2c-1111-4222-8333-444455556666","state":"completed","uuid":"e09ca125-d0b9-477b-92dc-5ca8338d899c","session_id":"8e878a87-80ea-491b-b164-cc04030df853"}
"""#.split(separator: "\n").map { Array($0.utf8) }

    /// The most frequent line of a long reply: one 8-byte text delta.
    static let sampleDelta = Array(#"{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"lorem ip"}},"session_id":"8e878a87-80ea-491b-b164-cc04030df853","parent_tool_use_id":null,"uuid":"e53db525-fdd0-413e-809f-af75c6e564d9","api_message_id":"msg_fake_1"}"#.utf8)

    /// Best-of-`rounds` seconds per call of `body` (run `count` times per round).
    static func timePerCall(rounds: Int, count: Int, _ body: () -> Void) -> Double {
        var best = Double.infinity
        for _ in 0..<rounds {
            let t0 = monotonicSeconds()
            for _ in 0..<count { body() }
            best = min(best, (monotonicSeconds() - t0) / Double(count))
        }
        return best
    }

    /// (2, in process) What the protocol layer costs per line and per turn, without processes or actors.
    static func decodeRows(quick: Bool) -> [Row] {
        let decoder = MessageDecoder()
        let rounds = quick ? 3 : 7
        var sink = 0
        let perDelta = timePerCall(rounds: rounds, count: quick ? 100_000 : 400_000) {
            if case .success = decoder.decode(sampleDelta) { sink &+= 1 }
        }
        let perTurn = timePerCall(rounds: rounds, count: quick ? 2_000 : 8_000) {
            for line in sampleTurn { if case .success = decoder.decode(line) { sink &+= 1 } }
        }
        var counter = 0
        let perUserLine = timePerCall(rounds: rounds, count: quick ? 20_000 : 80_000) {
            counter += 1
            sink &+= OutgoingMessage.user(text: "turn \(counter)", uuid: "0d3f5e2c-1111-4222-8333-444455556666").encodedLine().count
        }
        precondition(sink != 42)
        let turnBytes = sampleTurn.reduce(0) { $0 + $1.count + 1 }
        return [
            Row(id: "2", name: "decode: text-delta line", figure: "\(fmt(perDelta * 1e9, 0)) ns/line", target: "", baseline: "",
                met: nil, method: "MessageDecoder.decode of one \(sampleDelta.count)-byte content_block_delta/text_delta line; best of \(rounds)"),
            Row(id: "2", name: "decode: one fake-claude turn", figure: "\(fmtDuration(perTurn))/turn", target: "", baseline: "",
                met: nil, method: "MessageDecoder.decode of the \(sampleTurn.count) lines (\(turnBytes) bytes) of one turn; best of \(rounds)"),
            Row(id: "2", name: "encode: user line", figure: "\(fmt(perUserLine * 1e9, 0)) ns/line", target: "", baseline: "",
                met: nil, method: "OutgoingMessage.user(…).encodedLine(); best of \(rounds)"),
        ]
    }

    /// For callgrind (`parley-bench --profile-decode`): the decode loops alone.
    static func profileDecode() {
        let decoder = MessageDecoder()
        var sink = 0
        for _ in 0..<100_000 { if case .success = decoder.decode(sampleDelta) { sink &+= 1 } }
        for _ in 0..<1_000 { for line in sampleTurn { if case .success = decoder.decode(line) { sink &+= 1 } } }
        for i in 0..<1_000 { sink &+= OutgoingMessage.user(text: "turn \(i)", uuid: "u").encodedLine().count }
        print("decoded \(sink)")
    }
}
