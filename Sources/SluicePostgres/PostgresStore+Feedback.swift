import Foundation
import SluiceCore

extension PostgresStore: FeedbackStore, MessageRetentionStore {
    /// Largest audit copy stored, in either form (SNS messages are at most 256 KiB; `sns.max_body_bytes` ≤ 1 MiB).
    public static let maxRawMessageBytes = 1 << 20

    public func ingest(_ message: InboundMessage, events: [RecipientEvent], policy: any RecipientEventPolicy) async throws(StoreError) -> IngestOutcome {
        guard !message.messageId.isEmpty, message.messageId.utf8.count <= 256 else {
            throw StoreError(.invalidInput, "SNS MessageId must be 1-256 bytes")
        }
        guard message.raw.count <= Self.maxRawMessageBytes else {
            throw StoreError(.invalidInput, "SNS message audit copy larger than \(Self.maxRawMessageBytes) bytes")
        }
        return try await write { connection throws(StoreError) in
            try PGFeedbackIngest.apply(message, events: events, policy: policy, in: connection)
        }
    }

    public func hasMessage(id: String) async throws(StoreError) -> Bool {
        try await read { connection throws(StoreError) in
            try connection.execute("SELECT 1 FROM sns_messages WHERE message_id = $1", [.text(id)]).rowCount > 0
        }
    }

    /// Keyed by MessageId alone here, as `ingest` deduplicates.
    public func isStored(_ message: InboundMessage) async throws(StoreError) -> Bool {
        try await hasMessage(id: message.messageId)
    }

    public func purgeMessages(olderThan cutoff: Date) async throws(StoreError) -> Int {
        try await deleteInChunks("""
            DELETE FROM sns_messages WHERE received_at < $1
                AND ctid = ANY (ARRAY(SELECT ctid FROM sns_messages WHERE received_at < $1 LIMIT $2))
            """, cutoff: cutoff)
    }

    public func purgeHistory(olderThan cutoff: Date) async throws(StoreError) -> Int {
        try await deleteInChunks("""
            DELETE FROM history WHERE recorded_at < $1
                AND ctid = ANY (ARRAY(SELECT ctid FROM history WHERE recorded_at < $1 LIMIT $2))
            """, cutoff: cutoff)
    }

    public func purgeSoftBounces(windowStartedBefore cutoff: Date) async throws(StoreError) -> Int {
        // A bounce may start a new window in the row meanwhile: see `deleteInChunks`.
        try await deleteInChunks("""
            DELETE FROM soft_bounces WHERE window_start < $1
                AND ctid = ANY (ARRAY(SELECT ctid FROM soft_bounces WHERE window_start < $1 LIMIT $2))
            """, cutoff: cutoff)
    }

    /// When the newest stored SNS message of `type` was received; nil when none is kept.
    public func lastMessageReceivedAt(type: String = "Notification") async throws(StoreError) -> Date? {
        try await read { connection throws(StoreError) in
            let result = try connection.execute(
                "SELECT received_at FROM sns_messages WHERE type = $1 ORDER BY received_at DESC LIMIT 1", [.text(type)])
            return result.rowCount > 0 ? result.date(0, 0) : nil
        }
    }

    /// Runs a `DELETE … LIMIT $2` until it deletes less than a chunk, so a purge never holds locks long.
    ///
    /// Each statement has the form `DELETE FROM t WHERE <cond> AND ctid = ANY (ARRAY(SELECT ctid FROM t WHERE
    /// <cond> LIMIT $2))`. The array is computed once and fetched by a TID scan: a chunk costs its own rows, not
    /// a scan of every row to purge (`IN (SELECT …)` was planned as a hash join over the whole table).
    ///
    /// A row another transaction changes meanwhile (a hard bounce making an expiring suppression permanent) is
    /// waited for, and under READ COMMITTED only the DELETE's own conditions are evaluated again, on the row's
    /// new version: `IN (SELECT …)` alone kept the subquery's old match and deleted it. Here `<cond>` is
    /// checked again, and so is the TID (PostgreSQL 15 does; the new version has another), so such a row is
    /// left for a later pass.
    func deleteInChunks(_ sql: String, cutoff: Date) async throws(StoreError) -> Int {
        let chunk = 5000
        var total = 0
        while true {
            let deleted = try await write { connection throws(StoreError) in
                try connection.execute(sql, [.date(cutoff), .int(chunk)]).affectedRows
            }
            total += deleted
            if deleted < chunk { return total }
        }
    }
}

