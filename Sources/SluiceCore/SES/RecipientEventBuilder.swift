import Foundation

/// Expands one SES notification into per-recipient `RecipientEvent`s.
struct RecipientEventBuilder {
    private let event: SESEvent
    private let timestamp: Date
    private let normalizer: AddressNormalizer
    private(set) var events: [RecipientEvent] = []
    private(set) var invalidAddresses: [String] = []
    /// (address, scope) pairs already added: the first one, then a list scanned while short, then a set.
    private var first: (address: String, scope: String)?
    private var seen: [(address: String, scope: String)] = []
    private var seenSet: Set<String> = []

    init(event: SESEvent, timestamp: Date, normalizer: AddressNormalizer) {
        self.event = event
        self.timestamp = timestamp
        self.normalizer = normalizer
    }

    mutating func addRecipients(of wire: SESWire) {
        let destination = wire.mail?.destination ?? []
        switch event.kind {
        case .hardBounce, .softBounce, .undeterminedBounce:
            let subtype = wire.bounce?.bounceSubType
            // UnsubscribedRecipient applies to the list/topic of the send, not to every mail.
            let scope = subtype == "UnsubscribedRecipient" ? listScope(fromTags: event.tags) : ""
            for recipient in wire.bounce?.bouncedRecipients ?? [] {
                add(recipient.emailAddress, subtype: subtype, detail: recipient.diagnosticCode ?? recipient.status, scope: scope)
            }
            addEmptyIfNone(subtype: subtype)
        case .complaint:
            let complaint = wire.complaint
            for recipient in complaint?.complainedRecipients ?? [] {
                add(recipient.emailAddress, subtype: complaint?.complaintFeedbackType, detail: complaint?.complaintSubType)
            }
            addEmptyIfNone(subtype: complaint?.complaintFeedbackType, detail: complaint?.complaintSubType)
        case .delivery:
            for recipient in wire.delivery?.recipients ?? [] {
                add(recipient, detail: wire.delivery?.smtpResponse)
            }
            addEmptyIfNone()
        case .deliveryDelay:
            let delay = wire.deliveryDelay
            for recipient in delay?.delayedRecipients ?? [] {
                add(recipient.emailAddress, subtype: delay?.delayType, detail: recipient.diagnosticCode ?? recipient.status)
            }
            addEmptyIfNone(subtype: delay?.delayType)
        case .subscription:
            addSubscription(wire.subscription, destination: destination)
        case .reject:
            addDestination(destination, subtype: wire.reject?.reason)
        case .renderingFailure:
            addDestination(destination, subtype: wire.failure?.templateName, detail: wire.failure?.errorMessage)
        case .click:
            addDestination(destination, detail: wire.click?.link)
        case .send, .sesSend, .open, .unknown:
            addDestination(destination)
        }
    }

    private mutating func addSubscription(_ subscription: SESWire.Subscription?, destination: [String]) {
        let list = subscription?.contactList ?? ""
        let preferences = subscription?.newTopicPreferences
        let source = subscription?.source
        var scopes: [(scope: String, subtype: String)] = []
        if preferences?.unsubscribeAll == true {
            scopes.append((list, SESEventParser.unsubscribeAllSubtype))
        } else {
            for topic in preferences?.topicSubscriptionStatus ?? [] {
                guard topic.subscriptionStatus?.lowercased() == "optout", let name = topic.topicName, !name.isEmpty
                else { continue }
                scopes.append((list.isEmpty ? name : "\(list)/\(name)", SESEventParser.optOutSubtype))
            }
        }
        if scopes.isEmpty { scopes.append((list, SESEventParser.optInSubtype)) }
        for address in destination {
            for entry in scopes {
                add(address, subtype: entry.subtype, detail: source, scope: entry.scope)
            }
        }
        if events.isEmpty && invalidAddresses.isEmpty {
            for entry in scopes { addEmpty(subtype: entry.subtype, detail: source, scope: entry.scope) }
        }
    }

    private mutating func addDestination(_ destination: [String], subtype: String? = nil, detail: String? = nil) {
        for address in destination { add(address, subtype: subtype, detail: detail) }
        addEmptyIfNone(subtype: subtype, detail: detail)
    }

    private mutating func add(_ raw: String?, subtype: String? = nil, detail: String? = nil, scope: String = "") {
        guard let raw, let address = normalizer.normalize(raw) else {
            invalidAddresses.append(raw ?? "")
            return
        }
        // A recipient listed twice in one notification is one event (it must not count twice).
        guard insertSeen(address.normalized, scope) else { return }
        events.append(RecipientEvent(
            kind: event.kind, address: address.normalized, originalAddress: address.original,
            sesMessageId: event.messageId, timestamp: timestamp, identity: event.identity, subtype: subtype,
            detail: detail, scope: scope, rawType: event.rawType
        ))
    }

    /// Records (address, scope); false when it was already there. Pairs compare as the joined key
    /// `address + "\0" + scope` did: NUL is a starter that never composes, so equality splits per part.
    private mutating func insertSeen(_ address: String, _ scope: String) -> Bool {
        // Most notifications name one recipient: its pair is kept without allocating the list.
        guard let first else {
            first = (address, scope)
            return true
        }
        if first.address == address && first.scope == scope { return false }
        if seen.count < 15 {
            for entry in seen where entry.address == address && entry.scope == scope { return false }
            seen.append((address, scope))
            return true
        }
        if seenSet.isEmpty { seenSet = Set(([first] + seen).map { $0.address + "\u{0}" + $0.scope }) }
        return seenSet.insert(address + "\u{0}" + scope).inserted
    }

    /// Keeps an event with no usable recipient list visible to counters and history.
    private mutating func addEmptyIfNone(subtype: String? = nil, detail: String? = nil) {
        guard events.isEmpty, invalidAddresses.isEmpty else { return }
        addEmpty(subtype: subtype, detail: detail, scope: "")
    }

    private mutating func addEmpty(subtype: String?, detail: String?, scope: String) {
        events.append(RecipientEvent(
            kind: event.kind, address: "", sesMessageId: event.messageId, timestamp: timestamp,
            identity: event.identity, subtype: subtype, detail: detail, scope: scope, rawType: event.rawType
        ))
    }

    private func listScope(fromTags tags: [String: [String]]) -> String {
        guard let list = tags[SESEventParser.contactListTag]?.first, !list.isEmpty else { return "" }
        guard let topic = tags[SESEventParser.topicTag]?.first, !topic.isEmpty else { return list }
        return "\(list)/\(topic)"
    }
}
