/// The permission modes `claude --permission-mode` and `set_permission_mode` accept: the one
/// list behind `--permission-mode`, the `permission_mode` key and `/permissions` completion.
public enum PermissionModes {
    public static let all = ["acceptEdits", "auto", "bypassPermissions", "default", "dontAsk", "plan"]
}