/// The body of one ingest transaction.
enum PGFeedbackIngest {
    static func apply(_ message: InboundMessage, events: [RecipientEvent], policy: any RecipientEventPolicy, in connection: PGConnection) throws(StoreError) -> IngestOutcome {
        // The primary key is the global dedupe: a concurrent insert of the same id from another instance
        // waits for that transaction and then inserts nothing.
        let inserted = try connection.execute("""
            INSERT INTO sns_messages (message_id, type, topic_arn, sns_timestamp, received_at, endpoint, event_count, raw, raw_format)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (message_id) DO NOTHING
            """, [
                .text(message.messageId), .text(message.type), .text(message.topicArn), .date(message.storedTimestamp),
                .date(message.receivedAt), .text(message.endpoint), .int(events.count), .bytes(message.raw),
                .int(message.rawFormat.rawValue),
            ]).affectedRows
        guard inserted == 1 else { return .duplicate }

        try PostgresStore.lockAddresses(events.map(\.address), in: connection)
        var rows = PGFeedbackRows(connection: connection)
        try rows.applyEvents(events, of: message, policy: policy)
        try PGCounterRows.add(rows.counts, in: connection)
        return .stored(events: events.count)
    }

    fileprivate static func softBounce(of address: String, in connection: PGConnection) throws(StoreError) -> SoftBounceState? {
        let result = try connection.execute(
            "SELECT count, window_start, last_bounce, last_subtype FROM soft_bounces WHERE address = $1", [.text(address)])
        guard result.rowCount > 0 else { return nil }
        return SoftBounceState(
            address: address, count: result.int(0, 0), windowStart: result.date(0, 1),
            lastBounce: result.date(0, 2), lastSubtype: result.optionalString(0, 3))
    }

    fileprivate static func apply(_ change: SuppressionChange, in connection: PGConnection) throws(StoreError) {
        switch change {
        case .upsert(let suppression):
            try PGSuppressionRows.merge(suppression, in: connection)
        case .remove(let address, let scope, let reasons):
            for reason in reasons {
                try connection.execute(
                    "DELETE FROM suppressions WHERE address = $1 AND scope = $2 AND reason = $3",
                    [.text(address), .text(scope), .text(reason.rawValue)])
            }
        }
    }

    fileprivate static func apply(_ change: SoftBounceChange, in connection: PGConnection) throws(StoreError) {
        switch change {
        case .set(let state):
            guard !state.address.isEmpty else { throw StoreError(.invalidInput, "soft-bounce address must not be empty") }
            try connection.execute("""
                INSERT INTO soft_bounces (address, count, window_start, last_bounce, last_subtype) VALUES ($1, $2, $3, $4, $5)
                ON CONFLICT (address) DO UPDATE SET count = excluded.count, window_start = excluded.window_start,
                    last_bounce = excluded.last_bounce, last_subtype = excluded.last_subtype
                """, [.text(state.address), .int(state.count), .date(state.windowStart), .date(state.lastBounce), .freeText(state.lastSubtype)])
        case .clear(let address):
            try connection.execute("DELETE FROM soft_bounces WHERE address = $1", [.text(address)])
        }
    }

    fileprivate static func recordHistory(_ event: RecipientEvent, outcome: String, source: String, at recordedAt: Date, in connection: PGConnection) throws(StoreError) {
        try connection.execute("""
            INSERT INTO history (address, kind, original_address, ses_message_id, event_at, identity, subtype, detail,
                scope, raw_type, outcome, source, recorded_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
            """, [
                .text(event.address), .text(event.kind.rawValue), .text(event.originalAddress), .text(event.sesMessageId),
                .date(event.timestamp), .text(event.identity), .freeText(event.subtype), .freeText(event.detail),
                .text(event.scope), .text(event.rawType), .text(outcome), .text(source), .date(recordedAt),
            ])
    }
}

