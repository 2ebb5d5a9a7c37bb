/// Read access to one JSON value, as the protocol mapping (``MessageMapping``) needs it.
///
/// The mapping from stream-json lines to ``IncomingMessage`` is written once, against this
/// protocol, and runs over two views of a line:
/// - ``LineView``: the raw bytes of a validated line, read lazily where the mapping looks
///   (the route-first path of ``MessageDecoder/decode(_:)``: nothing is built that the typed
///   message does not keep);
/// - ``JSONValue``: the full tree (``MessageDecoder/message(from:)`` and the reference path
///   that the tests and the fuzzer compare the route-first path with).
///
/// Both views must answer every question alike for the same JSON text; that is what the
/// equivalence tests check.
protocol JSONView {
    /// The elements of an array, in order.
    associatedtype Elements: Sequence where Elements.Element == Self

    /// The value of the member `name` when this is an object that has one (the last one when
    /// the name repeats), else nil. Names are compared as decoded text.
    func field(named name: StaticString) -> Self?

    /// The text when this is a string, else nil.
    var stringValue: String? { get }

    /// True when this is a string equal to `text` (without building a `String` where the view
    /// can avoid it).
    func isString(_ text: StaticString) -> Bool

    /// The number when this is a number, else nil.
    var doubleValue: Double? { get }

    /// The number truncated toward zero, or nil when this is not a number or it does not fit
    /// in `Int` (``JSONValue/truncatedInt(_:)``).
    var intValue: Int? { get }

    /// The boolean when this is `true` or `false`, else nil.
    var boolValue: Bool? { get }

    /// True when this is `null`.
    var isNull: Bool { get }

    /// The elements when this is an array, else nil.
    var arrayValue: Elements? { get }

    /// This value, built in full (for the places where the public API keeps raw JSON).
    var json: JSONValue { get }
}

extension JSONView {
    /// The strings among the elements of an array (others skipped), or nil when this is not an array.
    var strings: [String]? { arrayValue?.compactMap { $0.stringValue } }
}

extension StaticString {
    /// The bytes of this string (UTF-8).
    var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: utf8Start, count: utf8CodeUnitCount) }
}

/// The full tree is a view of itself.
extension JSONValue: JSONView {
    func field(named name: StaticString) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members[String(decoding: name.bytes, as: UTF8.self)]
    }

    func isString(_ text: StaticString) -> Bool {
        guard case .string(let value) = self else { return false }
        return value.utf8.elementsEqual(text.bytes)
    }

    var json: JSONValue { self }
}
