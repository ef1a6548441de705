import Foundation

/// The first answer given for an `Idempotency-Key`, replayed for repeats of the same request.
public struct IdempotencyRecord: Sendable, Equatable {
    public var key: String
    /// SHA-256 (hex) of the request body: a repeat with another body is a conflict.
    public var requestHash: String
    /// The HTTP status first answered (202 or 422).
    public var status: Int
    /// The JSON body first answered.
    public var body: [UInt8]
    /// The message it created, if any.
    public var messageId: String?
    public var createdAt: Date

    public init(key: String, requestHash: String, status: Int, body: [UInt8], messageId: String?, createdAt: Date) {
        self.key = key
        self.requestHash = requestHash
        self.status = status
        self.body = body
        self.messageId = messageId
        self.createdAt = createdAt
    }
}

/// What an idempotent write did.
public enum IdempotentWriteOutcome: Sendable, Equatable {
    /// Written now (the message, if any, is queued and durable).
    case stored
    /// The key was already used with the same body: answer with this record, write nothing.
    case replay(IdempotencyRecord)
    /// The key was already used with another body: 409.
    case conflict
}

/// `Idempotency-Key` records for `POST /v1/messages`; kept at least 24 h.
public protocol IdempotencyStore: Sendable {
    /// The record for `key`, if kept.
    func idempotencyRecord(key: String) async throws(StoreError) -> IdempotencyRecord?
    /// Records an answer that queued nothing (e.g. 422), unless the key exists (then replay or conflict).
    func saveIdempotency(_ record: IdempotencyRecord) async throws(StoreError) -> IdempotentWriteOutcome
    /// Deletes records created before `date`; returns how many.
    func purgeIdempotency(createdBefore date: Date) async throws(StoreError) -> Int
}
