import Foundation

/// A verified SNS message to be stored together with the SES events it carries.
public struct InboundMessage: Sendable, Equatable {
    /// SNS MessageId: with `timestamp`, the durable dedupe key (a redelivery repeats both: SNS signs them).
    public var messageId: String
    public var type: String
    public var topicArn: String
    /// SNS Timestamp; nil for raw message delivery, which carries none.
    public var timestamp: Date?
    public var receivedAt: Date
    /// Endpoint name (`default` for `/sns`, else `{name}` of `/sns/{name}`).
    public var endpoint: String
    /// The raw HTTP body kept for audit, in `rawFormat`.
    public var raw: [UInt8]
    /// `identity` from the endpoint (compressed later in the background), `zlib` when already compressed.
    public var rawFormat: AuditCopyFormat

    public init(messageId: String, type: String, topicArn: String, timestamp: Date?, receivedAt: Date, endpoint: String, raw: [UInt8], rawFormat: AuditCopyFormat) {
        self.messageId = messageId
        self.type = type
        self.topicArn = topicArn
        self.timestamp = timestamp
        self.receivedAt = receivedAt
        self.endpoint = endpoint
        self.raw = raw
        self.rawFormat = rawFormat
    }

    /// A message whose audit copy is already a zlib stream.
    public init(messageId: String, type: String, topicArn: String, timestamp: Date?, receivedAt: Date, endpoint: String, rawCompressed: [UInt8]) {
        self.init(
            messageId: messageId, type: type, topicArn: topicArn, timestamp: timestamp, receivedAt: receivedAt,
            endpoint: endpoint, raw: rawCompressed, rawFormat: .zlib)
    }

    /// The `sns_timestamp` the stores keep: the SNS Timestamp, or the Unix epoch for a raw delivery, so
    /// that its retries (same MessageId, no Timestamp) share one dedupe key.
    public var storedTimestamp: Date { timestamp ?? Date(timeIntervalSince1970: 0) }
}

/// Result of an ingest.
public enum IngestOutcome: Sendable, Equatable {
    /// Committed durably (fsynced) in this call.
    case stored(events: Int)
    /// The MessageId was already stored; nothing was changed.
    case duplicate
}

/// One entry of an address's history: an event and what the policy decided.
public struct HistoryEntry: Sendable, Equatable, Codable {
    public var event: RecipientEvent
    public var outcome: String
    /// SNS MessageId or `operator:<name>`.
    public var source: String
    public var recordedAt: Date

    public init(event: RecipientEvent, outcome: String, source: String, recordedAt: Date) {
        self.event = event
        self.outcome = outcome
        self.source = source
        self.recordedAt = recordedAt
    }
}

/// Ingestion of SNS/SES feedback: atomic, durable, idempotent per SNS MessageId.
public protocol FeedbackStore: Sendable {
    /// Stores the message, applies `policy` to each event against the current state, records history and
    /// hourly counters, all in one transaction, and returns only after the commit is synced.
    /// Implementations group concurrent calls into one commit.
    func ingest(_ message: InboundMessage, events: [RecipientEvent], policy: any RecipientEventPolicy) async throws(StoreError) -> IngestOutcome
    /// Whether a MessageId was already stored.
    func hasMessage(id: String) async throws(StoreError) -> Bool
    /// Whether `message` was already stored, by the key `ingest` deduplicates on (an index lookup): for
    /// messages that act before they are stored (subscription confirmations), so a redelivery does not act twice.
    func isStored(_ message: InboundMessage) async throws(StoreError) -> Bool
}
