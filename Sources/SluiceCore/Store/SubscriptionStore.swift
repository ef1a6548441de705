import Foundation

/// The state of our SNS subscription to one topic. Raw values are database contracts.
public enum SNSSubscriptionState: String, Sendable, Codable, CaseIterable {
    case pending
    case confirmed
    case unsubscribed
    case confirmFailed = "confirm_failed"
}

/// What we know about the SNS subscription of one topic.
public struct SNSSubscriptionRecord: Sendable, Equatable, Codable {
    public var topicArn: String
    /// Endpoint name (`default` or `{name}` of `/sns/{name}`).
    public var endpoint: String
    public var state: SNSSubscriptionState
    public var subscriptionArn: String?
    public var subscribeURL: String?
    /// The confirmation token; treat as a secret in logs.
    public var token: String?
    public var updatedAt: Date

    public init(
        topicArn: String, endpoint: String, state: SNSSubscriptionState, subscriptionArn: String? = nil,
        subscribeURL: String? = nil, token: String? = nil, updatedAt: Date
    ) {
        self.topicArn = topicArn
        self.endpoint = endpoint
        self.state = state
        self.subscriptionArn = subscriptionArn
        self.subscribeURL = subscribeURL
        self.token = token
        self.updatedAt = updatedAt
    }
}

/// SNS subscriptions per topic.
public protocol SubscriptionStore: Sendable {
    /// Inserts or replaces the record of `record.topicArn`.
    func recordSubscription(_ record: SNSSubscriptionRecord) async throws(StoreError)
    /// Every record, ordered by topic ARN.
    func subscriptions() async throws(StoreError) -> [SNSSubscriptionRecord]
    func subscription(topicArn: String) async throws(StoreError) -> SNSSubscriptionRecord?
}
