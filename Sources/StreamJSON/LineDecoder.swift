/// Route-first decoding of one stdout line into an ``IncomingMessage``.
///
/// The full-tree path (``JSONParser`` then ``MessageDecoder/message(from:)``) builds a
/// dictionary for every object of a line and a `String` for every key and string in it,
/// though a typed message keeps a handful of fields. This instead validates the whole line
/// once without building anything (the same checks as ``JSONParser``, so a malformed line is
/// still refused), notes where each top-level member is, reads `type`, and then builds only
/// what the typed message holds: a few strings and numbers, and a full ``JSONValue`` only
/// where the public API exposes one (tool inputs, `other` cases).
///
/// ``decode(_:)`` returns nil for every line it leaves to the full-tree path: a malformed
/// line or a non-object (which then fails there exactly as before), and the rarer message
/// types, whose mapping is not duplicated here. For the lines it does decode, the result is
/// the full-tree result; tests compare both on every fixture line and on edge cases:
/// - a duplicate key keeps its last value (lookups search the members from the end);
/// - key order does not matter and unknown members are skipped (but validated);
/// - keys and type names are compared as decoded text: raw bytes when there is no escape,
///   the decoded string otherwise. Byte equality is `String` equality for these names:
///   none contains `K`, `;` or `` ` ``, the only ASCII characters that a non-ASCII one
///   (U+212A, U+037E, U+1FEF) is canonically equivalent to.
struct LineDecoder {
    private let bytes: UnsafeBufferPointer<UInt8>

    private init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// The message on this line, or nil to leave the line to the full-tree path.
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> IncomingMessage? {
        let decoder = LineDecoder(bytes)
        var parser = JSONParser(bytes)
        parser.skipWhitespace()
        guard parser.index < bytes.count, bytes[parser.index] == UInt8(ascii: "{") else { return nil }
        return decoder.withMembers(at: parser.index, wholeLine: true) { line in decoder.message(line) } ?? nil
    }

    // MARK: Objects

    /// Where one member of an object is (key bounds without the quotes).
    private struct Member {
        var keyStart: Int
        var keyEnd: Int
        var valueStart: Int
        var keyEscaped: Bool
    }

    /// The members of one object of the line, in order.
    private struct Object {
        let members: UnsafeBufferPointer<Member>
    }

    private static let inlineMembers = 24

    /// Scans the object at `start` and calls `body` with its members; nil when the bytes there
    /// are not a valid object (or, with `wholeLine`, when anything but whitespace follows it).
    private func withMembers<R>(at start: Int, wholeLine: Bool = false, _ body: (Object) -> R) -> R? {
        withUnsafeTemporaryAllocation(of: Member.self, capacity: Self.inlineMembers) { inline -> R? in
            var count = 0
            var parser = JSONParser(bytes, at: start)
            do {
                try parser.scanMembers { keyStart, keyEnd, escaped, valueStart in
                    if count < inline.count {
                        (inline.baseAddress! + count).initialize(to: Member(
                            keyStart: keyStart, keyEnd: keyEnd, valueStart: valueStart, keyEscaped: escaped))
                    }
                    count += 1
                }
            } catch {
                return nil
            }
            if wholeLine {
                parser.skipWhitespace()
                guard parser.index == bytes.count else { return nil }
            }
            if count <= inline.count {
                return body(Object(members: UnsafeBufferPointer(rebasing: inline[..<count])))
            }
            // More members than fit on the stack: list them all again, on the heap.
            var all: [Member] = []
            all.reserveCapacity(count)
            var again = JSONParser(bytes, at: start)
            guard (try? again.scanMembers({ keyStart, keyEnd, escaped, valueStart in
                all.append(Member(keyStart: keyStart, keyEnd: keyEnd, valueStart: valueStart, keyEscaped: escaped))
            })) != nil else { return nil }
            return all.withUnsafeBufferPointer { body(Object(members: $0)) }
        }
    }

    /// `body` with the members of the object at `position`; nil when there is none there.
    private func withObject<R>(_ position: Int?, _ body: (Object) -> R) -> R? {
        guard let position, bytes[position] == UInt8(ascii: "{") else { return nil }
        return withMembers(at: position, body)
    }

