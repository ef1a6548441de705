import Foundation
import SluiceCore

extension SQLiteStore: SuppressionStore {
    /// Largest chunk `importBatch` accepts; larger imports are streamed as several chunks.
    public static let maxImportChunk = 100_000
    /// Largest page `export` returns.
    public static let maxExportPage = 10_000

    public var importChunkLimit: Int { Self.maxImportChunk }

    public func suppression(for address: String, scope: String?, at now: Date) async throws(StoreError) -> Suppression? {
        let filters = staging.filters
        return try await readers.read { database throws(StoreError) in
            try Self.lookup(address, scope: SuppressionRows.matchingScopes(scope), at: now, filters: filters, in: database)
        }
    }

    public func suppressed(among addresses: [String], scope: String?, at now: Date) async throws(StoreError) -> [String: Suppression] {
        guard !addresses.isEmpty else { return [:] }
        let scopes = SuppressionRows.matchingScopes(scope)
        let filters = staging.filters
        return try await readers.read(transaction: true) { database throws(StoreError) in
            var result: [String: Suppression] = [:]
            for address in addresses where result[address] == nil {
                if let found = try Self.lookup(address, scope: scopes, at: now, filters: filters, in: database) { result[address] = found }
            }
            return result
        }
    }

    // One primary-key range seek over the address's few rows; scopes are filtered here rather than with
    // `scope IN (…)`, which would build an ephemeral table and sort on every call.
    private static let lookupSQL = """
        SELECT \(SuppressionRows.columns) FROM suppressions
        WHERE address = ?1 AND (expires_at IS NULL OR expires_at > ?2)
        """

    /// The active row of `address` whose scope applies, broadest (global) first.
    ///
    /// With runs staged (schema v6), their filters name the runs that may hold the address (usually none);
    /// the stored rows and those runs' rows are then read in one statement, one snapshot, and folded. A run
    /// committed after the run list was read is not seen: the lookup then simply precedes that import.
    private static func lookup(
        _ address: String, scope: (list: String, topic: String), at now: Date, filters: StagedFilterCache, in database: Database
    ) throws(StoreError) -> Suppression? {
        let runs = try SuppressionStaging.candidateRuns(for: address, filters: filters, in: database)
        guard !runs.isEmpty else { return try storedLookup(address, scope: scope, at: now, in: database) }
        let statement = try database.statement(runs.count == 1 ? SuppressionStaging.mainAndOneRunSQL : SuppressionStaging.mainAndStagedSQL)
        defer { statement.reset() }
        statement.bind(address, at: 1)
        if runs.count == 1 { statement.bind(runs[0], at: 2) }
        let rows = try SuppressionStaging.mainAndStaged(of: address, from: statement)
        // Scopes and expiry are checked after the fold: a staged row may extend an expired stored one.
        var best: Suppression?
        for row in SuppressionStaging.fold(rows) where SuppressionFold.isActive(row, at: now) {
            guard row.scope.isEmpty || row.scope == scope.list || row.scope == scope.topic else { continue }
            if let current = best, current.scope.utf8.count <= row.scope.utf8.count { continue }
            best = row
        }
        return best
    }

