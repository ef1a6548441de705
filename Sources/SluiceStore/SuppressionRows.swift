import Foundation
import SluiceCore

/// SQL for the `suppressions` table shared by ingest, lookups and management.
enum SuppressionRows {
    static let columns = "address, scope, original_address, reason, detail, first_seen, last_seen, count, source, expires_at"

    /// Reads a row selected with `columns` starting at column `first`.
    static func read(_ statement: Statement, from first: Int32 = 0) -> Suppression {
        Suppression(
            address: statement.string(at: first),
            originalAddress: statement.string(at: first + 2),
            scope: statement.string(at: first + 1),
            // An unknown reason (written by a newer build) must still block mail.
            reason: SuppressionReason(rawValue: statement.string(at: first + 3)) ?? .manual,
            detail: statement.optionalString(at: first + 4),
            firstSeen: statement.date(at: first + 5),
            lastSeen: statement.date(at: first + 6),
            count: statement.int(at: first + 7),
            source: statement.string(at: first + 8),
            expiresAt: statement.optionalDate(at: first + 9)
        )
    }

    /// Every suppression of `address`, in any scope, active or not, on the writer: its staged rows are
    /// absorbed into `suppressions` first, so the caller may change or delete the rows with plain SQL.
    static func all(of address: String, in database: Database) throws(StoreError) -> [Suppression] {
        try SuppressionStaging.absorb(address, in: database)
        let statement = try database.statement("SELECT \(columns) FROM suppressions WHERE address = ?1")
        defer { statement.reset() }
        statement.bind(address, at: 1)
        var result: [Suppression] = []
        while try statement.step() { result.append(read(statement)) }
        return result
    }

    /// Every suppression of `address` as readers see it: stored rows folded with staged ones, in key order.
    /// One statement (`SuppressionStaging.mainAndStagedSQL`): one snapshot, so a merge step moving the key
    /// between the two tables is seen either wholly before or after.
    static func merged(of address: String, in database: Database) throws(StoreError) -> [Suppression] {
        let statement = try database.statement(SuppressionStaging.mainAndStagedSQL)
        defer { statement.reset() }
        statement.bind(address, at: 1)
        return SuppressionStaging.fold(try SuppressionStaging.mainAndStaged(of: address, from: statement))
    }

    /// The stored row with this key (not its staged rows), nil when there is none.
    static func stored(_ address: String, scope: String, in database: Database) throws(StoreError) -> Suppression? {
        let statement = try database.statement("SELECT \(columns) FROM suppressions WHERE address = ?1 AND scope = ?2")
        defer { statement.reset() }
        statement.bind(address, at: 1)
        statement.bind(scope, at: 2)
        return try statement.step() ? read(statement) : nil
    }

    /// Whether `suppression` can be stored.
    static func validate(_ suppression: Suppression) throws(StoreError) {
        guard !suppression.address.isEmpty, suppression.address.utf8.count <= 512 else {
            throw StoreError(.invalidInput, "suppression address must be 1-512 bytes")
        }
        guard suppression.scope.utf8.count <= 512, suppression.source.utf8.count <= 1024 else {
            throw StoreError(.invalidInput, "suppression scope or source too long")
        }
        guard suppression.count >= 0 else { throw StoreError(.invalidInput, "suppression count must not be negative") }
    }

    /// Inserts, or merges into the row with the same key as ingest does (`Suppression.merging`): earliest
    /// firstSeen, counts added, the spelling first seen kept, everything else from `suppression`. Counts the
    /// change at once.
    static func merge(_ suppression: Suppression, in database: Database) throws(StoreError) {
        var tally = SuppressionTally()
        try merge(suppression, with: MergeStatements(database), in: database, tally: &tally)
        try tally.flush(in: database)
    }

    /// `merge` with statements prepared once; the count change goes to `tally`, which the caller flushes
    /// in the same transaction (the SNS ingest: once per group commit, `SuppressionCountBuffer`).
    static func merge(
        _ suppression: Suppression, with statements: MergeStatements, in database: Database, tally: inout SuppressionTally
    ) throws(StoreError) {
        try validate(suppression)
        try SuppressionStaging.absorb(suppression.address, in: database)
        try statements.upsert(suppression, tally: &tally)
    }

    /// The statements of a merge, prepared (or taken from the cache) once for a whole chunk, or once per
    /// connection (`FeedbackStatements`). Holds no `Database`, so a connection can keep it.
    ///
    /// Two rules: `upsert` is ingest's (`Suppression.merging`: the policy has decided already), `merge` and
    /// `mergeWithoutDomain` move staged, i.e. imported, rows in (`Suppression.mergingImport`, never weakening).
    struct MergeStatements {
        let insert: Statement
        let domain: Statement
        let reason: Statement
        let update: Statement
        let importUpdate: Statement

