import Foundation

/// What we know about the SNS subscription of one topic to one endpoint (a topic may feed several, e.g.
/// `/sns` and `/sns/new` while moving between them).
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
    /// The signed `Timestamp` of the SNS message this state comes from: SNS delivers out of order and
    /// retries, so a record from an older message never replaces one from a newer. Nil: no message (older
    /// rows), which never blocks nor is blocked.
    public var signedAt: Date?

    public init(
        topicArn: String, endpoint: String, state: SNSSubscriptionState, subscriptionArn: String? = nil,
        subscribeURL: String? = nil, token: String? = nil, updatedAt: Date, signedAt: Date? = nil
    ) {
        self.signedAt = signedAt
        self.topicArn = topicArn
        self.endpoint = endpoint
        self.state = state
        self.subscriptionArn = subscriptionArn
        self.subscribeURL = subscribeURL
        self.token = token
        self.updatedAt = updatedAt
    }
}
