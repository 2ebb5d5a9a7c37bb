import Foundation
import StreamJSON

/// Turns the `@path` mentions of a message (and a message that is only a pasted image path)
/// into image blocks. Text files are left alone: the mention stays in the text and the model
/// reads the file with its Read tool (Docs/Commands.md says why).
struct ImageAttachmentLoader: Sendable {
    /// The Messages API refuses an image whose base64 text is longer than 5 MiB.
    static let maxBase64Length = 5 * 1024 * 1024
    /// Where relative paths start (the conversation's working directory).
    let directory: String

    /// Why a mentioned image cannot be sent (then nothing is sent).
    struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        let description: String
    }

    /// The images mentioned in `text`. A mention of an existing file whose first bytes are
    /// PNG, JPEG, GIF or WebP attaches it; a mention whose name ends in an image extension must
    /// be such a file.
    func images(mentionedIn text: String) throws(Failure) -> [ImageAttachment] {
        var images: [ImageAttachment] = []
        for path in Mentions.paths(in: text) {
            if let image = try image(at: path, required: ImageFormat.hasImageExtension(path)) { images.append(image) }
        }
        return images
    }

    /// The image when `text` is nothing but a pasted path of an existing image file.
    func pastedImage(_ text: String) throws(Failure) -> ImageAttachment? {
        guard let path = Mentions.pastedPath(text), FileManager.default.fileExists(atPath: resolve(path)) else { return nil }
        return try image(at: path, required: ImageFormat.hasImageExtension(path))
    }

    /// The image at `path`; nil when it is not one and not `required`.
    func image(at path: String, required: Bool) throws(Failure) -> ImageAttachment? {
        let full = resolve(path)
        // Only regular files are opened: a FIFO would block the open until someone writes to it.
        let attributes = try? FileManager.default.attributesOfItem(atPath: full)
        if let type = attributes?[.type] as? FileAttributeType, type != .typeRegular {
            if !required { return nil }
            throw Failure(description: "cannot attach \(path): not a regular file")
        }
        guard let handle = FileHandle(forReadingAtPath: full) else {
            if !required { return nil }
            throw Failure(description: "cannot attach \(path): " + (attributes == nil ? "no such file" : "not readable"))
        }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: ImageFormat.sniffLength)) ?? Data()
        guard let format = ImageFormat(sniffing: head) else {
            if !required { return nil }
            throw Failure(description: "cannot attach \(path): not a PNG, JPEG, GIF or WebP image")
        }
        let size = (attributes?[.size] as? Int) ?? 0
        let base64Length = (size + 2) / 3 * 4
        guard base64Length <= Self.maxBase64Length else {
            throw Failure(description: "cannot attach \(path): \(Self.mebibytes(size)) is too large "
                + "(the API takes at most 5 MiB of base64, about 3.75 MiB of image)")
        }
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: full)) else {
            throw Failure(description: "cannot attach \(path): not readable")
        }
        guard (data.count + 2) / 3 * 4 <= Self.maxBase64Length else {
            throw Failure(description: "cannot attach \(path): it grew past the 5 MiB limit while being read")
        }
        return ImageAttachment(mediaType: format.mediaType, base64Data: data.base64EncodedString())
    }

    private func resolve(_ path: String) -> String {
        let expanded = (path as NSString).expandingTildeInPath
        return expanded.hasPrefix("/") ? expanded : directory + "/" + expanded
    }

    private static func mebibytes(_ bytes: Int) -> String {
        String(format: "%.1f MiB", Double(bytes) / 1_048_576)
    }
}