        init(_ database: Database) throws(StoreError) {
            insert = try database.statement(insertNewSQL)
            domain = try database.statement(domainSQL)
            reason = try database.statement(reasonSQL)
            // The count saturates as `Suppression.merging` does (SQLite would turn an overflowing sum into a
            // REAL); both counts are non-negative (`validate`), so the subtraction cannot overflow.
            update = try database.statement("""
                UPDATE suppressions SET
                    first_seen = min(first_seen, ?6),
                    count = CASE WHEN count > 9223372036854775807 - ?8 THEN 9223372036854775807 ELSE count + ?8 END,
                    reason = ?4, detail = ?5, last_seen = max(last_seen, ?7), source = ?9, expires_at = ?10, changed_at = \(nowSQL)
                WHERE address = ?1 AND scope = ?2
                """)
            importUpdate = try database.statement(importUpdateSQL)
        }

        /// Merges one row by ingest's rule and writes its `suppression_domains` entry when the key is new.
        func upsert(_ suppression: Suppression, tally: inout SuppressionTally) throws(StoreError) {
            if try write(suppression, imported: false, tally: &tally) { try listDomain(of: suppression) }
        }

        /// Merges one imported row and writes its `suppression_domains` entry when the key is new.
        func merge(_ suppression: Suppression, tally: inout SuppressionTally) throws(StoreError) {
            if try mergeWithoutDomain(suppression, tally: &tally) { try listDomain(of: suppression) }
        }

        /// Merges one imported row: a plain insert first, for a new key (the common case in an import) the
        /// only statement. Returns true when the key was new; its domain entry is then up to the caller
        /// (`listDomain`), so an import can add a chunk's entries in domain order.
        func mergeWithoutDomain(_ suppression: Suppression, tally: inout SuppressionTally) throws(StoreError) -> Bool {
            try write(SuppressionRows.currentKey(suppression), imported: true, tally: &tally)
        }

        private func write(_ suppression: Suppression, imported: Bool, tally: inout SuppressionTally) throws(StoreError) -> Bool {
            if try SuppressionRows.insertNew(suppression, with: insert) {
                tally.inserted(suppression.reason.rawValue)
                return true
            }
            let old = try SuppressionRows.reason(of: suppression.address, scope: suppression.scope, with: reason)
            let statement = imported ? importUpdate : update
            defer { statement.reset() }
            bind(suppression, domain: nil, to: statement)
            if imported { statement.bind(suppression.reason.precedence, at: 11) }
            while try statement.step() {}
            if let old {
                // `importUpdateSQL` keeps a stored reason of higher precedence (an unknown one ranks as manual).
                let stored = (SuppressionReason(rawValue: old) ?? .manual).precedence
                let kept = imported && stored > suppression.reason.precedence
                tally.changed(from: old, to: kept ? old : suppression.reason.rawValue)
            }
            return false
        }

        /// Adds the `suppression_domains` entry of a row just inserted.
        func listDomain(of suppression: Suppression) throws(StoreError) {
            try SuppressionRows.listDomain(of: SuppressionRows.currentKey(suppression), with: domain)
        }
    }

    /// `Suppression.mergingImport` as an UPDATE of the row with key ?1, ?2 by the row bound as ?1…?10, with
    /// the precedence of its reason as ?11. Every SET expression reads the row as it was before the UPDATE.
    static let importUpdateSQL = """
        UPDATE suppressions SET
            first_seen = min(first_seen, ?6),
            last_seen = max(last_seen, ?7),
            count = max(count, ?8),
            reason = CASE WHEN ?11 >= \(precedenceSQL) THEN ?4 ELSE reason END,
            detail = CASE WHEN ?11 >= \(precedenceSQL) THEN ?5 ELSE detail END,
            source = CASE WHEN ?11 >= \(precedenceSQL) THEN ?9 ELSE source END,
            expires_at = CASE WHEN expires_at IS NULL OR ?10 IS NULL THEN NULL ELSE max(expires_at, ?10) END,
            changed_at = \(nowSQL)
        WHERE address = ?1 AND scope = ?2
        """

    /// `SuppressionReason.precedence` of the stored `reason` column; an unknown reason (a newer build's) ranks
    /// as manual, as `read` reads it.
    static let precedenceSQL = "(CASE reason "
        + SuppressionReason.allCases.filter { $0 != .manual }.map { "WHEN '\($0.rawValue)' THEN \($0.precedence) " }.joined()
        + "ELSE \(SuppressionReason.manual.precedence) END)"

