import Foundation
import SluiceCore

extension SQLiteStore: FeedbackStore, MessageRetentionStore {
    /// Largest audit copy stored, in either form (SNS messages are at most 256 KiB; `sns.max_body_bytes` ≤ 1 MiB).
    public static let maxRawMessageBytes = 1 << 20

    public func ingest(_ message: InboundMessage, events: [RecipientEvent], policy: any RecipientEventPolicy) async throws(StoreError) -> IngestOutcome {
        guard !message.messageId.isEmpty, message.messageId.utf8.count <= 256 else {
            throw StoreError(.invalidInput, "SNS MessageId must be 1-256 bytes")
        }
        guard message.raw.count <= Self.maxRawMessageBytes else {
            throw StoreError(.invalidInput, "SNS message audit copy larger than \(Self.maxRawMessageBytes) bytes")
        }
        return try await writer.submit { database throws(StoreError) in
            try FeedbackIngest.apply(message, events: events, policy: policy, in: database)
        }
    }

    /// Scans the dedupe index, which leads with the SNS Timestamp (schema v10): for tests and diagnostics.
    public func hasMessage(id: String) async throws(StoreError) -> Bool {
        try await readers.read { database throws(StoreError) in
            let statement = try database.statement("SELECT 1 FROM sns_messages WHERE message_id = ?1")
            defer { statement.reset() }
            statement.bind(id, at: 1)
            return try statement.step()
        }
    }

    /// The dedupe index's key (schema v10): `(sns_timestamp, message_id)`.
    public func isStored(_ message: InboundMessage) async throws(StoreError) -> Bool {
        try await readers.read { database throws(StoreError) in
            let statement = try database.statement("SELECT 1 FROM sns_messages WHERE sns_timestamp = ?1 AND message_id = ?2")
            defer { statement.reset() }
            statement.bind(message.storedTimestamp, at: 1)
            statement.bind(message.messageId, at: 2)
            return try statement.step()
        }
    }

    public func purgeMessages(olderThan cutoff: Date) async throws(StoreError) -> Int {
        let purged = try await deleteInChunks("""
            DELETE FROM sns_messages WHERE rowid IN
                (SELECT rowid FROM sns_messages WHERE received_at < ?1 LIMIT ?2)
            """, cutoff: cutoff)
        // Only after the rows: a pack goes once its newest member is past the cutoff, so no kept row points at it.
        _ = try await purgeAuditPacks(olderThan: cutoff)
        return purged
    }

    public func purgeHistory(olderThan cutoff: Date) async throws(StoreError) -> Int {
        try await deleteInChunks("""
            DELETE FROM history WHERE id IN (SELECT id FROM history WHERE recorded_at < ?1 LIMIT ?2)
            """, cutoff: cutoff)
    }

    public func purgeSoftBounces(windowStartedBefore cutoff: Date) async throws(StoreError) -> Int {
        try await deleteInChunks("""
            DELETE FROM soft_bounces WHERE address IN (SELECT address FROM soft_bounces WHERE window_start < ?1 LIMIT ?2)
            """, cutoff: cutoff)
    }

    /// Runs a `DELETE … LIMIT ?2` job until it deletes less than a chunk, so a large purge never holds the
    /// writer (and the ingest latency behind it) for long.
    func deleteInChunks(_ sql: String, cutoff: Date, chunk: Int = 5000) async throws(StoreError) -> Int {
        var total = 0
        while true {
            let deleted = try await writer.submit { database throws(StoreError) in
                try database.run(sql) {
                    $0.bind(cutoff, at: 1)
                    $0.bind(chunk, at: 2)
                }
            }
            total += deleted
            if deleted < chunk { return total }
        }
    }
}

