/// The subset of the SES notification JSON that Sluice reads. Unknown keys are ignored; every field
/// is optional so that a missing one is a policy question, not a parse failure. A known field of the
/// wrong JSON type fails the parse (as `Decodable` did before the reader moved off Foundation).
struct SESWire {
    var notificationType: String?
    var eventType: String?
    var mail: Mail?
    var bounce: Bounce?
    var complaint: Complaint?
    var delivery: Delivery?
    var deliveryDelay: DeliveryDelay?
    var reject: Reject?
    var failure: RenderingFailure?
    var open: Engagement?
    var click: Engagement?
    var subscription: Subscription?

    init(_ d: JSONDocument, _ o: JSONDocument.Index) throws(JSONReaderError) {
        notificationType = try d.string(o, "notificationType")
        eventType = try d.string(o, "eventType")
        mail = try d.object(o, "mail").map { (v) throws(JSONReaderError) in try Mail(d, v) }
        bounce = try d.object(o, "bounce").map { (v) throws(JSONReaderError) in try Bounce(d, v) }
        complaint = try d.object(o, "complaint").map { (v) throws(JSONReaderError) in try Complaint(d, v) }
        delivery = try d.object(o, "delivery").map { (v) throws(JSONReaderError) in try Delivery(d, v) }
        deliveryDelay = try d.object(o, "deliveryDelay").map { (v) throws(JSONReaderError) in try DeliveryDelay(d, v) }
        reject = try d.object(o, "reject").map { (v) throws(JSONReaderError) in try Reject(d, v) }
        failure = try d.object(o, "failure").map { (v) throws(JSONReaderError) in try RenderingFailure(d, v) }
        open = try d.object(o, "open").map { (v) throws(JSONReaderError) in try Engagement(d, v) }
        click = try d.object(o, "click").map { (v) throws(JSONReaderError) in try Engagement(d, v) }
        subscription = try d.object(o, "subscription").map { (v) throws(JSONReaderError) in try Subscription(d, v) }
    }

    struct Mail {
        var timestamp: String?
        var messageId: String?
        var source: String?
        var sourceArn: String?
        var destination: [String]?
        var commonHeaders: CommonHeaders?
        var tags: [String: [String]]?

        init(_ d: JSONDocument, _ o: JSONDocument.Index) throws(JSONReaderError) {
            timestamp = try d.string(o, "timestamp")
            messageId = try d.string(o, "messageId")
            source = try d.string(o, "source")
            sourceArn = try d.string(o, "sourceArn")
            destination = try d.strings(o, "destination")
            commonHeaders = try d.object(o, "commonHeaders").map { (v) throws(JSONReaderError) in try CommonHeaders(d, v) }
            if let tagObject = try d.object(o, "tags") {
                var tags: [String: [String]] = [:]
                tags.reserveCapacity(d.count(tagObject))
                try d.forEachMember(tagObject) { (keyNode, value) throws(JSONReaderError) in
                    let key = d.keyString(keyNode)
                    switch d.kind(value) {
                    case .array: tags[key] = try d.strings(value, key: key)
                    // As `[String: [String]]` decoding: a null tag value is a type error too.
                    case .null: throw JSONReaderError(.typeMismatch, "field tags holds a null")
                    case let other: throw JSONReaderError.typeMismatch(key: key, expected: "array", found: other)
                    }
                }
                self.tags = tags
            }
        }
    }

    struct CommonHeaders {
        var from: [String]?

        init(_ d: JSONDocument, _ o: JSONDocument.Index) throws(JSONReaderError) {
            from = try d.strings(o, "from")
        }
    }

    struct Recipient {
        var emailAddress: String?
        var status: String?
        var diagnosticCode: String?

        init(_ d: JSONDocument, _ o: JSONDocument.Index) throws(JSONReaderError) {
            emailAddress = try d.string(o, "emailAddress")
            status = try d.string(o, "status")
            diagnosticCode = try d.string(o, "diagnosticCode")
        }
    }

    struct Bounce {
        var bounceType: String?
        var bounceSubType: String?
        var bouncedRecipients: [Recipient]?
        var timestamp: String?

