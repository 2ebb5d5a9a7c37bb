import Glibc
import Locking
import Synchronization

/// The mailbox between any caller thread and the line editor's thread.
///
/// Callers append output (and prompt changes, and a stop request) under a
/// mutex; the first addition since the editor last emptied the mailbox writes
/// one byte to a wake-up pipe, so a burst of small writes costs one wake-up
/// and is rendered as one batch. Once the editor has shut down the mailbox is
/// closed and output goes straight to standard output.
final class EditorChannel: Sendable {
    struct Mailbox {
        var items: [OutputItem] = []
        var prompt: StyledText?
        /// A new status row (`.some(nil)` removes it); `nil` when unchanged.
        var statusRow: StyledText??
        /// Text to put on the edit line in place of what is there.
        var replacementLine: String?
        /// Open the message in the external editor (`/edit`).
        var openEditor = false
        var stopRequested = false
        var wakeupPosted = false
        var closed = false
        /// UTF-8 bytes of streamed text in `items`.
        var textBytes = 0
        /// Callers of ``waitForRoom(limit:)`` waiting for the editor to take the mailbox.
        var roomWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let mailbox = Locked(Mailbox())
    /// The end the editor polls.
    let wakeRead: Int32
    private let wakeWrite: Int32
    /// Delivers ``LineInput`` values to the caller.
    let continuation: AsyncStream<LineInput>.Continuation
    /// Whether Ctrl-C leaves the line being edited alone.
    let keepsLineOnInterrupt = Atomic<Bool>(false)
    /// Whether Esc alone is reported as ``LineInput/interrupt``.
    let escapeInterrupts = Atomic<Bool>(false)
    /// Whether Up on an empty line is reported as ``LineInput/recallQueued``.
    let recallsQueued = Atomic<Bool>(false)
    /// Set by ``LineEditor/readNextKey(answers:)`` to a new number for each question (0: none): the
    /// next deliberate key (see ``DeliberateKey``) is reported as ``LineInput/key(_:)``; the
    /// request is then cleared, so what follows is edited.
    let singleKeyRequest = Atomic<Int>(0)
    private let singleKeyRequests = Atomic<Int>(0)

    /// The keys that answer the current single-key request (lowercase; case is ignored).
    let singleKeyAnswers = Mutex<Set<Character>>([])

    /// Starts a new single-key request for one of `answers`.
    func requestSingleKey(answers: Set<Character>) {
        singleKeyAnswers.withLock { $0 = Set(answers.map { Character($0.lowercased()) }) }
        let number = singleKeyRequests.wrappingAdd(1, ordering: .relaxed).newValue
        singleKeyRequest.store(number == 0 ? 1 : number, ordering: .relaxed)
        // Wake the editor thread so that the question's settle time starts now, not at the next key.
        wake()
    }
    private let color: Bool

