import AgentSession
import Foundation
import StreamJSON

extension SessionController {
    /// Sends a typed message with the images it mentions (`@picture.png`), or says why it
    /// cannot be sent and sends nothing.
    func sendMessage(_ text: String) async {
        guard text.contains("@") else { return await sendOrHold(text) }
        do {
            let images = try await attachmentLoader().images(mentionedIn: text)
            await sendOrHold(text, extras: images.isEmpty ? .none : UserMessageExtras(images: images))
        } catch {
            sayError("✗ not sent: \(error)")
        }
    }

    /// Handles a line that is only a pasted path of an image file: sends it with the image.
    /// False when the line is something else.
    func sendIfPastedImage(_ line: String) async -> Bool {
        guard Mentions.pastedPath(line) != nil else { return false }
        do {
            guard let image = try await attachmentLoader().pastedImage(line) else { return false }
            await sendOrHold(line.trimmingCharacters(in: .whitespaces), extras: UserMessageExtras(images: [image]))
        } catch {
            sayError("✗ not sent: \(error)")
        }
        return true
    }

    private func attachmentLoader() async -> ImageAttachmentLoader {
        ImageAttachmentLoader(directory: await session.launchConfiguration.workingDirectory ?? FileManager.default.currentDirectoryPath)
    }
}
