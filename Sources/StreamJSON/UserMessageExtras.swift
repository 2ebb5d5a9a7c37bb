/// What a user line carries besides its text: images, and whether it asks for a reply.
///
/// ``none`` is an ordinary prompt (`content` is a plain string). Anything else makes `content`
/// a list of blocks: the text, then one `image` block per ``ImageAttachment``; and
/// ``asksForReply`` false adds `"shouldQuery": false` (the CLI records the line in the
/// conversation without a model call; the next prompt's request carries it).
public struct UserMessageExtras: Sendable, Equatable {
    /// Images sent next to the text, in order.
    public var images: [ImageAttachment]
    /// False: the line only goes into the conversation (`"shouldQuery": false`), no turn runs.
    public var asksForReply: Bool

    public init(images: [ImageAttachment] = [], asksForReply: Bool = true) {
        self.images = images
        self.asksForReply = asksForReply
    }

    /// A plain prompt.
    public static let none = UserMessageExtras()

    /// A line that only records `text` in the conversation (a local command's output).
    public static let recordOnly = UserMessageExtras(asksForReply: false)
}

/// An image for an `image` content block, already base64-encoded.
public struct ImageAttachment: Sendable, Equatable {
    /// `image/png`, `image/jpeg`, `image/gif` or `image/webp`.
    public let mediaType: String
    /// The file's bytes in base64 (standard alphabet, padded).
    public let base64Data: String

    public init(mediaType: String, base64Data: String) {
        self.mediaType = mediaType
        self.base64Data = base64Data
    }
}
