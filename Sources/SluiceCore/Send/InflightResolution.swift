/// What happens to a message found in `sending` after a crash or restart (older than the request timeout).
///
/// SES `SendEmail` has no idempotency key, so a message whose call was in flight may or may not have been
/// accepted: one choice risks a duplicate, the other a loss.
public enum InflightResolution: String, Sendable, CaseIterable {
    /// Mark it `failed` with error `outcome_unknown`: never mailed twice (at-most-once). The default.
    case fail
    /// Put it back to `queued`: never lost, maybe mailed twice (at-least-once).
    case resend
}
