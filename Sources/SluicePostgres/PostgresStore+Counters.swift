import Foundation
import SluiceCore

extension PostgresStore: CounterStore {
    public func hourlyCounters(from: Date, to: Date) async throws(StoreError) -> [HourlyCounter] {
        try await read { connection throws(StoreError) in
            let result = try connection.execute("""
                SELECT hour_start, identity, kind, sum(count) FROM hourly_counters
                WHERE hour_start >= $1 AND hour_start < $2 GROUP BY hour_start, identity, kind
                ORDER BY hour_start, identity, kind
                """, [.date(from), .date(to)])
            return (0..<result.rowCount).map { row in
                HourlyCounter(
                    hourStart: result.date(row, 0), identity: result.string(row, 1),
                    kind: EventKind(rawValue: result.string(row, 2)) ?? .unknown, count: result.int(row, 3))
            }
        }
    }

    public func recordSends(identity: String, count: Int, at date: Date) async throws(StoreError) {
        guard count >= 0 else { throw StoreError(.invalidInput, "send count must not be negative") }
        guard count > 0 else { return }
        try await write { connection throws(StoreError) in
            try PGCounterRows.add(count, identity: identity, kind: .send, at: date, in: connection)
        }
    }
}