        init(_ d: JSONDocument, _ o: JSONDocument.Index) throws(JSONReaderError) {
            bounceType = try d.string(o, "bounceType")
            bounceSubType = try d.string(o, "bounceSubType")
            bouncedRecipients = try d.objects(o, "bouncedRecipients") { (v) throws(JSONReaderError) in try Recipient(d, v) }
            timestamp = try d.string(o, "timestamp")
        }
    }

    struct Complaint {
        var complainedRecipients: [Recipient]?
        var timestamp: String?
        var complaintFeedbackType: String?
        var complaintSubType: String?

        init(_ d: JSONDocument, _ o: JSONDocument.Index) throws(JSONReaderError) {
            complainedRecipients = try d.objects(o, "complainedRecipients") { (v) throws(JSONReaderError) in try Recipient(d, v) }
            timestamp = try d.string(o, "timestamp")
            complaintFeedbackType = try d.string(o, "complaintFeedbackType")
            complaintSubType = try d.string(o, "complaintSubType")
        }
    }

    struct Delivery {
        var timestamp: String?
        var recipients: [String]?
        var smtpResponse: String?

        init(_ d: JSONDocument, _ o: JSONDocument.Index) throws(JSONReaderError) {
            timestamp = try d.string(o, "timestamp")
            recipients = try d.strings(o, "recipients")
            smtpResponse = try d.string(o, "smtpResponse")
        }
    }

    struct DeliveryDelay {
        var timestamp: String?
        var delayType: String?
        var delayedRecipients: [Recipient]?

        init(_ d: JSONDocument, _ o: JSONDocument.Index) throws(JSONReaderError) {
            timestamp = try d.string(o, "timestamp")
            delayType = try d.string(o, "delayType")
            delayedRecipients = try d.objects(o, "delayedRecipients") { (v) throws(JSONReaderError) in try Recipient(d, v) }
        }
    }

    struct Reject {
        var reason: String?

        init(_ d: JSONDocument, _ o: JSONDocument.Index) throws(JSONReaderError) {
            reason = try d.string(o, "reason")
        }
    }

    struct RenderingFailure {
        var templateName: String?
        var errorMessage: String?

        init(_ d: JSONDocument, _ o: JSONDocument.Index) throws(JSONReaderError) {
            templateName = try d.string(o, "templateName")
            errorMessage = try d.string(o, "errorMessage")
        }
    }

    struct Engagement {
        var timestamp: String?
        var link: String?

        init(_ d: JSONDocument, _ o: JSONDocument.Index) throws(JSONReaderError) {
            timestamp = try d.string(o, "timestamp")
            link = try d.string(o, "link")
        }
    }

    struct Subscription {
        var contactList: String?
        var timestamp: String?
        var source: String?
        var newTopicPreferences: TopicPreferences?

        init(_ d: JSONDocument, _ o: JSONDocument.Index) throws(JSONReaderError) {
            contactList = try d.string(o, "contactList")
            timestamp = try d.string(o, "timestamp")
            source = try d.string(o, "source")
            newTopicPreferences = try d.object(o, "newTopicPreferences").map { (v) throws(JSONReaderError) in try TopicPreferences(d, v) }
        }
    }

    struct TopicPreferences {
        var unsubscribeAll: Bool?
        var topicSubscriptionStatus: [TopicStatus]?

        init(_ d: JSONDocument, _ o: JSONDocument.Index) throws(JSONReaderError) {
            unsubscribeAll = try d.bool(o, "unsubscribeAll")
            topicSubscriptionStatus = try d.objects(o, "topicSubscriptionStatus") { (v) throws(JSONReaderError) in try TopicStatus(d, v) }
        }
    }

    struct TopicStatus {
        var topicName: String?
        var subscriptionStatus: String?

        init(_ d: JSONDocument, _ o: JSONDocument.Index) throws(JSONReaderError) {
            topicName = try d.string(o, "topicName")
            subscriptionStatus = try d.string(o, "subscriptionStatus")
        }
    }
}