    /// `suppression` under the key this build makes when it carries one written before needless quotes were
    /// dropped (`"a..b"@x`): a run staged by an older build is merged under the key that schema v14 gave
    /// the stored rows.
    static func currentKey(_ suppression: Suppression) -> Suppression {
        guard suppression.address.utf8.first == UInt8(ascii: "\""),
              let key = AddressNormalizer.unquotedLegacyKey(suppression.address)
        else { return suppression }
        var rekeyed = suppression
        rekeyed.address = key
        return rekeyed
    }

    /// Inserts or overwrites every column of the row with the same key.
    static func replace(_ suppression: Suppression, in database: Database) throws(StoreError) {
        try validate(suppression)
        try SuppressionStaging.absorb(suppression.address, in: database)
        var tally = SuppressionTally()
        if try insertNew(suppression, with: database.statement(insertNewSQL)) {
            try listDomain(of: suppression, with: database.statement(domainSQL))
            tally.inserted(suppression.reason.rawValue)
        } else {
            let old = try reason(of: suppression.address, scope: suppression.scope, with: database.statement(reasonSQL))
            try database.run("""
                UPDATE suppressions SET
                    original_address = ?3, reason = ?4, detail = ?5, first_seen = ?6, last_seen = ?7, count = ?8,
                    source = ?9, expires_at = ?10, changed_at = \(nowSQL)
                WHERE address = ?1 AND scope = ?2
                """) { bind(suppression, domain: nil, to: $0) }
            if let old { tally.changed(from: old, to: suppression.reason.rawValue) }
        }
        try tally.flush(in: database)
    }

    /// The time of the write in Unix milliseconds, for `changed_at` (schema v12). SQLite's `'now'` is the
    /// same for a whole statement; `unixepoch('subsec')` needs 3.42, Debian 12 ships 3.40.
    static let nowSQL = "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)"

    private static let insertNewSQL = """
        INSERT INTO suppressions (\(columns), domain, changed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, \(nowSQL))
        ON CONFLICT (address, scope) DO NOTHING
        """
    // Schema v4: the domain filter's entries, written by the store (see `Schema.v4`).
    private static let domainSQL = """
        INSERT INTO suppression_domains (domain, address, scope) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING
        """
    private static let reasonSQL = "SELECT reason FROM suppressions WHERE address = ?1 AND scope = ?2"

    /// Inserts `suppression` with `insertNewSQL` unless its key exists; true when it did.
    private static func insertNew(_ suppression: Suppression, with statement: Statement) throws(StoreError) -> Bool {
        try statement.run { bind(suppression, domain: domain(of: suppression.address), to: $0) } == 1
    }

    /// Writes the `suppression_domains` entry of `suppression` with `domainSQL`.
    private static func listDomain(of suppression: Suppression, with statement: Statement) throws(StoreError) {
        defer { statement.reset() }
        statement.bind(domain(of: suppression.address), at: 1)
        statement.bind(suppression.address, at: 2)
        statement.bind(suppression.scope, at: 3)
        while try statement.step() {}
    }

    /// The stored reason of the row with this key (`reasonSQL`), nil when there is none.
    private static func reason(of address: String, scope: String, with statement: Statement) throws(StoreError) -> String? {
        defer { statement.reset() }
        statement.bind(address, at: 1)
        statement.bind(scope, at: 2)
        return try statement.step() ? statement.string(at: 0) : nil
    }

    /// Binds ?1…?10 (the `columns`) and ?11 (the domain) when given; UPDATEs have no ?11.
    static func bind(_ suppression: Suppression, domain: String?, to statement: Statement) {
        statement.bind(suppression.address, at: 1)
        statement.bind(suppression.scope, at: 2)
        statement.bind(suppression.originalAddress, at: 3)
        statement.bind(suppression.reason.rawValue, at: 4)
        statement.bind(suppression.detail, at: 5)
        statement.bind(suppression.firstSeen, at: 6)
        statement.bind(suppression.lastSeen, at: 7)
        statement.bind(suppression.count, at: 8)
        statement.bind(suppression.source, at: 9)
        statement.bind(suppression.expiresAt, at: 10)
        if let domain { statement.bind(domain, at: 11) }
    }

    /// The part after the last `@` (the whole address when there is none).
    static func domain(of address: String) -> String {
        guard let at = address.utf8.lastIndex(of: UInt8(ascii: "@")) else { return address }
        return String(address[address.utf8.index(after: at)...])
    }

    /// Scopes whose suppressions apply to mail in `scope`: "", the list, and the list/topic.
    static func matchingScopes(_ scope: String?) -> (list: String, topic: String) {
        guard let scope, !scope.isEmpty else { return ("", "") }
        let list = scope.split(separator: "/", maxSplits: 1).first.map(String.init) ?? scope
        return (list, scope)
    }
}
