/// The image formats the Messages API takes, told apart by their first bytes (not by the
/// file name).
enum ImageFormat: String, Sendable, CaseIterable {
    case png, jpeg, gif, webp

    /// The `media_type` of the image block.
    var mediaType: String { "image/\(rawValue)" }

    /// How many leading bytes ``init(sniffing:)`` needs.
    static let sniffLength = 12

    /// The format whose signature `bytes` start with: PNG `89 50 4E 47 0D 0A 1A 0A`, JPEG
    /// `FF D8 FF`, GIF `GIF87a`/`GIF89a`, WebP `RIFF....WEBP`.
    init?(sniffing bytes: some Collection<UInt8>) {
        let head = Array(bytes.prefix(Self.sniffLength))
        func starts(_ signature: [UInt8], at offset: Int = 0) -> Bool {
            head.count >= offset + signature.count && Array(head[offset..<offset + signature.count]) == signature
        }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            self = .png
        } else if starts([0xFF, 0xD8, 0xFF]) {
            self = .jpeg
        } else if starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8)) {
            self = .gif
        } else if starts(Array("RIFF".utf8)), starts(Array("WEBP".utf8), at: 8) {
            self = .webp
        } else {
            return nil
        }
    }

    /// Whether the name ends in `.png`, `.jpg`, `.jpeg`, `.gif` or `.webp` (any case): a
    /// mention of such a file must attach it or fail.
    static func hasImageExtension(_ path: String) -> Bool {
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return false }
        return ["png", "jpg", "jpeg", "gif", "webp"].contains(path[path.index(after: dot)...].lowercased())
    }
}
