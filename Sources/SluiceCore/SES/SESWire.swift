/// The subset of the SES notification JSON that Sluice reads. Unknown keys are ignored by
/// `Decodable`; every field is optional so that a missing one is a policy question, not a parse failure.
struct SESWire: Decodable {
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

    struct Mail: Decodable {
        var timestamp: String?
        var messageId: String?
        var source: String?
        var sourceArn: String?
        var destination: [String]?
        var commonHeaders: CommonHeaders?
        var tags: [String: [String]]?
    }

    struct CommonHeaders: Decodable {
        var from: [String]?
    }

    struct Recipient: Decodable {
        var emailAddress: String?
        var status: String?
        var diagnosticCode: String?
    }

    struct Bounce: Decodable {
        var bounceType: String?
        var bounceSubType: String?
        var bouncedRecipients: [Recipient]?
        var timestamp: String?
    }

    struct Complaint: Decodable {
        var complainedRecipients: [Recipient]?
        var timestamp: String?
        var complaintFeedbackType: String?
        var complaintSubType: String?
    }

    struct Delivery: Decodable {
        var timestamp: String?
        var recipients: [String]?
        var smtpResponse: String?
    }

    struct DeliveryDelay: Decodable {
        var timestamp: String?
        var delayType: String?
        var delayedRecipients: [Recipient]?
    }

    struct Reject: Decodable {
        var reason: String?
    }

    struct RenderingFailure: Decodable {
        var templateName: String?
        var errorMessage: String?
    }

    struct Engagement: Decodable {
        var timestamp: String?
        var link: String?
    }

    struct Subscription: Decodable {
        var contactList: String?
        var timestamp: String?
        var source: String?
        var newTopicPreferences: TopicPreferences?
    }

    struct TopicPreferences: Decodable {
        var unsubscribeAll: Bool?
        var topicSubscriptionStatus: [TopicStatus]?
    }

    struct TopicStatus: Decodable {
        var topicName: String?
        var subscriptionStatus: String?
    }
}
