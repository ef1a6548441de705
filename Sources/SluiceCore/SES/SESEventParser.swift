import Foundation

/// Reads the JSON an SES notification carries in the SNS `Message` field.
public enum SESEventParser {
    /// SNS caps messages at 256 KiB; anything much larger is not from SES.
    public static let maxMessageBytes = 1 << 20
    /// `mail.tags` key that names the SES contact list of a list-managed send, set by the sender (SES tags
    /// cannot use `ses:`; Sluice's own send gate does not use SES contact lists). Scopes an
    /// `UnsubscribedRecipient` bounce to that list; without it the bounce suppresses the address everywhere.
    public static let contactListTag = "sluice-contact-list"
    /// `mail.tags` key naming the topic of a list-managed send (with `contactListTag`).
    public static let topicTag = "sluice-topic"
    /// Subscription-event subtype: the contact left the whole list.
    public static let unsubscribeAllSubtype = "UnsubscribeAll"
    /// Subscription-event subtype: the contact opted out of one topic.
    public static let optOutSubtype = "OptOut"
    /// Subscription-event subtype: preferences changed with no opt-out.
    public static let optInSubtype = "OptIn"

    /// Parses an SES message (UTF-8 JSON).
    /// - Throws: `SESEventError` when the input is not an SES notification; unknown types and
    ///   unknown fields are not errors, and invalid recipients are skipped into `invalidAddresses`.
    public static func parse(_ messageJSON: [UInt8], normalizer: AddressNormalizer) throws(SESEventError) -> SESEvent {
        guard messageJSON.count <= maxMessageBytes else {
            throw SESEventError(.tooLarge, "the message is \(messageJSON.count) bytes, the limit is \(maxMessageBytes)")
        }
        let wire: SESWire
        do {
            let document = try JSONDocument(messageJSON)
            wire = try SESWire(document, document.rootObject())
        } catch {
            throw SESEventError(.notJSON, "the message is not an SES notification JSON object", underlying: error)
        }
        return try build(wire, normalizer: normalizer)
    }

    /// Parses an SES message given as a string.
    public static func parse(_ messageJSON: String, normalizer: AddressNormalizer) throws(SESEventError) -> SESEvent {
        try parse(Array(messageJSON.utf8), normalizer: normalizer)
    }

    private static func build(_ wire: SESWire, normalizer: AddressNormalizer) throws(SESEventError) -> SESEvent {
        let format: SESEvent.Format
        let rawType: String
        if let type = wire.eventType {
            format = .eventPublishing
            rawType = type
        } else if let type = wire.notificationType {
            format = .identityNotification
            rawType = type
        } else {
            throw SESEventError(.missingType, "neither eventType nor notificationType is present")
        }
        let kind = kind(of: rawType, bounceType: wire.bounce?.bounceType)
        let mail = wire.mail
        // Unknown types (e.g. AmazonSnsSubscriptionSucceeded, which has no mail) are recorded, not rejected.
        if kind != .unknown {
            guard mail != nil else { throw SESEventError(.missingMail, "the \(rawType) notification has no mail object") }
            guard mail?.messageId?.isEmpty == false else {
                throw SESEventError(.missingMessageId, "the \(rawType) notification has no mail.messageId")
            }
        }
        let mailTimestamp = mail?.timestamp.flatMap(ISO8601Timestamp.parse)
        let timestamp = eventTimestamp(wire, kind: kind).flatMap(ISO8601Timestamp.parse) ?? mailTimestamp
        if kind != .unknown, timestamp == nil {
            throw SESEventError(.invalidTimestamp, "the \(rawType) notification has no valid timestamp")
        }
        let tags = mail?.tags ?? [:]
        var event = SESEvent(
            format: format, rawType: rawType, kind: kind, messageId: mail?.messageId ?? "",
            timestamp: timestamp, mailTimestamp: mailTimestamp, tags: tags, source: mail?.source ?? "",
            from: mail?.commonHeaders?.from ?? [], configurationSet: tags["ses:configuration-set"]?.first,
            identity: identity(mail, normalizer: normalizer)
        )
        guard let timestamp else { return event }
        var builder = RecipientEventBuilder(event: event, timestamp: timestamp, normalizer: normalizer)
        builder.addRecipients(of: wire)
        event.recipientEvents = builder.events
        event.invalidAddresses = builder.invalidAddresses
        return event
    }

    static func kind(of rawType: String, bounceType: String?) -> EventKind {
        switch rawType.lowercased() {
        case "bounce":
            switch bounceType?.lowercased() {
            case "permanent": .hardBounce
            case "transient": .softBounce
            // An unrecognised bounce type is treated like Undetermined: counted, never suppressing.
            default: .undeterminedBounce
            }
        case "complaint": .complaint
        case "delivery": .delivery
        case "send": .send
        case "reject": .reject
        case "deliverydelay": .deliveryDelay
        case "open": .open
        case "click": .click
        case "rendering failure", "renderingfailure": .renderingFailure
        case "subscription": .subscription
        default: .unknown
        }
    }

    private static func eventTimestamp(_ wire: SESWire, kind: EventKind) -> String? {
        switch kind {
        case .hardBounce, .softBounce, .undeterminedBounce: wire.bounce?.timestamp
        case .complaint: wire.complaint?.timestamp
        case .delivery: wire.delivery?.timestamp
        case .deliveryDelay: wire.deliveryDelay?.timestamp
        case .open: wire.open?.timestamp
        case .click: wire.click?.timestamp
        case .subscription: wire.subscription?.timestamp
        case .send, .sesSend, .reject, .renderingFailure, .unknown: nil
        }
    }

    private static func identity(_ mail: SESWire.Mail?, normalizer: AddressNormalizer) -> String {
        guard let mail else { return "" }
        if let domain = mail.tags?["ses:from-domain"]?.first, !domain.isEmpty {
            return domain.lowercased()
        }
        // Only the key's domain is needed, not the spelling `normalize` would also build.
        if let from = mail.commonHeaders?.from?.first, let key = normalizer.normalizedKey(from) {
            return String(NormalizedAddress(original: "", normalized: key).domain)
        }
        if let source = mail.source, let key = normalizer.normalizedKey(source) {
            return String(NormalizedAddress(original: "", normalized: key).domain)
        }
        // `arn:aws:ses:region:account:identity/example.com` (or `identity/user@example.com`).
        if let arn = mail.sourceArn, let range = arn.range(of: ":identity/") {
            let name = arn[range.upperBound...]
            let domain = name.lastIndex(of: "@").map { name[name.index(after: $0)...] } ?? name
            return domain.lowercased()
        }
        return ""
    }
}
