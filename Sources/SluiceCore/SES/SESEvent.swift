import Foundation

/// One SES notification (identity feedback or configuration-set event) split into recipient events.
public struct SESEvent: Sendable, Equatable {
    /// Which SES feature produced the notification.
    public enum Format: String, Sendable, Codable {
        /// Identity feedback notifications (`notificationType`).
        case identityNotification
        /// Configuration-set event publishing (`eventType`).
        case eventPublishing
    }

    public var format: Format
    /// `eventType` or `notificationType` as sent (`Rendering Failure` keeps its space).
    public var rawType: String
    /// The kind of the whole notification (a bounce's kind follows its `bounceType`).
    public var kind: EventKind
    /// SES `mail.messageId`.
    public var messageId: String
    /// The event's own timestamp (bounce/complaint/delivery/...), else `mail.timestamp`; nil only for
    /// an unknown type that carries neither.
    public var timestamp: Date?
    /// `mail.timestamp`: when SES accepted the message.
    public var mailTimestamp: Date?
    /// `mail.tags` (event publishing only).
    public var tags: [String: [String]]
    /// `mail.source`: the envelope sender.
    public var source: String
    /// `mail.commonHeaders.from`, when present.
    public var from: [String]
    /// `ses:configuration-set` tag, when present.
    public var configurationSet: String?
    /// Sending identity: `ses:from-domain` tag, else the domain of From, `mail.source` or `mail.sourceArn`.
    public var identity: String
    /// One event per recipient (or one with an empty address when the event names none).
    public var recipientEvents: [RecipientEvent]
    /// Recipient addresses that could not be normalised and were skipped; the caller logs them.
    public var invalidAddresses: [String]

    public init(
        format: Format, rawType: String, kind: EventKind, messageId: String, timestamp: Date?,
        mailTimestamp: Date? = nil, tags: [String: [String]] = [:], source: String = "", from: [String] = [],
        configurationSet: String? = nil, identity: String = "", recipientEvents: [RecipientEvent] = [],
        invalidAddresses: [String] = []
    ) {
        self.format = format
        self.rawType = rawType
        self.kind = kind
        self.messageId = messageId
        self.timestamp = timestamp
        self.mailTimestamp = mailTimestamp
        self.tags = tags
        self.source = source
        self.from = from
        self.configurationSet = configurationSet
        self.identity = identity
        self.recipientEvents = recipientEvents
        self.invalidAddresses = invalidAddresses
    }
}
