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
            \(mergeConflict)
            """, values(suppression))
    }

    /// `merge` as `Suppression.merging` does it, for the row already stored.
    private static let mergeConflict = """
        ON CONFLICT (address, scope) DO UPDATE SET
            first_seen = LEAST(suppressions.first_seen, excluded.first_seen),
            -- Saturates as `Suppression.merging` does (a bigint sum past 2^63-1 is an error); both
            -- counts are non-negative (`validate`), so the subtraction cannot overflow.
            count = CASE WHEN suppressions.count > 9223372036854775807 - excluded.count THEN 9223372036854775807
                ELSE suppressions.count + excluded.count END,
            reason = excluded.reason, detail = excluded.detail,
            last_seen = GREATEST(suppressions.last_seen, excluded.last_seen),
            source = excluded.source, expires_at = excluded.expires_at, changed_at = excluded.changed_at
        """

    /// `mergeAll` as `Suppression.mergingImport` does it, for the row already stored: never weakened (the SQLite
    /// store's `SuppressionRows.importUpdateSQL`). The spelling stored is kept; on a tie of precedence the
    /// imported reason, detail and source win.
    private static let importConflict = """
        ON CONFLICT (address, scope) DO UPDATE SET
            first_seen = LEAST(suppressions.first_seen, excluded.first_seen),
            last_seen = GREATEST(suppressions.last_seen, excluded.last_seen),
            -- An import restates rows: the larger count, not the sum (importing a file again changes nothing).
            count = GREATEST(suppressions.count, excluded.count),
            reason = CASE WHEN \(precedence("excluded.reason")) >= \(precedence("suppressions.reason"))
                THEN excluded.reason ELSE suppressions.reason END,
            detail = CASE WHEN \(precedence("excluded.reason")) >= \(precedence("suppressions.reason"))
                THEN excluded.detail ELSE suppressions.detail END,
            source = CASE WHEN \(precedence("excluded.reason")) >= \(precedence("suppressions.reason"))
                THEN excluded.source ELSE suppressions.source END,
            -- NULL (permanent) is the latest expiry.
            expires_at = CASE WHEN suppressions.expires_at IS NULL OR excluded.expires_at IS NULL THEN NULL
                ELSE GREATEST(suppressions.expires_at, excluded.expires_at) END,
            changed_at = excluded.changed_at
        """

    /// SQL: `SuppressionReason.precedence` of the reason in `column`; an unknown reason (a newer build's) ranks
    /// as manual, as `read` reads it.
    private static func precedence(_ column: String) -> String {
        "(CASE \(column) "
            + SuppressionReason.allCases.filter { $0 != .manual }.map { "WHEN '\($0.rawValue)' THEN \($0.precedence) " }.joined()
            + "ELSE \(SuppressionReason.manual.precedence) END)"
    }

    /// `rows` with the rows of one key folded in their order (`Suppression.mergingImport`, as the SQLite store
    /// folds a staged run), sorted by (address, scope) in byte order, the key's `COLLATE "C"` order.
    static func folded(_ rows: [Suppression]) -> [Suppression] {
        struct Key: Hashable {
            var address: String
            var scope: String
        }
        var positions: [Key: Int] = [:]
        var folded: [Suppression] = []
        folded.reserveCapacity(rows.count)
        for row in rows {
            let key = Key(address: row.address, scope: row.scope)
            if let position = positions[key] {
                folded[position] = folded[position].mergingImport(row)
            } else {
                positions[key] = folded.count
                folded.append(row)
            }
        }
        // Keys are unique now, so the order is total.
        folded.sort { a, b in
            a.address == b.address
                ? a.scope.utf8.lexicographicallyPrecedes(b.scope.utf8) : a.address.utf8.lexicographicallyPrecedes(b.address.utf8)
        }
        return folded
    }

    /// Merges imported `rows` (one per key, from `folded`) by `Suppression.mergingImport`, in one statement that
    /// takes the row locks in key order: two imports, or an import and an ingest's rows, never wait on each
    /// other in a cycle.
    static func mergeAll(_ rows: [Suppression], in connection: PGConnection) throws(StoreError) {
        guard !rows.isEmpty else { return }
        var fields = Array(repeating: [String?](), count: 11)
        for index in fields.indices { fields[index].reserveCapacity(rows.count) }
        for row in rows {
            try validate(row)
            let texts: [String?] = [
                row.address, row.scope, row.originalAddress, row.reason.rawValue, row.detail.map(PGValue.sanitized),
                String(PGValue.milliseconds(row.firstSeen)), String(PGValue.milliseconds(row.lastSeen)), String(row.count),
                row.source, row.expiresAt.map { String(PGValue.milliseconds($0)) }, domain(of: row.address),
            ]
            for (index, text) in texts.enumerated() { fields[index].append(text) }
        }
        try connection.execute("""
            INSERT INTO suppressions (\(columns), domain, changed_at)
            SELECT r.address, r.scope, r.original_address, r.reason, r.detail, r.first_seen, r.last_seen, r.count,
                r.source, r.expires_at, r.domain, \(nowSQL)
            FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[],
                $8::bigint[], $9::text[], $10::bigint[], $11::text[])
                AS r (address, scope, original_address, reason, detail, first_seen, last_seen, count, source, expires_at, domain)
            ORDER BY r.address COLLATE "C", r.scope COLLATE "C"
            \(importConflict)
            """, fields.map { PGValue.textArray($0) })
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
            .text(suppression.reason.rawValue), .freeText(suppression.detail), .date(suppression.firstSeen),
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
