/// The permission modes `claude --permission-mode` and `set_permission_mode` accept: the one
/// list behind `--permission-mode`, the `permission_mode` key and `/permissions` completion.
public enum PermissionModes {
    public static let all = ["acceptEdits", "auto", "bypassPermissions", "default", "dontAsk", "plan"]

    /// The modes Shift-Tab cycles through, in order (as in Claude Code).
    public static let cycle = ["default", "acceptEdits", "plan"]

    /// The mode Shift-Tab switches to from `mode` (a mode outside the cycle goes back to `default`).
    public static func next(after mode: String) -> String {
        guard let index = cycle.firstIndex(of: mode) else { return cycle[0] }
        return cycle[(index + 1) % cycle.count]
    }
}
