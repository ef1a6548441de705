import Foundation

/// Hourly counters for monitoring; ingest bumps them, the send gate records sends.
public protocol CounterStore: Sendable {
    /// Counters whose hour starts in `[from, to)`, ordered by hour, identity, kind.
    func hourlyCounters(from: Date, to: Date) async throws(StoreError) -> [HourlyCounter]
    /// Adds `count` sends for `identity` to the hour containing `at`.
    func recordSends(identity: String, count: Int, at: Date) async throws(StoreError)
}
