import Foundation
import StreamJSON
import Synchronization
import Testing
@testable import AgentSession

/// Typed control requests: what goes out, what the answers mean, and the bookkeeping.
@Suite struct ControlRequestTests {
    /// The line written for `request`, parsed back.
    static func written<R: ControlRequest>(_ request: R) throws -> JSONValue {
        var client = ControlRequestClient()
        let (id, line) = client.begin(request.body, completion: nil)
        #expect(line.last == UInt8(ascii: "\n") && !line.dropLast().contains(UInt8(ascii: "\n")))
        let json = try JSONValue.parse(line)
        #expect(json["type"] == "control_request")
        #expect(json["request_id"]?.stringValue == id)
        return json["request"] ?? .null
    }

    @Test func requestsAreEncodedAsTheCLIExpects() throws {
        #expect(try Self.written(InitializeRequest()) == ["subtype": "initialize", "hooks": nil])
        #expect(try Self.written(InterruptRequest()) == ["subtype": "interrupt"])
        #expect(try Self.written(SetModelRequest(model: "opus")) == ["subtype": "set_model", "model": "opus"])
        #expect(try Self.written(SetModelRequest(model: nil)) == ["subtype": "set_model", "model": nil])
        #expect(try Self.written(SetPermissionModeRequest(mode: "plan")) == ["subtype": "set_permission_mode", "mode": "plan"])
        #expect(try Self.written(GetContextUsageRequest()) == ["subtype": "get_context_usage"])
        #expect(try Self.written(RewindFilesRequest(userMessageID: "u-1", dryRun: true))
            == ["subtype": "rewind_files", "user_message_id": "u-1", "dry_run": true])
        #expect(try Self.written(RewindFilesRequest(userMessageID: "u-1", dryRun: false))
            == ["subtype": "rewind_files", "user_message_id": "u-1"])
        #expect(try Self.written(RewindConversationRequest(targetMessageID: "u-2", lastSeenMessageID: "u-3"))
            == ["subtype": "rewind_conversation", "target_message_uuid": "u-2", "last_seen_user_message_uuid": "u-3"])
        #expect(try Self.written(RewindConversationRequest(targetMessageID: "u-2", lastSeenMessageID: nil))
            == ["subtype": "rewind_conversation", "target_message_uuid": "u-2"])
        #expect(try Self.written(SideQuestionRequest(question: "why?")) == ["subtype": "side_question", "question": "why?"])
        #expect(try SideQuestionRequest(question: "why?").decode(["response": "because", "synthetic": false]) == "because")
        #expect(throws: SessionError.self) { try SideQuestionRequest(question: "why?").decode(["synthetic": true]) }
    }

    @Test func answersAreDecoded() throws {
        let capabilities = try InitializeRequest().decode(try JSONValue.parse(Data(#"""
            {"commands":[{"name":"compact"},{"name":"cost"}],"models":[{"value":"sonnet"}],
             "claude_code_version":"2.1.331","current_permission_mode":"default"}
            """#.utf8)))
        var expected = SessionCapabilities(commands: ["compact", "cost"], models: ["sonnet"],
                                           claudeCodeVersion: "2.1.331", permissionMode: "default")
        expected.commandDetails = [.init(name: "compact", description: "", argumentHint: ""),
                                   .init(name: "cost", description: "", argumentHint: "")]
        #expect(capabilities == expected)
        #expect(try SetModelRequest(model: "opus").decode(["model": "claude-opus-5-5"]) == "claude-opus-5-5")
        #expect(try SetModelRequest(model: nil).decode([:]) == "default")
        #expect(try SetPermissionModeRequest(mode: "plan").decode(["mode": "plan"]) == "plan")
        let usage = try GetContextUsageRequest().decode(try JSONValue.parse(Data(#"""
            {"categories":[{"id":"system","name":"System prompt","tokens":3100,"kind":"used"},
                           {"id":"free","name":"Free space","tokens":190000,"kind":"free"}],
             "totalTokens":10000,"maxTokens":200000,"percentage":5,"gridRows":[]}
            """#.utf8)))
        #expect(usage == ContextUsage(totalTokens: 10000, maxTokens: 200_000, percentage: 5, categories: [
            .init(name: "System prompt", tokens: 3100, kind: "used"), .init(name: "Free space", tokens: 190_000, kind: "free"),
        ]))
        let receipt = try RewindFilesRequest(userMessageID: "u", dryRun: true).decode(try JSONValue.parse(Data(#"""
            {"canRewind":true,"filesChanged":["/tmp/a.txt"],"insertions":3,"deletions":1}
            """#.utf8)))
        #expect(receipt == RewindFilesReceipt(canRewind: true, filesChanged: ["/tmp/a.txt"], insertions: 3, deletions: 1))
        let rewind = RewindConversationRequest(targetMessageID: "u", lastSeenMessageID: nil)
        #expect(try rewind.decode(["rewound": true, "targetMessageUuid": "u", "prefillText": "two"]) == "two")
        #expect(throws: SessionError.unexpectedControlResponse(subtype: "rewind_conversation", detail: "not rewound: stale_target")) {
            try rewind.decode(["rewound": false, "reason": "stale_target"])
        }
    }

    /// `list_models` as the real CLI 2.1.331 answers it (one model of five).
    @Test func theModelCatalogIsDecoded() throws {
        #expect(try Self.written(ListModelsRequest()) == ["subtype": "list_models"])
        let models = try ListModelsRequest().decode(try JSONValue.parse(Data(#"""
            {"models":[{"value":"sonnet","resolvedModel":"claude-sonnet-5-5","displayName":"Sonnet",
                        "description":"Sonnet 5.5 · Efficient for routine tasks · $2/$10 per Mtok","supportsEffort":true,
                        "supportedEffortLevels":["low","medium","high","xhigh","max"],"supportsAdaptiveThinking":true},
                       {"displayName":"no value: left out"},
                       {"value":"custom-model"}]}
            """#.utf8)))
        #expect(models == [
            ModelOption(value: "sonnet", resolvedModel: "claude-sonnet-5-5", displayName: "Sonnet",
                        description: "Sonnet 5.5 · Efficient for routine tasks · $2/$10 per Mtok",
                        effortLevels: ["low", "medium", "high", "xhigh", "max"]),
            ModelOption(value: "custom-model", displayName: "custom-model"),
        ])
        #expect(throws: SessionError.unexpectedControlResponse(subtype: "list_models", detail: "no models")) {
            try ListModelsRequest().decode(["error": "nope"])
        }
    }

    @Test func anAnswerThatDoesNotFitIsATypedError() {
        #expect(throws: SessionError.unexpectedControlResponse(subtype: "get_context_usage", detail: "no totalTokens/maxTokens")) {
            try GetContextUsageRequest().decode(["percentage": 5])
        }
        #expect(throws: SessionError.unexpectedControlResponse(subtype: "rewind_files", detail: "no canRewind")) {
            try RewindFilesRequest(userMessageID: "u", dryRun: true).decode([:])
        }
    }

    /// Collects the outcome a completion was given.
    final class Outcomes: Sendable {
        let results = Mutex<[String: Result<JSONValue, SessionError>]>([:])
        func completion(_ name: String) -> ControlRequestClient.Completion {
            { result in self.results.withLock { $0[name] = result } }
        }
        subscript(name: String) -> Result<JSONValue, SessionError>? { results.withLock { $0[name] } }
    }

    @Test func answersReachTheirCallerOnceAndUnknownIdsAreIgnored() {
        var client = ControlRequestClient()
        let outcomes = Outcomes()
        let (modelID, _) = client.begin(SetModelRequest(model: "opus").body, completion: outcomes.completion("model"))
        let (modeID, _) = client.begin(SetPermissionModeRequest(mode: "x").body, completion: outcomes.completion("mode"))
        #expect(modelID != modeID)
        #expect(client.resolve(ControlResponse(requestID: "unknown", outcome: .success(.null))) == nil)
        #expect(client.resolve(ControlResponse(requestID: modelID, outcome: .success(["model": "m"])))?.subtype == "set_model")
        #expect(outcomes["model"] == .success(["model": "m"]))
        // A second answer for the same id finds nobody waiting.
        #expect(client.resolve(ControlResponse(requestID: modelID, outcome: .success(.null))) == nil)
        _ = client.resolve(ControlResponse(requestID: modeID, outcome: .error(message: "invalid", code: "invalid_mode")))
        #expect(outcomes["mode"] == .failure(.controlRequestFailed(subtype: "set_permission_mode", message: "invalid", code: "invalid_mode")))
        #expect(!client.isPending(modelID) && !client.isPending(modeID))
    }

    @Test func deadlinesAndAnExitFailWhatWaits() {
        var client = ControlRequestClient()
        let outcomes = Outcomes()
        let (late, _) = client.begin(GetContextUsageRequest().body, completion: outcomes.completion("late"))
        let (cut, _) = client.begin(RewindFilesRequest(userMessageID: "u", dryRun: true).body, completion: outcomes.completion("cut"))
        _ = client.begin(InitializeRequest().body, completion: nil)
        #expect(client.awaitsInitialize)
        #expect(client.timeOut(late) { .controlRequestTimedOut(subtype: $0, after: .seconds(1)) })
        #expect(!client.timeOut(late) { .controlRequestTimedOut(subtype: $0, after: .seconds(1)) })
        #expect(outcomes["late"] == .failure(.controlRequestTimedOut(subtype: "get_context_usage", after: .seconds(1))))
        client.failAll()
        #expect(outcomes["cut"] == .failure(.noResponse(subtype: "rewind_files")))
        #expect(!client.awaitsInitialize && !client.isPending(cut))
    }
}
