/// The `type` label: the three SNS types, or `unknown` before a body could be read.
enum SNSTypeLabel: String, Sendable, CaseIterable {
    case notification = "Notification"
    case subscriptionConfirmation = "SubscriptionConfirmation"
    case unsubscribeConfirmation = "UnsubscribeConfirmation"
    case unknown

    /// Only the three known values map; anything an attacker puts in a header is `unknown`.
    init(_ text: String?) {
        self = text.flatMap(SNSTypeLabel.init(rawValue:)) ?? .unknown
    }
}