    /// Where the value of `key` starts; the last one when the key repeats.
    private func find(_ key: StaticString, in object: Object) -> Int? {
        var i = object.members.count - 1
        while i >= 0 {
            let member = object.members[i]
            if keyMatches(member, key) { return member.valueStart }
            i -= 1
        }
        return nil
    }

    private func keyMatches(_ member: Member, _ key: StaticString) -> Bool {
        if member.keyEscaped {
            var parser = JSONParser(bytes, at: member.keyStart - 1)
            guard let decoded = try? parser.string() else { return false }
            return decoded.utf8.elementsEqual(UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
        }
        let count = key.utf8CodeUnitCount
        guard member.keyEnd - member.keyStart == count else { return false }
        let name = key.utf8Start
        var i = 0
        while i < count {
            if bytes[member.keyStart + i] != name[i] { return false }
            i += 1
        }
        return true
    }

    // MARK: Values (of a validated line, so reading them cannot fail)

    /// True when the value at `position` is the string `text`.
    private func isString(_ position: Int?, _ text: StaticString) -> Bool {
        guard let position, bytes[position] == UInt8(ascii: "\"") else { return false }
        let count = text.utf8CodeUnitCount
        let name = text.utf8Start
        var i = 0
        while i < count {
            let byte = bytes[position + 1 + i]
            if byte != name[i] {
                // An escape may still decode to the same text.
                return byte == UInt8(ascii: "\\") && string(position)?.utf8.elementsEqual(
                    UnsafeBufferPointer(start: name, count: count)) == true
            }
            i += 1
        }
        // An escape decodes to at least one character, so anything but the quote means longer.
        return bytes[position + 1 + count] == UInt8(ascii: "\"")
    }

    private func string(_ position: Int?) -> String? {
        guard let position, bytes[position] == UInt8(ascii: "\"") else { return nil }
        var parser = JSONParser(bytes, at: position)
        return try? parser.string()
    }

    private func double(_ position: Int?) -> Double? {
        guard let position else { return nil }
        let byte = bytes[position]
        guard byte == UInt8(ascii: "-") || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) else { return nil }
        var parser = JSONParser(bytes, at: position)
        return try? parser.number()
    }

    /// As ``JSONValue/intValue``.
    private func int(_ position: Int?) -> Int? {
        double(position).flatMap(JSONValue.truncatedInt)
    }

    private func bool(_ position: Int?) -> Bool? {
        guard let position else { return nil }
        switch bytes[position] {
        case UInt8(ascii: "t"): return true
        case UInt8(ascii: "f"): return false
        default: return nil
        }
    }

    private func isNull(_ position: Int) -> Bool {
        bytes[position] == UInt8(ascii: "n")
    }

    /// The whole value at `position`, as the full-tree path builds it.
    private func value(_ position: Int) -> JSONValue {
        var parser = JSONParser(bytes, at: position)
        return (try? parser.value()) ?? .null
    }

    /// Calls `body` with where each element of the array at `position` starts; false when
    /// there is no array there.
    private func forEachElement(_ position: Int?, _ body: (Int) -> Void) -> Bool {
        guard let position, bytes[position] == UInt8(ascii: "[") else { return false }
        var parser = JSONParser(bytes, at: position + 1)
        parser.skipWhitespace()
        if bytes[parser.index] == UInt8(ascii: "]") { return true }
        while true {
            parser.skipWhitespace()
            body(parser.index)
            guard (try? parser.skipValue()) != nil else { return true }
            parser.skipWhitespace()
            guard parser.index < bytes.count, bytes[parser.index] == UInt8(ascii: ",") else { return true }
            parser.index += 1
        }
    }

    /// As `arrayValue?.compactMap(\.stringValue)`.
    private func strings(_ position: Int?) -> [String]? {
        var result: [String] = []
        let isArray = forEachElement(position) { element in
            if let text = string(element) { result.append(text) }
        }
        return isArray ? result : nil
    }

    // MARK: Messages

