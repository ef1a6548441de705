import Foundation

/// One message in the durable send queue, as stored.
public struct QueuedMessage: Sendable, Equatable {
    public var id: String
    public var state: MessageState
    public var message: OutboundMessage
    /// Recipients removed by the suppression gate (at accept time and before sending).
    public var suppressed: [DroppedRecipient]
    /// SES calls started for it.
    public var attempts: Int
    /// Not sent before this time (backoff).
    public var nextAttemptAt: Date
    public var sesMessageId: String?
    /// The last error (kept after a successful retry too, for diagnosis).
    public var error: String?
    /// For the outbox transport: the recorded would-be SES request (JSON).
    public var outbox: String?
    public var createdAt: Date
    public var updatedAt: Date
    /// When it was last marked `sending`.
    public var claimedAt: Date?

    public init(
        id: String, state: MessageState = .queued, message: OutboundMessage, suppressed: [DroppedRecipient] = [],
        attempts: Int = 0, nextAttemptAt: Date, sesMessageId: String? = nil, error: String? = nil,
        outbox: String? = nil, createdAt: Date, updatedAt: Date? = nil, claimedAt: Date? = nil
    ) {
        self.id = id
        self.state = state
        self.message = message
        self.suppressed = suppressed
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.sesMessageId = sesMessageId
        self.error = error
        self.outbox = outbox
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
        self.claimedAt = claimedAt
    }
}

/// A due message as the dispatcher sees it (no payload).
///
/// Equality leaves out `payloadBytes`: it is a weight read along with the listing for the in-flight byte
/// budget, not part of which message is due for how many recipients.
public struct ReadyMessage: Sendable, Equatable {
    public var id: String
    public var identity: String
    public var recipientCount: Int
    /// Size of the stored payload (0 when unknown): what the message's SES call will hold in memory, a few
    /// times over (`SendGateConfiguration.maxInflightBytes`).
    public var payloadBytes: Int

    public init(id: String, identity: String, recipientCount: Int, payloadBytes: Int = 0) {
        self.id = id
        self.identity = identity
        self.recipientCount = recipientCount
        self.payloadBytes = payloadBytes
    }

    public static func == (lhs: ReadyMessage, rhs: ReadyMessage) -> Bool {
        lhs.id == rhs.id && lhs.identity == rhs.identity && lhs.recipientCount == rhs.recipientCount
    }
}
