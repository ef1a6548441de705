/// The slowest a request body may arrive on average, counted as Apache's mod_reqtimeout `MinRate` does:
/// a body may take `grace` plus one second per `bytesPerSecond` bytes received so far. The pause limit
/// alone lets a client hold a connection for ever by sending a byte just inside it; counting bytes
/// received, not the declared length, also gives nothing to a client that announces a large body.
struct MinimumBodyRate: Sendable {
    /// Nanoseconds any body may take before the rate counts.
    var grace: UInt64
    /// 0 turns the check off.
    var bytesPerSecond: Int

    /// Whether a body that has taken `elapsed` nanoseconds to deliver `received` bytes is too slow.
    func isTooSlow(elapsed: UInt64, received: Int) -> Bool {
        guard bytesPerSecond > 0 else { return false }
        let (scaled, overflow) = UInt64(max(0, received)).multipliedReportingOverflow(by: 1_000_000_000)
        let (allowed, sumOverflow) = grace.addingReportingOverflow(scaled / UInt64(bytesPerSecond))
        // Past UInt64 nanoseconds (centuries) the deadline is effectively never.
        if overflow || sumOverflow { return false }
        return elapsed > allowed
    }
}
