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

    /// `SuppressionRows.columns` of the table aliased `s`.
    private static let listColumns = SuppressionRows.columns.split(separator: ", ").map { "s.\($0)" }.joined(separator: ", ")

    public func list(_ query: SuppressionQuery) async throws(StoreError) -> SuppressionPage {
        var clauses: [String] = []
        if query.reason != nil { clauses.append("s.reason = ?1") }
        // The domain filter reads `suppression_domains` (schema v4) in (address, scope) order and joins the rows.
        if query.domain != nil { clauses.append("d.domain = ?2") }
        if query.since != nil { clauses.append("s.last_seen >= ?3") }
        if query.activeAt != nil { clauses.append("(s.expires_at IS NULL OR s.expires_at > ?4)") }
        let key = query.domain == nil ? "s.address, s.scope" : "d.address, d.scope"
        if query.cursor != nil { clauses.append("(\(key)) > (?5, ?6)") }
        let filter = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        // CROSS JOIN keeps `suppression_domains` the outer loop (SQLite does not reorder it).
        let source = query.domain == nil
            ? "suppressions s"
            : "suppression_domains d CROSS JOIN suppressions s ON s.address = d.address AND s.scope = d.scope"
        // At most 32 distinct texts, so the statement cache stays small.
        let sql = "SELECT \(Self.listColumns) FROM \(source) \(filter) ORDER BY \(key) LIMIT ?7"
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
        // Key order gives the B-tree inserts locality; sorted here, off the writer thread.
        let order = Self.keyOrder(suppressions)
        let domainOrder = Self.domainOrder(suppressions)
        let cacheKiB = max(64, configuration.cacheSizeKiB)
        // Alone: inside a group's savepoint a chunk this size slows down with every statement (SQLite 3.40).
        return try await writer.submit(alone: true) { database throws(StoreError) in
            // A random-order chunk dirties pages all over four B-trees; with the normal page cache they spill
            // to the WAL mid-transaction and are read back. The larger cache lasts for this chunk only.
            if cacheKiB < Self.importCacheKiB { try database.execute("PRAGMA cache_size = -\(Self.importCacheKiB)") }
            defer { if cacheKiB < Self.importCacheKiB { try? database.execute("PRAGMA cache_size = -\(cacheKiB)") } }
            // Counted once per chunk, not per row (see Schema.v3).
            var tally = SuppressionTally()
            let statements = try SuppressionRows.MergeStatements(database)
            try suppressions.withUnsafeBufferPointer { (rows) throws(StoreError) in
                var isNew = [Bool](repeating: false, count: rows.count)
                for index in order { isNew[index] = try statements.mergeWithoutDomain(rows[index], tally: &tally) }
                // Then the new keys' domain entries, in domain order: they land in runs (see Schema.v4).
                for index in domainOrder where isNew[index] { try statements.listDomain(of: rows[index]) }
            }
            try tally.flush(in: database)
            return order.count
        }
    }

    /// Page cache of the writer while it commits an import chunk (the configured size when larger).
    static let importCacheKiB = 256 * 1024

    /// Positions of `rows` in (address, scope) byte order, SQLite's BINARY collation; ties keep file order,
    /// so the later of two rows with one key still merges last. Indices are sorted, and compared through
    /// the rows' contiguous UTF-8 in place: copying a row per comparison cost more than the comparing.
    static func keyOrder(_ rows: [Suppression]) -> [Int] {
        rows.withUnsafeBufferPointer { rows in
            var order = Array(rows.indices)
            order.sort { a, b in
                let byAddress = compareBytes(rows[a].address, rows[b].address)
                if byAddress != 0 { return byAddress < 0 }
                let byScope = compareBytes(rows[a].scope, rows[b].scope)
                return byScope != 0 ? byScope < 0 : a < b
            }
            return order
        }
    }

    /// Positions of `rows` in (domain, address, scope) byte order, the key order of `suppression_domains`.
    static func domainOrder(_ rows: [Suppression]) -> [Int] {
        rows.withUnsafeBufferPointer { rows in
            // Byte offset of each domain (after the last "@"), found once rather than per comparison.
            let starts = rows.map { row in row.address.utf8.lastIndex(of: UInt8(ascii: "@")).map { row.address.utf8.distance(from: row.address.utf8.startIndex, to: $0) + 1 } ?? 0 }
            var order = Array(rows.indices)
            order.sort { a, b in
                let byDomain = compareBytes(rows[a].address, from: starts[a], rows[b].address, from: starts[b])
                if byDomain != 0 { return byDomain < 0 }
                let byAddress = compareBytes(rows[a].address, rows[b].address)
                if byAddress != 0 { return byAddress < 0 }
                let byScope = compareBytes(rows[a].scope, rows[b].scope)
                return byScope != 0 ? byScope < 0 : a < b
            }
            return order
        }
    }

    /// memcmp order of the UTF-8 bytes (shorter first on a common prefix).
    private static func compareBytes(_ left: String, _ right: String) -> Int {
        compareBytes(left, from: 0, right, from: 0)
    }

    /// memcmp order of the UTF-8 bytes of `left` from byte `leftStart` and `right` from `rightStart`.
    private static func compareBytes(_ left: String, from leftStart: Int, _ right: String, from rightStart: Int) -> Int {
        let result = left.utf8.withContiguousStorageIfAvailable { l in
            right.utf8.withContiguousStorageIfAvailable { r -> Int in
                let lCount = l.count - leftStart, rCount = r.count - rightStart
                let common = min(lCount, rCount)
                if common > 0, let lb = l.baseAddress, let rb = r.baseAddress {
                    let c = memcmp(lb + leftStart, rb + rightStart, common)
                    if c != 0 { return Int(c) }
                }
                return lCount - rCount
            }
        }
        if let result, let result { return result }
        // Bridged or foreign strings: the same order, element by element.
        let l = left.utf8.dropFirst(leftStart), r = right.utf8.dropFirst(rightStart)
        if l.elementsEqual(r) { return 0 }
        return l.lexicographicallyPrecedes(r) ? -1 : 1
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
