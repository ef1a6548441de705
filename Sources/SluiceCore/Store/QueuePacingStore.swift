import Foundation

/// Lets per-ISP pacing move queued messages out of the way: a message over its domain group's budget
/// is made due later, so `readyMessages` reaches other groups' messages (no head-of-line blocking).
public protocol QueuePacingStore: Sendable {
    /// Sets `next_attempt_at` of each `queued` message in `due` (id → new due time); rows in any other
    /// state are left alone. One transaction. Returns how many rows changed.
    func deferQueued(_ due: [String: Date], at now: Date) async throws(StoreError) -> Int
}
