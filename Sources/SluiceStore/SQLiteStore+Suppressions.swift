import Foundation
import SluiceCore

extension SQLiteStore: SuppressionStore {
    /// Largest chunk `importBatch` accepts; larger imports are streamed as several chunks.
    public static let maxImportChunk = 100_000
    /// Largest page `export` returns.
    public static let maxExportPage = 10_000

    // One primary-key range seek over the address's few rows; scopes are filtered here rather than with
    // `scope IN (…)`, which would build an ephemeral table and sort on every call.
    private static let lookupSQL = """
        SELECT \(SuppressionRows.columns) FROM suppressions
        WHERE address = ?1 AND (expires_at IS NULL OR expires_at > ?2)
        """

    public func suppression(for address: String, scope: String?, at now: Date) async throws(StoreError) -> Suppression? {
        try await readers.read { database throws(StoreError) in
            try Self.lookup(address, scope: SuppressionRows.matchingScopes(scope), at: now, in: database)
        }
    }

    public func suppressed(among addresses: [String], scope: String?, at now: Date) async throws(StoreError) -> [String: Suppression] {
        guard !addresses.isEmpty else { return [:] }
        let scopes = SuppressionRows.matchingScopes(scope)
        return try await readers.read(transaction: true) { database throws(StoreError) in
            var result: [String: Suppression] = [:]
            for address in addresses where result[address] == nil {
                if let found = try Self.lookup(address, scope: scopes, at: now, in: database) { result[address] = found }
            }
            return result
        }
    }

    /// The active row of `address` whose scope applies, broadest (global) first.
    private static func lookup(_ address: String, scope: (list: String, topic: String), at now: Date, in database: Database) throws(StoreError) -> Suppression? {
        let statement = try database.statement(lookupSQL)
        defer { statement.reset() }
        statement.bind(address, at: 1)
        statement.bind(now, at: 2)
        var best: Suppression?
        while try statement.step() {
            let rowScope = statement.string(at: 1)
            guard rowScope.isEmpty || rowScope == scope.list || rowScope == scope.topic else { continue }
            if let current = best, current.scope.utf8.count <= rowScope.utf8.count { continue }
            best = SuppressionRows.read(statement)
            if rowScope.isEmpty { break }
        }
        return best
    }

    public func putManual(_ suppression: Suppression) async throws(StoreError) {
        try SuppressionRows.validate(suppression)
        try await writer.submit { database throws(StoreError) in try SuppressionRows.replace(suppression, in: database) }
    }

    public func remove(address: String, scope: String) async throws(StoreError) -> Bool {
        try await writer.submit { database throws(StoreError) in
            try database.run("DELETE FROM suppressions WHERE address = ?1 AND scope = ?2") {
                $0.bind(address, at: 1)
                $0.bind(scope, at: 2)
            } > 0
        }
    }

    public func list(_ query: SuppressionQuery) async throws(StoreError) -> SuppressionPage {
        var clauses: [String] = []
        if query.reason != nil { clauses.append("reason = ?1") }
        if query.domain != nil { clauses.append("domain = ?2") }
        if query.since != nil { clauses.append("last_seen >= ?3") }
        if query.activeAt != nil { clauses.append("(expires_at IS NULL OR expires_at > ?4)") }
        if query.cursor != nil { clauses.append("(address, scope) > (?5, ?6)") }
        let filter = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        // At most 32 distinct texts, so the statement cache stays small.
        let sql = "SELECT \(SuppressionRows.columns) FROM suppressions \(filter) ORDER BY address, scope LIMIT ?7"
        let limit = query.effectiveLimit
        return try await readers.read { database throws(StoreError) in
            try Self.page(sql, limit: limit, in: database) { statement in
                statement.bind(query.reason?.rawValue, at: 1)
                statement.bind(query.domain, at: 2)
                statement.bind(query.since, at: 3)
                statement.bind(query.activeAt, at: 4)
                statement.bind(query.cursor?.address, at: 5)
                statement.bind(query.cursor?.scope, at: 6)
            }
        }
    }

    public func export(after cursor: SuppressionCursor?, limit: Int) async throws(StoreError) -> SuppressionPage {
        let filter = cursor == nil ? "" : "WHERE (address, scope) > (?5, ?6)"
        let sql = "SELECT \(SuppressionRows.columns) FROM suppressions \(filter) ORDER BY address, scope LIMIT ?7"
        let limit = min(max(limit, 1), Self.maxExportPage)
        return try await readers.read { database throws(StoreError) in
            try Self.page(sql, limit: limit, in: database) { statement in
                statement.bind(cursor?.address, at: 5)
                statement.bind(cursor?.scope, at: 6)
            }
        }
    }