/// The body of one ingest job, run on the writer thread inside its group's transaction (only there: the body
/// of a packed copy reaches the file when the writer flushes the transaction's pack).
enum FeedbackIngest {
    static func apply(_ message: InboundMessage, events: [RecipientEvent], policy: any RecipientEventPolicy, in database: Database) throws(StoreError) -> IngestOutcome {
        let statements = try FeedbackStatements.of(database)
        // The body joins the pack of this transaction (`AuditPackBuffer`) unless it is large or already
        // compressed; then it stays in the row, as before schema v9.
        let packed = message.rawFormat == .identity && message.raw.count <= AuditPackBuffer.maxPackedBodyBytes
        let placement = packed ? try statements.auditPack.placement(forBytes: message.raw.count, in: database) : nil
        let inserted = try statements.insertMessage.run {
            $0.bind(message.messageId, at: 1)
            $0.bind(message.type, at: 2)
            $0.bind(message.topicArn, at: 3)
            $0.bind(message.storedTimestamp, at: 4)
            $0.bind(message.receivedAt, at: 5)
            $0.bind(message.endpoint, at: 6)
            $0.bind(events.count, at: 7)
            if let placement {
                $0.bind([], at: 8)
                $0.bind(SQLiteStore.packedRawFormat, at: 9)
                $0.bind(placement.pack, at: 10)
                $0.bind(placement.offset, at: 11)
                $0.bind(message.raw.count, at: 12)
            } else {
                $0.bind(message.raw, at: 8)
                $0.bind(message.rawFormat.rawValue, at: 9)
                $0.bindNull(at: 10)
                $0.bindNull(at: 11)
                $0.bindNull(at: 12)
            }
        }
        guard inserted == 1 else { return .duplicate }
        if placement != nil { statements.auditPack.append(message.raw, receivedAt: Statement.milliseconds(message.receivedAt)) }

        var rows = FeedbackRows(database: database, statements: statements)
        try rows.applyEvents(events, of: message, policy: policy)
        return .stored(events: events.count)
    }
}

/// `RecipientEventRows` on the writer's connection, inside the ingest job's transaction.
private struct FeedbackRows: RecipientEventRows {
    let database: Database
    let statements: FeedbackStatements

    func suppressions(of address: String) throws(StoreError) -> [Suppression] {
        // Imported rows still staged are moved in first: the policy must see them (a permanent manual row is
        // never replaced), and a removal must find them. Without staged runs this is one empty-table step.
        try SuppressionStaging.absorb(address, in: database)
        let statement = statements.suppressions
        defer { statement.reset() }
        statement.bind(address, at: 1)
        var result: [Suppression] = []
        while try statement.step() { result.append(SuppressionRows.read(statement)) }
        return result
    }

    func softBounce(of address: String) throws(StoreError) -> SoftBounceState? {
        let statement = statements.softBounce
        defer { statement.reset() }
        statement.bind(address, at: 1)
        guard try statement.step() else { return nil }
        return SoftBounceState(
            address: address, count: statement.int(at: 0), windowStart: statement.date(at: 1),
            lastBounce: statement.date(at: 2), lastSubtype: statement.optionalString(at: 3)
        )
    }

    func apply(_ change: SuppressionChange) throws(StoreError) {
        switch change {
        case .upsert(let suppression):
            try SuppressionRows.merge(
                suppression, with: statements.mergeSuppression, in: database, tally: &statements.suppressionCounts.tally)
        case .remove(let address, let scope, let reasons):
            for reason in reasons {
                try statements.removeSuppression.run {
                    $0.bind(address, at: 1)
                    $0.bind(scope, at: 2)
                    $0.bind(reason.rawValue, at: 3)
                }
            }
        }
    }

    func apply(_ change: SoftBounceChange) throws(StoreError) {
        switch change {
        case .set(let state):
            guard !state.address.isEmpty else { throw StoreError(.invalidInput, "soft-bounce address must not be empty") }
            try statements.setSoftBounce.run {
                $0.bind(state.address, at: 1)
                $0.bind(state.count, at: 2)
                $0.bind(state.windowStart, at: 3)
                $0.bind(state.lastBounce, at: 4)
                $0.bind(state.lastSubtype, at: 5)
            }
        case .clear(let address):
            try statements.clearSoftBounce.run { $0.bind(address, at: 1) }
        }
    }

    func recordHistory(_ event: RecipientEvent, outcome: String, source: String, at recordedAt: Date) throws(StoreError) {
        try statements.insertHistory.run {
            $0.bind(event.address, at: 1)
            $0.bind(event.kind.rawValue, at: 2)
            $0.bind(event.originalAddress, at: 3)
            $0.bind(event.sesMessageId, at: 4)
            $0.bind(event.timestamp, at: 5)
            $0.bind(event.identity, at: 6)
            $0.bind(event.subtype, at: 7)
            $0.bind(event.detail, at: 8)
            $0.bind(event.scope, at: 9)
            $0.bind(event.rawType, at: 10)
            $0.bind(outcome, at: 11)
            $0.bind(source, at: 12)
            $0.bind(recordedAt, at: 13)
        }
    }

    func isRecorded(_ event: RecipientEvent) throws(StoreError) -> Bool {
        let statement = statements.historyHolds
        defer { statement.reset() }
        statement.bind(event.sesMessageId, at: 1)
        statement.bind(event.address, at: 2)
        statement.bind(event.kind.rawValue, at: 3)
        statement.bind(event.timestamp, at: 4)
        return try statement.step()
    }

    func count(_ event: RecipientEvent) throws(StoreError) {
        statements.counters.add(event)
    }
}