    /// `lookup` when nothing staged can hold the address: the stored rows alone.
    private static func storedLookup(_ address: String, scope: (list: String, topic: String), at now: Date, in database: Database) throws(StoreError) -> Suppression? {
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
            try SuppressionStaging.absorb(address, in: database)
            return try database.run("DELETE FROM suppressions WHERE address = ?1 AND scope = ?2") {
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
        // Rows written before schema v12 have no write time: their last event time stands in.
        if query.changedSince != nil { clauses.append("coalesce(s.changed_at, s.last_seen) >= ?8") }
        let key = query.domain == nil ? "s.address, s.scope" : "d.address, d.scope"
        if query.cursor != nil { clauses.append("(\(key)) > (?5, ?6)") }
        let filter = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        // CROSS JOIN keeps `suppression_domains` the outer loop (SQLite does not reorder it).
        let source = query.domain == nil
            ? "suppressions s"
            : "suppression_domains d CROSS JOIN suppressions s ON s.address = d.address AND s.scope = d.scope"
        // At most 64 distinct texts, so the statement cache stays small.
        let sql = "SELECT \(Self.listColumns) FROM \(source) \(filter) ORDER BY \(key) LIMIT ?7"
        let limit = query.effectiveLimit
        return try await readers.read(transaction: true) { database throws(StoreError) in
            try Self.page(sql, limit: limit, after: query.cursor, where: { query.matches($0) }, in: database) { statement in
                statement.bind(query.reason?.rawValue, at: 1)
                statement.bind(query.domain, at: 2)
                statement.bind(query.since, at: 3)
                statement.bind(query.activeAt, at: 4)
                statement.bind(query.cursor?.address, at: 5)
                statement.bind(query.cursor?.scope, at: 6)
                statement.bind(query.changedSince, at: 8)
            }
        }
    }

    public func export(after cursor: SuppressionCursor?, limit: Int) async throws(StoreError) -> SuppressionPage {
        let filter = cursor == nil ? "" : "WHERE (address, scope) > (?5, ?6)"
        let sql = "SELECT \(SuppressionRows.columns) FROM suppressions \(filter) ORDER BY address, scope LIMIT ?7"
        let limit = min(max(limit, 1), Self.maxExportPage)
        return try await readers.read(transaction: true) { database throws(StoreError) in
            try Self.page(sql, limit: limit, after: cursor, where: { _ in true }, in: database) { statement in
                statement.bind(cursor?.address, at: 5)
                statement.bind(cursor?.scope, at: 6)
            }
        }
    }

    /// Runs a keyset page query whose `?7` is the row limit; fetches one extra row to know if more follow.
    ///
    /// With runs staged (schema v6) the page is a merge, in key order, of the stored rows `sql` selects and
    /// the staged keys after `cursor`: a staged key's row is its stored row folded with its staged rows and
    /// is kept when `matches` accepts it (the SQL filter, applied in Swift); a stored row whose key is staged
    /// is left to that fold. Call inside a read transaction, so both come from one snapshot.
    private static func page(
        _ sql: String, limit: Int, after cursor: SuppressionCursor?, where matches: (Suppression) -> Bool,
        in database: Database, bind: (Statement) -> Void
    ) throws(StoreError) -> SuppressionPage {
        var staged = try StagedScan(database, after: cursor, perRun: { runs in min(512, 32 + 2 * (limit + 1) / max(1, runs)) })
        let statement = try database.statement(sql)
        defer { statement.reset() }
        bind(statement)
        // Staged keys may displace stored rows, so the stored side cannot be cut at limit + 1 then.
        statement.bind(staged.isEmpty ? limit + 1 : -1, at: 7)
        var items: [Suppression] = []
        items.reserveCapacity(min(limit, 1000))
        var more = false
        var stored = try statement.step() ? SuppressionRows.read(statement) : nil
        var group = try staged.next()
        while stored != nil || group != nil {
            let row: Suppression?
            if let first = group?.first, stored.map({ SuppressionFold.compareKeys((first.address, first.scope), ($0.address, $0.scope)) <= 0 }) ?? true {
                let base = try SuppressionRows.stored(first.address, scope: first.scope, in: database)
                let folded = SuppressionFold.fold(base, group ?? [])
                if let current = stored, SuppressionFold.compareKeys((first.address, first.scope), (current.address, current.scope)) == 0 {
                    stored = try statement.step() ? SuppressionRows.read(statement) : nil
                }
                group = try staged.next()
                row = folded.flatMap { matches($0) ? $0 : nil }
            } else {
                row = stored
                stored = try statement.step() ? SuppressionRows.read(statement) : nil
            }
            guard let row else { continue }
            if items.count == limit {
                more = true
                break
            }
            items.append(row)
        }
        let next = more ? items.last.map { SuppressionCursor(address: $0.address, scope: $0.scope) } : nil
        return SuppressionPage(items: items, nextCursor: next)
    }

    /// Appends the chunk as one staged run (schema v6) in one transaction: sorted by key, duplicates folded,
    /// packed in blocks (schema v8), so the writer inserts a few thousand blobs in key order. The background
    /// merge moves it into `suppressions` later; until then every read folds it in. Past `maxStagedRuns`
    /// runs the import first waits for the merge.
    public func importBatch(_ suppressions: [Suppression]) async throws(StoreError) -> Int {
        guard !suppressions.isEmpty else { return 0 }
        guard suppressions.count <= Self.maxImportChunk else {
            throw StoreError(.invalidInput, "import chunk of \(suppressions.count) rows exceeds \(Self.maxImportChunk)")
        }
        for suppression in suppressions { try SuppressionRows.validate(suppression) }
        // Key order makes the run an append; sorted and folded here, off the writer thread.
        let run = Self.stagedRun(suppressions)
        let filter = StagedRunFilter(addresses: run.lazy.map(\.address), count: run.count).bytes
        let blocks = StagedBlock.pack(run, targetBytes: configuration.stagedBlockBytes)
        let runs = try await readers.read { database throws(StoreError) in try SuppressionStaging.runCount(in: database) }
        if runs >= Self.maxStagedRuns { try await drainStagedSuppressions() }
        let now = Date()
        // Alone: inside a group's savepoint a chunk this size slows down with every statement (SQLite 3.40).
        try await writer.submit(alone: true) { database throws(StoreError) in
            _ = try SuppressionStaging.append(blocks, filter: filter, at: now, in: database)
        }
        staging.noteImport()
        staging.start(self)
        return suppressions.count
    }

    /// The rows in key order with the rows of one key folded together (file order), as a run holds them.
    static func stagedRun(_ rows: [Suppression]) -> [Suppression] {
        var run: [Suppression] = []
        run.reserveCapacity(rows.count)
        for index in keyOrder(rows) {
            let row = rows[index]
            if let last = run.last, SuppressionFold.compareKeys((last.address, last.scope), (row.address, row.scope)) == 0 {
                run[run.count - 1] = SuppressionFold.fold(last, row)
            } else {
                run.append(row)
            }
        }
        return run
    }

    /// Positions of `rows` in (address, scope) byte order, SQLite's BINARY collation; ties keep file order,
    /// so the later of two rows with one key still merges last. Indices are sorted, and compared through
    /// the rows' contiguous UTF-8 in place: copying a row per comparison cost more than the comparing.
    static func keyOrder(_ rows: [Suppression]) -> [Int] {
        rows.withUnsafeBufferPointer { rows in
            // The first 8 bytes of each address as a big-endian integer (zero-padded): comparing those
            // first decides most comparisons without touching the strings; equal prefixes compare in full.
            let prefixes = rows.map { row -> UInt64 in
                var prefix: UInt64 = 0
                var shift: UInt64 = 56
                for byte in row.address.utf8.prefix(8) {
                    prefix |= UInt64(byte) << shift
                    shift &-= 8
                }
                return prefix
            }
            var order = Array(rows.indices)
            order.sort { a, b in
                if prefixes[a] != prefixes[b] { return prefixes[a] < prefixes[b] }
                let byAddress = SuppressionFold.compareBytes(rows[a].address, rows[b].address)
                if byAddress != 0 { return byAddress < 0 }
                let byScope = SuppressionFold.compareBytes(rows[a].scope, rows[b].scope)
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
                let byDomain = SuppressionFold.compareBytes(rows[a].address, from: starts[a], rows[b].address, from: starts[b])
                if byDomain != 0 { return byDomain < 0 }
                let byAddress = SuppressionFold.compareBytes(rows[a].address, rows[b].address)
                if byAddress != 0 { return byAddress < 0 }
                let byScope = SuppressionFold.compareBytes(rows[a].scope, rows[b].scope)
                return byScope != 0 ? byScope < 0 : a < b
            }
            return order
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
            // Totals are kept by every writer of `suppressions` (`SuppressionTally`); only the (few)
            // expired-but-unpurged rows are scanned.
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
            try Self.countStaged(into: &result, at: now, in: database)
            return result
        }
    }

    /// Corrects stored counts for staged keys: the stored row's share (if active) goes, the folded row's
    /// (if active) comes. Reads every staged row, so it costs O(staged) until the merge catches up.
    private static func countStaged(into result: inout [SuppressionReason: Int], at now: Date, in database: Database) throws(StoreError) {
        var scan = try StagedScan(database, after: nil, perRun: { _ in 4096 })
        while let group = try scan.next() {
            guard let first = group.first else { continue }
            let stored = try SuppressionRows.stored(first.address, scope: first.scope, in: database)
            if let stored, SuppressionFold.isActive(stored, at: now) { result[stored.reason, default: 0] -= 1 }
            if let folded = SuppressionFold.fold(stored, group), SuppressionFold.isActive(folded, at: now) {
                result[folded.reason, default: 0] += 1
            }
        }
    }

    /// Merges what is staged (in bounded steps), then deletes expired rows in bounded jobs. A key staged
    /// meanwhile by a concurrent import may be extended by its run, so it waits for the next purge (as does
    /// any key within the address range of a block staged meanwhile).
    public func purgeExpired(at now: Date) async throws(StoreError) -> Int {
        if try await readers.read({ database throws(StoreError) in try SuppressionStaging.hasRuns(in: database) }) {
            try await drainStagedSuppressions()
        }
        return try await deleteInChunks("""
            DELETE FROM suppressions WHERE (address, scope) IN (SELECT address, scope FROM suppressions m
                WHERE expires_at IS NOT NULL AND expires_at <= ?1
                AND NOT EXISTS (SELECT 1 FROM suppression_runs r WHERE (
                    SELECT b.first_address FROM suppression_blocks b WHERE b.run = r.run AND b.last_address >= m.address
                    ORDER BY b.last_address LIMIT 1) <= m.address)
                LIMIT ?2)
            """, cutoff: now)
    }
}
