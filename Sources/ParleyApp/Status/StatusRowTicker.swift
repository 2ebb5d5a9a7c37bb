import Locking
import Terminal

/// Redraws the living status row once a second while a turn runs, and removes it when the
/// turn ends. Nothing runs at idle: the task exists only between ``turnStarted()`` and
/// ``turnEnded()``.
final class StatusRowTicker: Sendable {
    private let task = Locked<Task<Void, Never>?>(nil)
    private let draw: @Sendable (StyledText?) -> Void
    private let row: @Sendable () -> StyledText?

    /// - Parameters:
    ///   - row: the row to show now (`nil`: none).
    ///   - draw: shows a row, or removes it (`nil`).
    init(row: @escaping @Sendable () -> StyledText?, draw: @escaping @Sendable (StyledText?) -> Void) {
        self.row = row
        self.draw = draw
    }

    /// Starts redrawing (at once, then every second); does nothing when already running.
    func turnStarted() {
        task.withLock { task in
            guard task == nil else { return }
            let row = self.row, draw = self.draw
            task = Task {
                while !Task.isCancelled {
                    draw(row())
                    try? await Task.sleep(for: .seconds(1))
                }
            }
        }
    }

    /// Stops redrawing and removes the row.
    func turnEnded() {
        let running = task.withLock { task in
            defer { task = nil }
            return task
        }
        guard let running else { return }
        running.cancel()
        draw(nil)
    }
}