    private func message(_ line: Object) -> IncomingMessage? {
        let type = find("type", in: line)
        if isString(type, "stream_event") { return .streamEvent(streamEvent(line)) }
        if isString(type, "command_lifecycle") {
            return .commandLifecycle(CommandLifecycle(
                commandUUID: string(find("command_uuid", in: line)) ?? "", state: string(find("state", in: line)) ?? ""))
        }
        if isString(type, "system") { return system(line).map(IncomingMessage.system) }
        if isString(type, "assistant") { return .assistant(assistant(line)) }
        if isString(type, "user") { return .user(user(line)) }
        if isString(type, "result") { return .result(result(line)) }
        return nil
    }

    /// The frequent subtypes; nil for the others.
    private func system(_ line: Object) -> SystemMessage? {
        let subtype = find("subtype", in: line)
        if isString(subtype, "init") {
            guard let sessionID = string(find("session_id", in: line)) else { return nil }
            return .initialized(SessionInit(
                sessionID: sessionID,
                model: string(find("model", in: line)) ?? "",
                permissionMode: string(find("permissionMode", in: line)),
                tools: strings(find("tools", in: line)) ?? [],
                cwd: string(find("cwd", in: line)),
                slashCommands: strings(find("slash_commands", in: line)) ?? [],
                claudeCodeVersion: string(find("claude_code_version", in: line))))
        }
        if isString(subtype, "status") {
            return .status(SessionStatus(
                status: string(find("status", in: line)), permissionMode: string(find("permissionMode", in: line))))
        }
        if isString(subtype, "session_state_changed") {
            return .sessionStateChanged(state: string(find("state", in: line)) ?? "")
        }
        return nil
    }

    private func streamEvent(_ line: Object) -> StreamEvent {
        guard let eventStart = find("event", in: line) else { return .other(type: nil, raw: .null) }
        return withObject(eventStart) { event in streamEvent(event, at: eventStart, line: line) }
            ?? .other(type: nil, raw: value(eventStart))
    }

    private func streamEvent(_ event: Object, at eventStart: Int, line: Object) -> StreamEvent {
        let type = find("type", in: event)
        if isString(type, "content_block_delta") {
            let delta = withObject(find("delta", in: event)) { delta -> ContentDelta in
                let deltaType = find("type", in: delta)
                if isString(deltaType, "text_delta") { return .text(string(find("text", in: delta)) ?? "") }
                if isString(deltaType, "thinking_delta") { return .thinking(string(find("thinking", in: delta)) ?? "") }
                if isString(deltaType, "input_json_delta") {
                    return .inputJSON(string(find("partial_json", in: delta)) ?? "")
                }
                if isString(deltaType, "signature_delta") { return .signature }
                return .other(string(deltaType) ?? "")
            }
            return .contentBlockDelta(index: int(find("index", in: event)) ?? 0, delta: delta ?? .other(""))
        }
        if isString(type, "message_start") {
            let id = withObject(find("message", in: event)) { message in string(find("id", in: message)) }
            return .messageStart(messageID: id ?? nil)
        }
        if isString(type, "content_block_start") {
            let kind = withObject(find("content_block", in: event)) { block -> StreamedBlockKind in
                let blockType = find("type", in: block)
                if isString(blockType, "text") { return .text }
                if isString(blockType, "thinking") || isString(blockType, "redacted_thinking") { return .thinking }
                if isString(blockType, "tool_use") || isString(blockType, "server_tool_use") {
                    return .toolUse(id: string(find("id", in: block)) ?? "", name: string(find("name", in: block)) ?? "")
                }
                return .other(string(blockType) ?? "")
            }
            return .contentBlockStart(index: int(find("index", in: event)) ?? 0, block: kind ?? .other(""))
        }
        if isString(type, "content_block_stop") {
            return .contentBlockStop(index: int(find("index", in: event)) ?? 0)
        }
        if isString(type, "message_delta") {
            let stop = withObject(find("delta", in: event)) { delta in string(find("stop_reason", in: delta)) }
            return .messageDelta(stopReason: stop ?? nil)
        }
        if isString(type, "message_stop") {
            // `abandoned_blocks` is on the stream_event line itself, beside `event`.
            let marker = find("abandoned_blocks", in: line) ?? find("abandoned_blocks", in: event)
            return .messageStop(abandoned: marker.map { !isNull($0) } ?? false)
        }
        return .other(type: string(type), raw: value(eventStart))
    }