    init(color: Bool, continuation: AsyncStream<LineInput>.Continuation) throws(LineEditorError) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw LineEditorError(.setupFailed, errno: errno) }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        wakeRead = fds[0]
        wakeWrite = fds[1]
        self.color = color
        self.continuation = continuation
    }

    deinit {
        close(wakeRead)
        close(wakeWrite)
    }

    /// Queues output; after shutdown writes it directly.
    func post(_ item: OutputItem) {
        let written: Bool = mailbox.withLock { box in
            if box.closed {
                Self.writeDirectly(item, color: color)
                return true
            }
            box.items.append(item)
            if case .text(let text) = item {
                for fragment in text.fragments { box.textBytes &+= fragment.text.utf8.count }
            }
            return false
        }
        if !written { wake() }
    }

    /// Bytes of streamed text in the mailbox.
    var pendingTextBytes: Int { mailbox.withLock { $0.textBytes } }

    /// Returns once the mailbox holds at most `limit` bytes of streamed text (at once when it
    /// does, or when the editor has shut down); otherwise when the editor next takes it.
    func waitForRoom(limit: Int) async {
        if mailbox.withLock({ $0.closed || $0.textBytes <= limit }) { return }
        await withCheckedContinuation { continuation in
            let ready = mailbox.withLock { box -> Bool in
                if box.closed || box.textBytes <= limit { return true }
                box.roomWaiters.append(continuation)
                return false
            }
            if ready { continuation.resume() }
        }
    }

    /// Queues a prompt change.
    func post(prompt: StyledText) {
        let closed = mailbox.withLock { box in
            box.prompt = prompt
            return box.closed
        }
        if !closed { wake() }
    }

    /// Queues a status row change (`nil` removes the row); only the latest counts.
    func post(statusRow: StyledText?) {
        let closed = mailbox.withLock { box in
            box.statusRow = .some(statusRow)
            return box.closed
        }
        if !closed { wake() }
    }

    /// Queues a replacement of the line being edited.
    func post(line: String) {
        let closed = mailbox.withLock { box in
            box.replacementLine = line
            return box.closed
        }
        if !closed { wake() }
    }

    /// Asks the editor thread to open the message in the external editor.
    func requestExternalEditor() {
        let closed = mailbox.withLock { box in
            box.openEditor = true
            return box.closed
        }
        if !closed { wake() }
    }

    /// Asks the editor thread to shut down.
    func requestStop() {
        let closed = mailbox.withLock { box in
            box.stopRequested = true
            return box.closed
        }
        if !closed { wake() }
    }

    /// Empties the mailbox (editor thread only).
    func take() -> Mailbox {
        var drain = [UInt8](repeating: 0, count: 64)
        while drain.withUnsafeMutableBytes({ read(wakeRead, $0.baseAddress, $0.count) }) > 0 {}
        var taken = mailbox.withLock { box in
            let taken = box
            box.items = []
            box.prompt = nil
            box.replacementLine = nil
            box.openEditor = false
            box.statusRow = nil
            box.wakeupPosted = false
            box.textBytes = 0
            box.roomWaiters = []
            return taken
        }
        for waiter in taken.roomWaiters { waiter.resume() }
        taken.roomWaiters = []
        return taken
    }

    /// Marks the editor gone and writes whatever is still queued directly.
    func markClosed() {
        let waiters = mailbox.withLock { box in
            box.closed = true
            for item in box.items { Self.writeDirectly(item, color: color) }
            box.items = []
            box.textBytes = 0
            defer { box.roomWaiters = [] }
            return box.roomWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    private func wake() {
        let shouldWrite = mailbox.withLock { box in
            if box.wakeupPosted { return false }
            box.wakeupPosted = true
            return true
        }
        guard shouldWrite else { return }
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    private static func writeDirectly(_ item: OutputItem, color: Bool) {
        switch item {
        case .text(let text): TerminalOutput.write(text.rendered(color: color))
        case .status(let text): TerminalOutput.write(text.rendered(color: color) + "\n")
        case .endLine, .control: break
        }
    }
}

/// Writes bytes to a file descriptor (standard output by default), whole, bypassing stdio
/// buffering: the one place Parley's terminal and console output meet `write(2)`.
public enum TerminalOutput {
    /// Writes all of `text`; false when the descriptor is closed (EPIPE) or broken.
    @discardableResult
    public static func write(_ text: String, fd: Int32 = 1) -> Bool {
        write(Array(text.utf8), fd: fd)
    }

    /// Writes all of `bytes`; false when the descriptor is closed (EPIPE) or broken. A
    /// non-blocking descriptor that is full is waited on with `poll`, not spun on.
    @discardableResult
    public static func write(_ bytes: [UInt8], fd: Int32 = 1) -> Bool {
        bytes.withUnsafeBufferPointer { buffer -> Bool in
            guard var base = buffer.baseAddress else { return true }
            var remaining = buffer.count
            while remaining > 0 {
                let written = Glibc.write(fd, base, remaining)
                if written < 0 {
                    if errno == EINTR { continue }
                    if errno == EAGAIN {
                        var descriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                        _ = poll(&descriptor, 1, 100)
                        continue
                    }
                    return false
                }
                remaining -= written
                base += written
            }
            return true
        }
    }
}
