import Foundation

/// Turns one framed line into an ``IncomingMessage``.
///
/// Decoding never throws past this type: a line that is not a JSON object comes back as
/// an ``UndecodableLine`` carrying its text, for the caller to report. Unknown types and
/// unknown fields are tolerated, and key order never matters.
public struct MessageDecoder: Sendable {
    public init() {}

    /// Decodes one line's bytes (without its terminator).
    ///
    /// A valid object goes through ``LineDecoder`` (validate, then map the raw bytes, building
    /// only what the message keeps); anything else through the full tree, which reports it.
    public func decode(_ bytes: some Collection<UInt8>) -> Result<IncomingMessage, UndecodableLine> {
        let routed = bytes.withContiguousStorageIfAvailable { LineDecoder.decode($0) }
        if let message = routed ?? nil { return .success(message) }
        return decodeFullTree(bytes)
    }

    /// The reference path: the whole line as a ``JSONValue``, then ``message(from:)``.
    func decodeFullTree(_ bytes: some Collection<UInt8>) -> Result<IncomingMessage, UndecodableLine> {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            return .failure(Self.undecodable(Data(bytes), reason: "not valid JSON"))
        }
        guard case .object = value else {
            return .failure(Self.undecodable(Data(bytes), reason: "a JSON value that is not an object"))
        }
        return .success(MessageMapping.message(value))
    }

    /// Decodes a line given as text.
    public func decode(line: String) -> Result<IncomingMessage, UndecodableLine> {
        decode(Array(line.utf8))
    }

    private static func undecodable(_ data: Data, reason: String) -> UndecodableLine {
        let prefix = data.prefix(4096)
        let text = String(decoding: prefix, as: UTF8.self)
        return UndecodableLine(text: text, byteCount: data.count, reason: reason)
    }

    /// Maps a decoded JSON object to a typed message (``MessageMapping``, the same mapping as
    /// the route-first path).
    public static func message(from value: JSONValue) -> IncomingMessage {
        MessageMapping.message(value)
    }
}