    private func contentBlocks(_ position: Int?) -> [ContentBlock] {
        guard let position else { return [] }
        if bytes[position] == UInt8(ascii: "\"") { return [.text(string(position) ?? "")] }
        var blocks: [ContentBlock] = []
        _ = forEachElement(position) { element in blocks.append(contentBlock(element)) }
        return blocks
    }

    private func contentBlock(_ position: Int) -> ContentBlock {
        withObject(position) { block -> ContentBlock in
            let type = find("type", in: block)
            if isString(type, "text") { return .text(string(find("text", in: block)) ?? "") }
            if isString(type, "thinking") { return .thinking(string(find("thinking", in: block)) ?? "") }
            if isString(type, "tool_use") || isString(type, "server_tool_use") {
                return .toolUse(ToolUse(
                    id: string(find("id", in: block)) ?? "", name: string(find("name", in: block)) ?? "",
                    input: find("input", in: block).map(value) ?? .object([:])))
            }
            if isString(type, "tool_result") {
                return .toolResult(ToolResult(
                    toolUseID: string(find("tool_use_id", in: block)) ?? "",
                    content: MessageDecoder.flattenedText(find("content", in: block).map(value)),
                    isError: bool(find("is_error", in: block)) ?? false))
            }
            return .other(type: string(type) ?? "", raw: value(position))
        } ?? .other(type: "", raw: value(position))
    }

    private func assistant(_ line: Object) -> AssistantMessage {
        var message = AssistantMessage(
            messageID: nil, model: nil, content: [], error: string(find("error", in: line)),
            parentToolUseID: string(find("parent_tool_use_id", in: line)))
        _ = withObject(find("message", in: line)) { body in
            message.messageID = string(find("id", in: body))
            message.model = string(find("model", in: body))
            message.content = contentBlocks(find("content", in: body))
        }
        return message
    }

    private func user(_ line: Object) -> UserMessage {
        let content = withObject(find("message", in: line)) { body in contentBlocks(find("content", in: body)) }
        return UserMessage(
            content: content ?? [],
            isReplay: bool(find("isReplay", in: line)) ?? false,
            uuid: string(find("uuid", in: line)),
            parentToolUseID: string(find("parent_tool_use_id", in: line)))
    }

    private func result(_ line: Object) -> TurnResult {
        let tokens: (input: Int, output: Int) = withObject(find("usage", in: line)) { usage -> (input: Int, output: Int) in
            let input = TurnResult.saturatingSum(
                int(find("input_tokens", in: usage)), int(find("cache_read_input_tokens", in: usage)),
                int(find("cache_creation_input_tokens", in: usage)))
            return (input, int(find("output_tokens", in: usage)) ?? 0)
        } ?? (0, 0)
        return TurnResult(
            subtype: string(find("subtype", in: line)) ?? "",
            isError: bool(find("is_error", in: line)) ?? false,
            text: string(find("result", in: line)),
            stopReason: string(find("stop_reason", in: line)),
            terminalReason: string(find("terminal_reason", in: line)),
            numberOfTurns: int(find("num_turns", in: line)) ?? 0,
            durationMilliseconds: double(find("duration_ms", in: line)) ?? 0,
            apiDurationMilliseconds: double(find("duration_api_ms", in: line)) ?? 0,
            totalCostUSD: double(find("total_cost_usd", in: line)) ?? 0,
            inputTokens: tokens.input,
            outputTokens: tokens.output,
            sessionID: string(find("session_id", in: line)),
            userMessageUUIDs: strings(find("user_message_uuids", in: line)) ?? [],
            errors: strings(find("errors", in: line)) ?? [],
            apiErrorStatus: int(find("api_error_status", in: line)))
    }
}
