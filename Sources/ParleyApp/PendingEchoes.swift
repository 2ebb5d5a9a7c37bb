import AgentSession

/// The CLI's echoes of a change a command made, held back so that the change is said once.
struct PendingEchoes: Sendable {
    private var permissionMode: String?
    private var model = false

    mutating func expectPermissionMode(_ mode: String) { permissionMode = mode }
    mutating func expectModel() { model = true }

    /// Whether `event` is an expected echo (each is swallowed once).
    mutating func swallows(_ event: SessionEvent) -> Bool {
        switch event {
        case .status(.permissionModeChanged(let mode)) where mode == permissionMode:
            permissionMode = nil
            return true
        case .status(.localCommandOutput(let text)) where model && text.hasPrefix("Set model to"):
            model = false
            return true
        default:
            return false
        }
    }
}
