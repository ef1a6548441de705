import Foundation

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
