/// Settings for `SubscriptionConfirmer`. Defaults suit production against AWS.
public struct SubscriptionConfirmerConfiguration: Sendable {
    /// Extra PEM trust anchors for the HTTPS request (tests: the test CA), added to the system store.
    public var extraCAFile: String?
    /// Whether the system trust store is trusted (tests turn it off).
    public var trustSystemStore: Bool
    /// Limit for the whole `SubscribeURL` request.
    public var timeout: Duration
    /// Largest accepted response body (AWS's answer is well under 1 KB).
    public var maxResponseBytes: Int

    public init(
        extraCAFile: String? = nil, trustSystemStore: Bool = true, timeout: Duration = .seconds(5),
        maxResponseBytes: Int = 16 * 1024
    ) {
        self.extraCAFile = extraCAFile
        self.trustSystemStore = trustSystemStore
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
    }
}
