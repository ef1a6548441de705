import Foundation
import SluiceCore

/// The hourly counters that the SNS ingest jobs of one write transaction add to, summed in memory and written
/// just before COMMIT (`TransactionBuffer`): one upsert per counter row and transaction instead of one per
/// event. The events of one group commit land on a few rows (an identity's kinds in the current hour), so
/// ~20 upserts become ~3. Readers see the counts when the transaction commits, as before.
final class CounterBuffer: TransactionBuffer {
    private struct Key: Hashable {
        let hourStart: Date
        let identity: String
        let kind: EventKind
    }

    private var counts = SavepointedValue(empty: [Key: Int]())

    /// Adds one to the counter of `event`'s identity and kind in the hour of its timestamp.
    func add(_ event: RecipientEvent) {
        counts.value[Key(hourStart: HourlyCounter.hourStart(of: event.timestamp), identity: event.identity, kind: event.kind), default: 0] += 1
    }

    func begin() { counts.begin() }
    func savepoint() { counts.savepoint() }
    func release() { counts.release() }
    func rollBack() { counts.rollBack() }

    func flush(into database: Database) throws(StoreError) {
        defer { begin() }
        let counts = counts.value
        // In the primary key's order, so the upserts walk the index forward.
        let keys = counts.keys.sorted {
            ($0.hourStart, $0.identity, $0.kind.rawValue) < ($1.hourStart, $1.identity, $1.kind.rawValue)
        }
        for key in keys {
            guard let count = counts[key] else { continue }
            try CounterRows.add(count, identity: key.identity, kind: key.kind, at: key.hourStart, in: database)
        }
    }
}
