import Foundation

/// A line Parley writes to the CLI's stdin.
///
/// ``encodedLine()`` always produces exactly one line of valid JSON ending in `\n`, whatever
/// the text holds (newlines, quotes, control characters, emoji): one malformed stdin line
/// kills the CLI, so nothing else may ever be written.
public enum OutgoingMessage: Sendable, Equatable {
    /// A user turn. `uuid` lets results be matched to the message that caused them; `extras`
    /// adds images or makes it a record-only line (``UserMessageExtras``).
    case user(text: String, uuid: String, extras: UserMessageExtras = .none)
    /// A command to the CLI, answered by a `control_response` with the same id.
    case controlRequest(requestID: String, ControlRequestBody)
    /// An answer to a `can_use_tool` request.
    case permissionResponse(requestID: String, PermissionDecision)
    /// An error answer to a control request from the CLI that Parley cannot serve.
    case controlErrorResponse(requestID: String, message: String)

    /// The JSON object for this line.
    public var json: JSONValue {
        switch self {
        case .user(let text, let uuid, let extras):
            var object: [String: JSONValue] = [
                "type": "user",
                "message": ["role": "user", "content": Self.content(text: text, images: extras.images)],
                "parent_tool_use_id": nil,
                "uuid": .string(uuid),
            ]
            if !extras.asksForReply { object["shouldQuery"] = false }
            return .object(object)
        case .controlRequest(let id, let body):
            return ["type": "control_request", "request_id": .string(id), "request": body.json]
        case .permissionResponse(let id, let decision):
            return [
                "type": "control_response",
                "response": ["subtype": "success", "request_id": .string(id), "response": decision.json],
            ]
        case .controlErrorResponse(let id, let message):
            return [
                "type": "control_response",
                "response": ["subtype": "error", "request_id": .string(id), "error": .string(message)],
            ]
        }
    }

    /// The bytes to write: compact JSON plus `\n`.
    public func encodedLine() -> Data {
        if case .user(let text, let uuid, let extras) = self { return Self.userLine(text: text, uuid: uuid, extras: extras) }
        var data = (try? Self.encoder.encode(json)) ?? Data("{}".utf8)
        data.append(UInt8(ascii: "\n"))
        return data
    }

    /// `content` of a user message: the plain string, or the text block then the image blocks.
    static func content(text: String, images: [ImageAttachment]) -> JSONValue {
        guard !images.isEmpty else { return .string(text) }
        let imageBlocks: [JSONValue] = images.map { image in
            ["type": "image",
             "source": ["type": "base64", "media_type": .string(image.mediaType), "data": .string(image.base64Data)]]
        }
        return .array([["type": "text", "text": .string(text)]] + imageBlocks)
    }