/// SQL for `hourly_counters` (sharded rows, summed on read).
enum PGCounterRows {
    /// The row lock of a shard is held until COMMIT returns, i.e. through the WAL flush, so two transactions
    /// that pick the same shard commit one after the other instead of in one group flush: 64 shards keep
    /// that rare at the 16+ transactions in flight of two instances (8 made it common).
    static let shards = 64

    /// One counter: an hour (Unix ms), an identity and an event kind.
    struct Key: Hashable {
        var hourStart: Int64
        var identity: String
        var kind: String

        init(identity: String, kind: EventKind, at date: Date) {
            hourStart = PGValue.milliseconds(HourlyCounter.hourStart(of: date))
            self.identity = identity
            self.kind = kind.rawValue
        }

        /// The order every transaction takes the counters' row locks in, so none waits on another in a cycle.
        static func precedes(_ a: Key, _ b: Key) -> Bool {
            if a.hourStart != b.hourStart { return a.hourStart < b.hourStart }
            if a.identity != b.identity { return a.identity.utf8.lexicographicallyPrecedes(b.identity.utf8) }
            return a.kind.utf8.lexicographicallyPrecedes(b.kind.utf8)
        }
    }

    static func add(_ count: Int, identity: String, kind: EventKind, at date: Date, in connection: PGConnection) throws(StoreError) {
        try add([Key(identity: identity, kind: kind, at: date): count], in: connection)
    }

    /// Adds each count to its counter: in key order, all in one shard picked for the call (one per
    /// transaction), so two transactions that bump the same counters lock them in the same order.
    static func add(_ counts: [Key: Int], in connection: PGConnection) throws(StoreError) {
        let shard = Int.random(in: 0..<shards)
        for (key, count) in counts.sorted(by: { Key.precedes($0.key, $1.key) }) where count != 0 {
            try connection.execute("""
                INSERT INTO hourly_counters (hour_start, identity, kind, shard, count) VALUES ($1, $2, $3, $4, $5)
                ON CONFLICT (hour_start, identity, kind, shard) DO UPDATE SET count = hourly_counters.count + excluded.count
                """, [.text(String(key.hourStart)), .text(key.identity), .text(key.kind), .int(shard), .int(count)])
        }
    }
}

/// `RecipientEventRows` on one pooled connection, inside the ingest transaction.
private struct PGFeedbackRows: RecipientEventRows {
    let connection: PGConnection
    /// The ingest's counter increments, summed per counter; written after the events, in key order.
    var counts: [PGCounterRows.Key: Int] = [:]

    func suppressions(of address: String) throws(StoreError) -> [Suppression] { try PGSuppressionRows.all(of: address, in: connection) }
    func softBounce(of address: String) throws(StoreError) -> SoftBounceState? { try PGFeedbackIngest.softBounce(of: address, in: connection) }
    func apply(_ change: SuppressionChange) throws(StoreError) { try PGFeedbackIngest.apply(change, in: connection) }
    func apply(_ change: SoftBounceChange) throws(StoreError) { try PGFeedbackIngest.apply(change, in: connection) }
    func recordHistory(_ event: RecipientEvent, outcome: String, source: String, at recordedAt: Date) throws(StoreError) {
        try PGFeedbackIngest.recordHistory(event, outcome: outcome, source: source, at: recordedAt, in: connection)
    }
    func isRecorded(_ event: RecipientEvent) throws(StoreError) -> Bool {
        try connection.execute(
            "SELECT 1 FROM history WHERE ses_message_id = $1 AND address = $2 AND kind = $3 AND event_at = $4 LIMIT 1",
            [.text(event.sesMessageId), .text(event.address), .text(event.kind.rawValue), .date(event.timestamp)]
        ).rowCount > 0
    }
    mutating func count(_ event: RecipientEvent) throws(StoreError) {
        counts[PGCounterRows.Key(identity: event.identity, kind: event.kind, at: event.timestamp), default: 0] += 1
    }
}
