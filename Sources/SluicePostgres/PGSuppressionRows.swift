import Foundation
import SluiceCore

/// SQL for the `suppressions` table shared by ingest, lookups and management.
enum PGSuppressionRows {
    static let columns = "address, scope, original_address, reason, detail, first_seen, last_seen, count, source, expires_at"

    /// Reads a row selected with `columns`.
    static func read(_ result: PGResult, _ row: Int) -> Suppression {
        Suppression(
            address: result.string(row, 0),
            originalAddress: result.string(row, 2),
            scope: result.string(row, 1),
            // An unknown reason (written by a newer build) must still block mail.
            reason: SuppressionReason(rawValue: result.string(row, 3)) ?? .manual,
            detail: result.optionalString(row, 4),
            firstSeen: result.date(row, 5),
            lastSeen: result.date(row, 6),
            count: result.int(row, 7),
            source: result.string(row, 8),
            expiresAt: result.optionalDate(row, 9)
        )
    }

    static func readAll(_ result: PGResult) -> [Suppression] { (0..<result.rowCount).map { read(result, $0) } }

    /// Every suppression of `address`, in any scope, active or not.
    static func all(of address: String, in connection: PGConnection) throws(StoreError) -> [Suppression] {
        readAll(try connection.execute("SELECT \(columns) FROM suppressions WHERE address = $1", [.text(address)]))
    }

    static func validate(_ suppression: Suppression) throws(StoreError) {
        guard !suppression.address.isEmpty, suppression.address.utf8.count <= 512 else {
            throw StoreError(.invalidInput, "suppression address must be 1-512 bytes")
        }
        guard suppression.scope.utf8.count <= 512, suppression.source.utf8.count <= 1024 else {
            throw StoreError(.invalidInput, "suppression scope or source too long")
        }
        guard suppression.count >= 0 else { throw StoreError(.invalidInput, "suppression count must not be negative") }
    }

    /// Inserts, or merges into the row with the same key: earliest firstSeen, counts added, the spelling first
    /// seen kept, everything else from `suppression`. One statement: atomic under concurrent writers.
    static func merge(_ suppression: Suppression, in connection: PGConnection) throws(StoreError) {
        try validate(suppression)
        try connection.execute("""
            INSERT INTO suppressions (\(columns), domain, changed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, \(nowSQL))
            ON CONFLICT (address, scope) DO UPDATE SET
                first_seen = LEAST(suppressions.first_seen, excluded.first_seen),
                -- Saturates as `Suppression.merging` does (a bigint sum past 2^63-1 is an error); both
                -- counts are non-negative (`validate`), so the subtraction cannot overflow.
                count = CASE WHEN suppressions.count > 9223372036854775807 - excluded.count THEN 9223372036854775807
                    ELSE suppressions.count + excluded.count END,
                reason = excluded.reason, detail = excluded.detail,
                last_seen = GREATEST(suppressions.last_seen, excluded.last_seen),
                source = excluded.source, expires_at = excluded.expires_at, changed_at = excluded.changed_at
            """, values(suppression))
    }

    /// The time of the write in Unix milliseconds, for `changed_at` (schema v6).
    static let nowSQL = "(extract(epoch from clock_timestamp()) * 1000)::bigint"

    /// Inserts or overwrites every column of the row with the same key.
    static func replace(_ suppression: Suppression, in connection: PGConnection) throws(StoreError) {
        try validate(suppression)
        try connection.execute("""
            INSERT INTO suppressions (\(columns), domain, changed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, \(nowSQL))
            ON CONFLICT (address, scope) DO UPDATE SET
                original_address = excluded.original_address, reason = excluded.reason, detail = excluded.detail,
                first_seen = excluded.first_seen, last_seen = excluded.last_seen, count = excluded.count,
                source = excluded.source, expires_at = excluded.expires_at, changed_at = excluded.changed_at
            """, values(suppression))
    }

    private static func values(_ suppression: Suppression) -> [PGValue] {
        [
            .text(suppression.address), .text(suppression.scope), .text(suppression.originalAddress),
            .text(suppression.reason.rawValue), .string(suppression.detail), .date(suppression.firstSeen),
            .date(suppression.lastSeen), .int(suppression.count), .text(suppression.source),
            .date(suppression.expiresAt), .text(domain(of: suppression.address)),
        ]
    }

    /// The part after the last `@` (the whole address when there is none).
    static func domain(of address: String) -> String {
        guard let at = address.lastIndex(of: "@") else { return address }
        return String(address[address.index(after: at)...])
    }

    /// Scopes whose suppressions apply to mail in `scope`: "", the list, and the list/topic.
    static func matchingScopes(_ scope: String?) -> (list: String, topic: String) {
        guard let scope, !scope.isEmpty else { return ("", "") }
        let list = scope.split(separator: "/", maxSplits: 1).first.map(String.init) ?? scope
        return (list, scope)
    }

    /// The active row whose scope applies, broadest (global) first, among `rows` of one address.
    static func best(_ rows: [Suppression], scope: (list: String, topic: String)) -> Suppression? {
        var best: Suppression?
        for row in rows where row.scope.isEmpty || row.scope == scope.list || row.scope == scope.topic {
            if let current = best, current.scope.utf8.count <= row.scope.utf8.count { continue }
            best = row
        }
        return best
    }
}
