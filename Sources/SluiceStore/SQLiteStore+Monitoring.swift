import Foundation
import SluiceCore

extension SQLiteStore {
    /// When the newest stored SNS message of `type` (default `Notification`, i.e. SES feedback) was received;
    /// nil when none is kept (never received, or purged by retention).
    public func lastMessageReceivedAt(type: String = "Notification") async throws(StoreError) -> Date? {
        try await readers.read { database throws(StoreError) in
            // sns_messages_received indexes received_at; the type filter walks it backwards from the newest row.
            let statement = try database.statement("""
                SELECT received_at FROM sns_messages WHERE type = ?1 ORDER BY received_at DESC LIMIT 1
                """)
            defer { statement.reset() }
            statement.bind(type, at: 1)
            return try statement.step() ? statement.date(at: 0) : nil
        }
    }
}
