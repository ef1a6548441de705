import Foundation

/// The kind of an SES event, as counted and stored. Raw values are database/metrics contracts.
public enum EventKind: String, Sendable, Codable, CaseIterable {
    case send
    case delivery
    case hardBounce = "hard_bounce"
    case softBounce = "soft_bounce"
    case undeterminedBounce = "undetermined_bounce"
    case complaint
    case reject
    case deliveryDelay = "delivery_delay"
    case open
    case click
    case renderingFailure = "rendering_failure"
    case subscription
    case unknown
    /// Not an SES event type: the hourly counter of SES Send events. The send gate counts its own sends as
    /// `send`; SES publishes a Send event for the same mail when a configuration set asks for it. Kept
    /// apart, monitoring takes the larger of the two per hour and identity (`CounterSample.reconcilingSends`)
    /// instead of adding them.
    case sesSend = "ses_send"
}

/// One recipient's view of one SES event: what the policy decides on and the store records.
/// A multi-recipient SES event yields one of these per recipient.
public struct RecipientEvent: Sendable, Equatable, Codable {
    public var kind: EventKind
    /// Normalised address (matching key); empty for events with no recipient (e.g. Rendering Failure).
    public var address: String
    public var originalAddress: String
    /// SES `mail.messageId`.
    public var sesMessageId: String
    /// When SES says it happened (bounce/complaint/delivery timestamp, else mail.timestamp).
    public var timestamp: Date
    /// Sending identity used for per-identity counters: `ses:from-domain` tag, else the From/source domain.
    public var identity: String
    /// `bounceSubType`, `complaintFeedbackType`, `delayType`, reject reason...
    public var subtype: String?
    /// `complaintSubType`, diagnostic code, SMTP status... free text for history.
    public var detail: String?
    /// Contact list / topic for Subscription and UnsubscribedRecipient events ("" = none).
    public var scope: String
    /// The raw SES type string (`eventType` or `notificationType`) for unknown kinds.
    public var rawType: String

    /// A feedback report saying the mail is *not* spam (ARF `not-spam`): it can lift a complaint and never
    /// counts as one towards the complaint rate.
    public var isNotSpamReport: Bool { kind == .complaint && subtype?.lowercased() == "not-spam" }

    /// SES did not send the mail: the address is on the account-level suppression list (bounce subtype, or
    /// `complaintSubType`, `OnAccountSuppressionList`). SES leaves these out of the account's rates.
    public var isAccountListRefusal: Bool {
        switch kind {
        case .hardBounce, .softBounce, .undeterminedBounce: subtype == "OnAccountSuppressionList"
        case .complaint: detail == "OnAccountSuppressionList"
        default: false
        }
    }

    /// Whether the event counts towards the rates monitoring judges, as SES counts them: not a `not-spam`
    /// report, not mail SES refused for its account list, not mail to the mailbox simulator. Such events
    /// still decide suppressions and stay in the history.
    public var countsTowardsRates: Bool {
        !isNotSpamReport && !isAccountListRefusal && !SESMailboxSimulator.isSimulator(address)
    }

    public init(
        kind: EventKind, address: String, originalAddress: String? = nil, sesMessageId: String,
        timestamp: Date, identity: String = "", subtype: String? = nil, detail: String? = nil,
        scope: String = "", rawType: String = ""
    ) {
        self.kind = kind
        self.address = address
        self.originalAddress = originalAddress ?? address
        self.sesMessageId = sesMessageId
        self.timestamp = timestamp
        self.identity = identity
        self.subtype = subtype
        self.detail = detail
        self.scope = scope
        self.rawType = rawType
    }
}
