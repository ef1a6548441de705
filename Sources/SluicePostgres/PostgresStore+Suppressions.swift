import Foundation
import SluiceCore

extension PostgresStore: SuppressionStore {
    /// Largest chunk `importBatch` accepts, one transaction each; larger imports are streamed as several
    /// chunks. Small enough that a chunk's row locks are held for a fraction of a second.
    public static let maxImportChunk = 5_000
    /// Largest page `export` returns.
    public static let maxExportPage = 10_000

    public var importChunkLimit: Int { Self.maxImportChunk }

    public func suppression(for address: String, scope: String?, at now: Date) async throws(StoreError) -> Suppression? {
        let scopes = PGSuppressionRows.matchingScopes(scope)
        return try await read { connection throws(StoreError) in
            let result = try connection.execute("""
                SELECT \(PGSuppressionRows.columns) FROM suppressions
                WHERE address = $1 AND (expires_at IS NULL OR expires_at > $2)
                """, [.text(address), .date(now)])
            return PGSuppressionRows.best(PGSuppressionRows.readAll(result), scope: scopes)
        }
    }

    public func suppressed(among addresses: [String], scope: String?, at now: Date) async throws(StoreError) -> [String: Suppression] {
        guard !addresses.isEmpty else { return [:] }
        let scopes = PGSuppressionRows.matchingScopes(scope)
        return try await read { connection throws(StoreError) in
            // One statement: one snapshot for every address.
            let result = try connection.execute("""
                SELECT \(PGSuppressionRows.columns) FROM suppressions
                WHERE address = ANY($1::text[]) AND (expires_at IS NULL OR expires_at > $2)
                """, [PGValue.textArray(Array(Set(addresses))), .date(now)])
            let rows = Dictionary(grouping: PGSuppressionRows.readAll(result), by: \.address)
            var found: [String: Suppression] = [:]
            for (address, candidates) in rows {
                if let best = PGSuppressionRows.best(candidates, scope: scopes) { found[address] = best }
            }
            return found
        }
    }

    public func putManual(_ suppression: Suppression) async throws(StoreError) {
        try PGSuppressionRows.validate(suppression)
        try await write { connection throws(StoreError) in
            try PostgresStore.lockAddresses([suppression.address], in: connection)
            try PGSuppressionRows.replace(suppression, in: connection)
        }
    }

    public func remove(address: String, scope: String) async throws(StoreError) -> Bool {
        try await write { connection throws(StoreError) in
            try PostgresStore.lockAddresses([address], in: connection)
            return try connection.execute(
                "DELETE FROM suppressions WHERE address = $1 AND scope = $2", [.text(address), .text(scope)]).affectedRows > 0
        }
    }

    public func list(_ query: SuppressionQuery) async throws(StoreError) -> SuppressionPage {
        var clauses: [String] = []
        var values: [PGValue] = []
        func parameter(_ value: PGValue) -> String {
            values.append(value)
            return "$\(values.count)"
        }
        if let reason = query.reason { clauses.append("reason = \(parameter(.text(reason.rawValue)))") }
        if let domain = query.domain { clauses.append("domain = \(parameter(.text(domain)))") }
        if let since = query.since { clauses.append("last_seen >= \(parameter(.date(since)))") }
        if let activeAt = query.activeAt { clauses.append("(expires_at IS NULL OR expires_at > \(parameter(.date(activeAt))))") }
        if let changedSince = query.changedSince {
            clauses.append("coalesce(changed_at, last_seen) >= \(parameter(.date(changedSince)))")
        }
        if let cursor = query.cursor {
            clauses.append("(address, scope) > (\(parameter(.text(cursor.address))), \(parameter(.text(cursor.scope))))")
        }
        let filter = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        let limit = query.effectiveLimit
        let sql = "SELECT \(PGSuppressionRows.columns) FROM suppressions \(filter) ORDER BY address, scope LIMIT \(parameter(.int(limit + 1)))"
        let bound = values
        return try await read { connection throws(StoreError) in Self.page(try connection.execute(sql, bound), limit: limit) }
    }