    /// Runs a keyset page query whose `?7` is the row limit; fetches one extra row to know if more follow.
    private static func page(_ sql: String, limit: Int, in database: Database, bind: (Statement) -> Void) throws(StoreError) -> SuppressionPage {
        let statement = try database.statement(sql)
        defer { statement.reset() }
        bind(statement)
        statement.bind(limit + 1, at: 7)
        var items: [Suppression] = []
        items.reserveCapacity(min(limit, 1000))
        var more = false
        while try statement.step() {
            if items.count == limit {
                more = true
                break
            }
            items.append(SuppressionRows.read(statement))
        }
        let next = more ? items.last.map { SuppressionCursor(address: $0.address, scope: $0.scope) } : nil
        return SuppressionPage(items: items, nextCursor: next)
    }

    public func importBatch(_ suppressions: [Suppression]) async throws(StoreError) -> Int {
        guard !suppressions.isEmpty else { return 0 }
        guard suppressions.count <= Self.maxImportChunk else {
            throw StoreError(.invalidInput, "import chunk of \(suppressions.count) rows exceeds \(Self.maxImportChunk)")
        }
        for suppression in suppressions { try SuppressionRows.validate(suppression) }
        // Key order gives the B-tree inserts locality; sorted here, off the writer thread, as indices (moving
        // the rows themselves costs more than comparing them). The index breaks ties, so rows with the same
        // key keep their file order and the later one still merges last.
        let order = suppressions.indices.sorted { a, b in
            let left = suppressions[a], right = suppressions[b]
            if left.address != right.address { return left.address < right.address }
            if left.scope != right.scope { return left.scope < right.scope }
            return a < b
        }
        // Alone: inside a group's savepoint a chunk this size slows down with every statement (SQLite 3.40).
        return try await writer.submit(alone: true) { database throws(StoreError) in
            // Counted once per chunk, not per row (see Schema.v3).
            var tally = SuppressionTally()
            let statements = try SuppressionRows.MergeStatements(database)
            for index in order { try statements.merge(suppressions[index], tally: &tally) }
            try tally.flush(in: database)
            return order.count
        }
    }

    public func history(address: String, limit: Int) async throws(StoreError) -> [HistoryEntry] {
        let limit = min(max(limit, 1), 1000)
        return try await readers.read { database throws(StoreError) in
            let statement = try database.statement("""
                SELECT kind, original_address, ses_message_id, event_at, identity, subtype, detail, scope, raw_type,
                    outcome, source, recorded_at
                FROM history WHERE address = ?1 ORDER BY id DESC LIMIT ?2
                """)
            defer { statement.reset() }
            statement.bind(address, at: 1)
            statement.bind(limit, at: 2)
            var entries: [HistoryEntry] = []
            while try statement.step() {
                let event = RecipientEvent(
                    kind: EventKind(rawValue: statement.string(at: 0)) ?? .unknown, address: address,
                    originalAddress: statement.string(at: 1), sesMessageId: statement.string(at: 2),
                    timestamp: statement.date(at: 3), identity: statement.string(at: 4),
                    subtype: statement.optionalString(at: 5), detail: statement.optionalString(at: 6),
                    scope: statement.string(at: 7), rawType: statement.string(at: 8)
                )
                entries.append(HistoryEntry(event: event, outcome: statement.string(at: 9), source: statement.string(at: 10), recordedAt: statement.date(at: 11)))
            }
            return entries
        }
    }

    /// Every reason is present (0 when none) so metric label sets stay stable.
    public func counts(byReason now: Date) async throws(StoreError) -> [SuppressionReason: Int] {
        try await readers.read(transaction: true) { database throws(StoreError) in
            var result: [SuppressionReason: Int] = [:]
            for reason in SuppressionReason.allCases { result[reason] = 0 }
            // Totals are trigger-maintained; only the (few) expired-but-unpurged rows are scanned.
            let totals = try database.statement("SELECT reason, n FROM suppression_counts")
            defer { totals.reset() }
            while try totals.step() {
                let reason = SuppressionReason(rawValue: totals.string(at: 0)) ?? .manual
                result[reason, default: 0] += totals.int(at: 1)
            }
            let expired = try database.statement("""
                SELECT reason, count(*) FROM suppressions
                WHERE expires_at IS NOT NULL AND expires_at <= ?1 GROUP BY reason
                """)
            defer { expired.reset() }
            expired.bind(now, at: 1)
            while try expired.step() {
                let reason = SuppressionReason(rawValue: expired.string(at: 0)) ?? .manual
                result[reason, default: 0] -= expired.int(at: 1)
            }
            return result
        }
    }

    public func purgeExpired(at now: Date) async throws(StoreError) -> Int {
        try await deleteInChunks("""
            DELETE FROM suppressions WHERE (address, scope) IN (SELECT address, scope FROM suppressions
                WHERE expires_at IS NOT NULL AND expires_at <= ?1 LIMIT ?2)
            """, cutoff: now)
    }
}
