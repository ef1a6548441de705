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

    init(_ o: JSONObject) throws(JSONReaderError) {
        notificationType = try o.string("notificationType")
        eventType = try o.string("eventType")
        mail = try o.object("mail").map(Mail.init)
        bounce = try o.object("bounce").map(Bounce.init)
        complaint = try o.object("complaint").map(Complaint.init)
        delivery = try o.object("delivery").map(Delivery.init)
        deliveryDelay = try o.object("deliveryDelay").map(DeliveryDelay.init)
        reject = try o.object("reject").map(Reject.init)
        failure = try o.object("failure").map(RenderingFailure.init)
        open = try o.object("open").map(Engagement.init)
        click = try o.object("click").map(Engagement.init)
        subscription = try o.object("subscription").map(Subscription.init)
    }

    struct Mail {
        var timestamp: String?
        var messageId: String?
        var source: String?
        var sourceArn: String?
        var destination: [String]?
        var commonHeaders: CommonHeaders?
        var tags: [String: [String]]?

        init(_ o: JSONObject) throws(JSONReaderError) {
            timestamp = try o.string("timestamp")
            messageId = try o.string("messageId")
            source = try o.string("source")
            sourceArn = try o.string("sourceArn")
            destination = try o.strings("destination")
            commonHeaders = try o.object("commonHeaders").map(CommonHeaders.init)
            if let tagObject = try o.object("tags") {
                var tags: [String: [String]] = [:]
                for member in tagObject.members {
                    // As `[String: [String]]` decoding: a null tag value is a type error too.
                    guard let values = try tagObject.strings(member.key) else {
                        throw JSONReaderError(.typeMismatch, "field tags holds a null")
                    }
                    tags[member.key] = values
                }
                self.tags = tags
            }
        }
    }

    struct CommonHeaders {
        var from: [String]?

        init(_ o: JSONObject) throws(JSONReaderError) {
            from = try o.strings("from")
        }
    }

    struct Recipient {
        var emailAddress: String?
        var status: String?
        var diagnosticCode: String?

        init(_ o: JSONObject) throws(JSONReaderError) {
            emailAddress = try o.string("emailAddress")
            status = try o.string("status")
            diagnosticCode = try o.string("diagnosticCode")
        }
    }

    struct Bounce {
        var bounceType: String?
        var bounceSubType: String?
        var bouncedRecipients: [Recipient]?
        var timestamp: String?

        init(_ o: JSONObject) throws(JSONReaderError) {
            bounceType = try o.string("bounceType")
            bounceSubType = try o.string("bounceSubType")
            bouncedRecipients = try o.objects("bouncedRecipients", Recipient.init)
            timestamp = try o.string("timestamp")
        }
    }

    struct Complaint {
        var complainedRecipients: [Recipient]?
        var timestamp: String?
        var complaintFeedbackType: String?
        var complaintSubType: String?

        init(_ o: JSONObject) throws(JSONReaderError) {
            complainedRecipients = try o.objects("complainedRecipients", Recipient.init)
            timestamp = try o.string("timestamp")
            complaintFeedbackType = try o.string("complaintFeedbackType")
            complaintSubType = try o.string("complaintSubType")
        }
    }

    struct Delivery {
        var timestamp: String?
        var recipients: [String]?
        var smtpResponse: String?

        init(_ o: JSONObject) throws(JSONReaderError) {
            timestamp = try o.string("timestamp")
            recipients = try o.strings("recipients")
            smtpResponse = try o.string("smtpResponse")
        }
    }

    struct DeliveryDelay {
        var timestamp: String?
        var delayType: String?
        var delayedRecipients: [Recipient]?

        init(_ o: JSONObject) throws(JSONReaderError) {
            timestamp = try o.string("timestamp")
            delayType = try o.string("delayType")
            delayedRecipients = try o.objects("delayedRecipients", Recipient.init)
        }
    }

    struct Reject {
        var reason: String?

        init(_ o: JSONObject) throws(JSONReaderError) {
            reason = try o.string("reason")
        }
    }

    struct RenderingFailure {
        var templateName: String?
        var errorMessage: String?

        init(_ o: JSONObject) throws(JSONReaderError) {
            templateName = try o.string("templateName")
            errorMessage = try o.string("errorMessage")
        }
    }

    struct Engagement {
        var timestamp: String?
        var link: String?

        init(_ o: JSONObject) throws(JSONReaderError) {
            timestamp = try o.string("timestamp")
            link = try o.string("link")
        }
    }

    struct Subscription {
        var contactList: String?
        var timestamp: String?
        var source: String?
        var newTopicPreferences: TopicPreferences?

        init(_ o: JSONObject) throws(JSONReaderError) {
            contactList = try o.string("contactList")
            timestamp = try o.string("timestamp")
            source = try o.string("source")
            newTopicPreferences = try o.object("newTopicPreferences").map(TopicPreferences.init)
        }
    }

    struct TopicPreferences {
        var unsubscribeAll: Bool?
        var topicSubscriptionStatus: [TopicStatus]?

        init(_ o: JSONObject) throws(JSONReaderError) {
            unsubscribeAll = try o.bool("unsubscribeAll")
            topicSubscriptionStatus = try o.objects("topicSubscriptionStatus", TopicStatus.init)
        }
    }

    struct TopicStatus {
        var topicName: String?
        var subscriptionStatus: String?

        init(_ o: JSONObject) throws(JSONReaderError) {
            topicName = try o.string("topicName")
            subscriptionStatus = try o.string("subscriptionStatus")
        }
    }
}
