import Foundation
import SluiceCore

extension SQLiteStore: CounterStore {
    public func hourlyCounters(from: Date, to: Date) async throws(StoreError) -> [HourlyCounter] {
        try await readers.read { database throws(StoreError) in
            let statement = try database.statement("""
                SELECT hour_start, identity, kind, count FROM hourly_counters
                WHERE hour_start >= ?1 AND hour_start < ?2 ORDER BY hour_start, identity, kind
                """)
            defer { statement.reset() }
            statement.bind(from, at: 1)
            statement.bind(to, at: 2)
            var counters: [HourlyCounter] = []
            while try statement.step() {
                counters.append(HourlyCounter(
                    hourStart: statement.date(at: 0), identity: statement.string(at: 1),
                    kind: EventKind(rawValue: statement.string(at: 2)) ?? .unknown, count: statement.int(at: 3)
                ))
            }
            return counters
        }
    }

    public func recordSends(identity: String, count: Int, at date: Date) async throws(StoreError) {
        guard count >= 0 else { throw StoreError(.invalidInput, "send count must not be negative") }
        guard count > 0 else { return }
        try await writer.submit { database throws(StoreError) in
            try CounterRows.add(count, identity: identity, kind: .send, at: date, in: database)
        }
    }
}
