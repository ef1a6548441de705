/// Settings for `HTTPClient`. Defaults suit calls to AWS endpoints.
public struct HTTPClientConfiguration: Sendable {
    /// Extra PEM trust anchors, added to the system store.
    public var extraCAFile: String?
    /// Whether the system trust store is trusted (tests turn it off to pin to a test CA).
    public var trustSystemStore: Bool
    /// False accepts any server certificate: only for `sluice healthcheck` on its own listener.
    public var verifiesPeer: Bool
    /// Limit for the TCP connect plus the TLS handshake (name resolution is not covered: getaddrinfo cannot be interrupted).
    public var connectTimeout: Duration
    /// Limit for each wait on the socket while sending or receiving.
    public var readTimeout: Duration
    /// Limit for a whole `execute` call, retries included.
    public var totalTimeout: Duration
    /// Largest accepted response body; `HTTPClientRequest.maxResponseBytes` overrides it.
    public var maxResponseBytes: Int
    /// Largest accepted response head (status line plus headers).
    public var maxResponseHeadBytes: Int
    /// Idle keep-alive connections kept per (scheme, host, port); 0 disables reuse.
    public var maxIdleConnectionsPerHost: Int
    /// Idle connections older than this are closed instead of reused.
    public var idleTimeout: Duration
    /// Always false for now: a 3xx is returned to the caller as-is.
    public var followRedirects: Bool
    /// Sent as `User-Agent` unless the request sets one.
    public var userAgent: String

    public init(
        extraCAFile: String? = nil,
        trustSystemStore: Bool = true,
        verifiesPeer: Bool = true,
        connectTimeout: Duration = .seconds(5),
        readTimeout: Duration = .seconds(10),
        totalTimeout: Duration = .seconds(15),
        maxResponseBytes: Int = 1 << 20,
        maxResponseHeadBytes: Int = 64 * 1024,
        maxIdleConnectionsPerHost: Int = 4,
        idleTimeout: Duration = .seconds(30),
        followRedirects: Bool = false,
        userAgent: String = "sluice/1.0"
    ) {
        self.extraCAFile = extraCAFile
        self.trustSystemStore = trustSystemStore
        self.verifiesPeer = verifiesPeer
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.totalTimeout = totalTimeout
        self.maxResponseBytes = maxResponseBytes
        self.maxResponseHeadBytes = maxResponseHeadBytes
        self.maxIdleConnectionsPerHost = maxIdleConnectionsPerHost
        self.idleTimeout = idleTimeout
        self.followRedirects = followRedirects
        self.userAgent = userAgent
    }
}
