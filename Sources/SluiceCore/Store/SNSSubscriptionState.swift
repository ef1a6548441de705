/// The state of our SNS subscription to one topic. Raw values are database contracts.
public enum SNSSubscriptionState: String, Sendable, Codable, CaseIterable {
    case pending
    case confirmed
    case unsubscribed
    case confirmFailed = "confirm_failed"
}
