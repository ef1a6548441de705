import Foundation
import SluiceCore

/// SQL for `hourly_counters`.
enum CounterRows {
    private static let addSQL = """
        INSERT INTO hourly_counters (hour_start, identity, kind, count) VALUES (?1, ?2, ?3, ?4)
        ON CONFLICT (hour_start, identity, kind) DO UPDATE SET count = count + excluded.count
        """

    /// Adds `count` to the counter of the hour containing `date`.
    static func add(_ count: Int, identity: String, kind: EventKind, at date: Date, in database: Database) throws(StoreError) {
        try database.statement(addSQL).run {
            $0.bind(HourlyCounter.hourStart(of: date), at: 1)
            $0.bind(identity, at: 2)
            $0.bind(kind.rawValue, at: 3)
            $0.bind(count, at: 4)
        }
    }
}
