/// The user's colour choice, as given by `--color`.
public enum ColorMode: String, Sendable, CaseIterable {
    /// Colour when writing to a terminal that supports it and `NO_COLOR` is unset.
    case auto
    /// Always colour, even into a pipe.
    case always
    /// Never colour.
    case never
}
