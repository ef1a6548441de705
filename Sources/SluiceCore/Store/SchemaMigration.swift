/// What opening a store does with a database whose schema is behind the running build.
public enum SchemaMigration: Sendable {
    /// Applies the pending migrations (`sluice serve`, `sluice migrate`).
    case apply
    /// Refuses to open it (`.migration`) and leaves it as it is: an operator's command run with a new
    /// binary before the service restarts must not change the schema under the old service.
    case requireCurrent
}