    /// A user turn, written directly: the bytes `JSONEncoder` produces for ``json`` (sorted
    /// keys, slashes unescaped), without building the tree or going through `Codable`.
    static func userLine(text: String, uuid: String, extras: UserMessageExtras = .none) -> Data {
        var bytes: [UInt8] = []
        let imageBytes = extras.images.reduce(0) { $0 + $1.base64Data.utf8.count + 96 }
        bytes.reserveCapacity(text.utf8.count + uuid.utf8.count + imageBytes + 128)
        if extras.images.isEmpty {
            bytes.append(contentsOf: #"{"message":{"content":""#.utf8)
            appendEscaped(text, to: &bytes)
            bytes.append(contentsOf: #"","role":"user"}"#.utf8)
        } else {
            bytes.append(contentsOf: #"{"message":{"content":[{"text":""#.utf8)
            appendEscaped(text, to: &bytes)
            bytes.append(contentsOf: #"","type":"text"}"#.utf8)
            for image in extras.images {
                bytes.append(contentsOf: #",{"source":{"data":""#.utf8)
                appendEscaped(image.base64Data, to: &bytes)
                bytes.append(contentsOf: #"","media_type":""#.utf8)
                appendEscaped(image.mediaType, to: &bytes)
                bytes.append(contentsOf: #"","type":"base64"},"type":"image"}"#.utf8)
            }
            bytes.append(contentsOf: #"],"role":"user"}"#.utf8)
        }
        bytes.append(contentsOf: #","parent_tool_use_id":null,"#.utf8)
        if !extras.asksForReply { bytes.append(contentsOf: #""shouldQuery":false,"#.utf8) }
        bytes.append(contentsOf: #""type":"user","uuid":""#.utf8)
        appendEscaped(uuid, to: &bytes)
        bytes.append(contentsOf: "\"}\n".utf8)
        return Data(bytes)
    }

    /// Appends `text` as the inside of a JSON string, escaped as `JSONEncoder` does: `\"`,
    /// `\\`, the short forms `\b \f \n \r \t`, other control characters as `\u00xx`
    /// (lowercase hex); everything else, `/` and non-ASCII included, as is.
    static func appendEscaped(_ text: String, to bytes: inout [UInt8]) {
        var text = text
        text.withUTF8 { utf8 in
            var runStart = 0
            for (i, byte) in utf8.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i]))
                runStart = i + 1
                switch byte {
                case UInt8(ascii: "\""): bytes.append(contentsOf: #"\""#.utf8)
                case UInt8(ascii: "\\"): bytes.append(contentsOf: #"\\"#.utf8)
                case 0x08: bytes.append(contentsOf: #"\b"#.utf8)
                case 0x0C: bytes.append(contentsOf: #"\f"#.utf8)
                case 0x0A: bytes.append(contentsOf: #"\n"#.utf8)
                case 0x0D: bytes.append(contentsOf: #"\r"#.utf8)
                case 0x09: bytes.append(contentsOf: #"\t"#.utf8)
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    bytes.append(contentsOf: #"\u00"#.utf8)
                    bytes.append(hex[Int(byte >> 4)])
                    bytes.append(hex[Int(byte & 0x0F)])
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}

/// The body of a control request Parley sends.
public enum ControlRequestBody: Sendable, Equatable {
    case initialize
    case interrupt
    /// `nil` restores the default model.
    case setModel(String?)
    case setPermissionMode(String)
    case other(subtype: String, fields: [String: JSONValue])

    /// The request's `subtype`.
    public var subtype: String {
        switch self {
        case .initialize: "initialize"
        case .interrupt: "interrupt"
        case .setModel: "set_model"
        case .setPermissionMode: "set_permission_mode"
        case .other(let subtype, _): subtype
        }
    }

    var json: JSONValue {
        switch self {
        case .initialize: return ["subtype": "initialize", "hooks": nil]
        case .interrupt: return ["subtype": "interrupt"]
        case .setModel(let model): return ["subtype": "set_model", "model": model.map(JSONValue.string) ?? .null]
        case .setPermissionMode(let mode): return ["subtype": "set_permission_mode", "mode": .string(mode)]
        case .other(let subtype, var fields):
            fields["subtype"] = .string(subtype)
            return .object(fields)
        }
    }
}

/// How the host answers a `can_use_tool` request.
public enum PermissionDecision: Sendable, Equatable {
    /// Run the tool with `input` (the original input when unchanged); `permissions`
    /// are permission updates to apply, e.g. the CLI's own suggestion for "always".
    case allow(input: JSONValue, permissions: [JSONValue] = [])
    /// Refuse; `message` reaches the model as the tool's error. `interrupt` ends the turn.
    case deny(message: String, interrupt: Bool = false)

    var json: JSONValue {
        switch self {
        case .allow(let input, let permissions):
            var object: [String: JSONValue] = ["behavior": "allow", "updatedInput": input]
            if !permissions.isEmpty { object["updatedPermissions"] = .array(permissions) }
            return .object(object)
        case .deny(let message, let interrupt):
            var object: [String: JSONValue] = ["behavior": "deny", "message": .string(message)]
            if interrupt { object["interrupt"] = true }
            return .object(object)
        }
    }
}
