/// Trust settings for outbound TLS.
public struct TLSClientConfiguration: Sendable, Equatable {
    /// A PEM file of extra trust anchors (e.g. a private CA), added to the system store.
    public var extraCAFile: String?
    /// Whether the system trust store (`SSL_CTX_set_default_verify_paths`) is trusted.
    public var trustSystemStore: Bool
    /// False accepts any certificate: only for `sluice healthcheck`, which probes its own process's
    /// HTTPS listener for liveness and sends nothing secret.
    public var verifiesPeer: Bool

    public init(extraCAFile: String? = nil, trustSystemStore: Bool = true, verifiesPeer: Bool = true) {
        self.extraCAFile = extraCAFile
        self.trustSystemStore = trustSystemStore
        self.verifiesPeer = verifiesPeer
    }
}