    public func export(after cursor: SuppressionCursor?, limit: Int) async throws(StoreError) -> SuppressionPage {
        let limit = min(max(limit, 1), Self.maxExportPage)
        return try await read { connection throws(StoreError) in
            let result: PGResult
            if let cursor {
                result = try connection.execute("""
                    SELECT \(PGSuppressionRows.columns) FROM suppressions WHERE (address, scope) > ($1, $2)
                    ORDER BY address, scope LIMIT $3
                    """, [.text(cursor.address), .text(cursor.scope), .int(limit + 1)])
            } else {
                result = try connection.execute(
                    "SELECT \(PGSuppressionRows.columns) FROM suppressions ORDER BY address, scope LIMIT $1", [.int(limit + 1)])
            }
            return Self.page(result, limit: limit)
        }
    }

    /// A keyset page from a query that fetched `limit + 1` rows.
    private static func page(_ result: PGResult, limit: Int) -> SuppressionPage {
        let items = (0..<min(result.rowCount, limit)).map { PGSuppressionRows.read(result, $0) }
        let next = result.rowCount > limit ? items.last.map { SuppressionCursor(address: $0.address, scope: $0.scope) } : nil
        return SuppressionPage(items: items, nextCursor: next)
    }

    public func importBatch(_ suppressions: [Suppression]) async throws(StoreError) -> Int {
        guard !suppressions.isEmpty else { return 0 }
        guard suppressions.count <= Self.maxImportChunk else {
            throw StoreError(.invalidInput, "import chunk of \(suppressions.count) rows exceeds \(Self.maxImportChunk)")
        }
        for suppression in suppressions { try PGSuppressionRows.validate(suppression) }
        // Folded and sorted off the pool thread; one statement writes them in key order.
        let rows = PGSuppressionRows.folded(suppressions)
        try await write { connection throws(StoreError) in try PGSuppressionRows.mergeAll(rows, in: connection) }
        return suppressions.count
    }

    public func history(address: String, limit: Int) async throws(StoreError) -> [HistoryEntry] {
        let limit = min(max(limit, 1), 1000)
        return try await read { connection throws(StoreError) in
            let result = try connection.execute("""
                SELECT kind, original_address, ses_message_id, event_at, identity, subtype, detail, scope, raw_type,
                    outcome, source, recorded_at
                FROM history WHERE address = $1 ORDER BY id DESC LIMIT $2
                """, [.text(address), .int(limit)])
            return (0..<result.rowCount).map { row in
                let event = RecipientEvent(
                    kind: EventKind(rawValue: result.string(row, 0)) ?? .unknown, address: address,
                    originalAddress: result.string(row, 1), sesMessageId: result.string(row, 2),
                    timestamp: result.date(row, 3), identity: result.string(row, 4),
                    subtype: result.optionalString(row, 5), detail: result.optionalString(row, 6),
                    scope: result.string(row, 7), rawType: result.string(row, 8))
                return HistoryEntry(event: event, outcome: result.string(row, 9), source: result.string(row, 10), recordedAt: result.date(row, 11))
            }
        }
    }

    /// Every reason is present (0 when none) so metric label sets stay stable.
    public func counts(byReason now: Date) async throws(StoreError) -> [SuppressionReason: Int] {
        try await read { connection throws(StoreError) in
            var counts: [SuppressionReason: Int] = [:]
            for reason in SuppressionReason.allCases { counts[reason] = 0 }
            let result = try connection.execute("""
                SELECT reason, count(*) FROM suppressions WHERE expires_at IS NULL OR expires_at > $1 GROUP BY reason
                """, [.date(now)])
            for row in 0..<result.rowCount {
                let reason = SuppressionReason(rawValue: result.string(row, 0)) ?? .manual
                counts[reason, default: 0] += result.int(row, 1)
            }
            return counts
        }
    }

    public func purgeExpired(at now: Date) async throws(StoreError) -> Int {
        // The outer condition keeps a row made permanent (or extended) meanwhile: see `deleteInChunks`.
        try await deleteInChunks("""
            DELETE FROM suppressions WHERE expires_at IS NOT NULL AND expires_at <= $1
                AND ctid = ANY (ARRAY(SELECT ctid FROM suppressions WHERE expires_at IS NOT NULL AND expires_at <= $1 LIMIT $2))
            """, cutoff: now)
    }

    /// Every suppression of `address` (normalised) in any scope, active or expired, global first.
    public func suppressions(of address: String) async throws(StoreError) -> [Suppression] {
        try await read { connection throws(StoreError) in
            try PGSuppressionRows.all(of: address, in: connection).sorted { $0.scope < $1.scope }
        }
    }
}
