import Foundation
import SluiceCore

/// Settings for `SigningCertificateProvider`. Defaults suit production against AWS.
public struct SigningCertificateProviderConfiguration: Sendable {
    /// Extra PEM trust anchors for the HTTPS fetch (tests: the test CA), added to the system store.
    public var extraCAFile: String?
    /// Whether the system trust store is trusted for the fetch (tests turn it off).
    public var trustSystemStore: Bool
    /// Limit for a whole certificate fetch (connect, TLS, request, response).
    public var fetchTimeout: Duration
    /// Largest accepted certificate response body (AWS's PEMs are ~2 KB).
    public var maxCertificateBytes: Int
    /// How long a certificate stays cached (memory and durable store); never past its notAfter.
    public var cacheTTL: TimeInterval
    /// Certificates kept in memory (least recently used evicted first).
    public var maxCachedCertificates: Int
    /// After a failed fetch, further requests for the same URL fail at once for this long (0 = off).
    /// Failures are never cached beyond this short window (clamped to `maxFailureBackoff`).
    public var failureBackoff: TimeInterval
    /// Fetches of different URLs running at once; more fail fast as transient (limits outbound requests
    /// an attacker can trigger with many distinct, policy-conforming URLs).
    public var maxConcurrentFetches: Int
    /// Per-client limits on starting fetches (`CertificateFetchAdmission`), within `maxConcurrentFetches`.
    public var clientAdmission: CertificateFetchAdmission.Settings
    /// Names the certificate must carry as subject CN or DNS SAN (exact, ASCII case-insensitive).
    /// `{region}` is replaced by the topic ARN's region.
    public var acceptedNames: [String]
    /// Smallest acceptable RSA modulus (AWS uses 2048; a 2010 fixture certificate has 1024).
    public var minimumRSAKeyBits: Int

    /// AWS's signing-certificate names: `sns.amazonaws.com`, and `sns-signing.<region>.amazonaws.com`
    /// used by newer regions (aws-sdk-java-v2 sns-message-manager).
    public static let defaultAcceptedNames = ["sns.amazonaws.com", "sns-signing.{region}.amazonaws.com"]

    public init(
        extraCAFile: String? = nil,
        trustSystemStore: Bool = true,
        fetchTimeout: Duration = .seconds(5),
        maxCertificateBytes: Int = 16 * 1024,
        cacheTTL: TimeInterval = 24 * 3600,
        maxCachedCertificates: Int = 64,
        failureBackoff: TimeInterval = 2,
        maxConcurrentFetches: Int = 8,
        clientAdmission: CertificateFetchAdmission.Settings = .init(),
        acceptedNames: [String] = SigningCertificateProviderConfiguration.defaultAcceptedNames,
        minimumRSAKeyBits: Int = 2048
    ) {
        self.extraCAFile = extraCAFile
        self.trustSystemStore = trustSystemStore
        self.fetchTimeout = fetchTimeout
        self.maxCertificateBytes = maxCertificateBytes
        self.cacheTTL = cacheTTL
        self.maxCachedCertificates = maxCachedCertificates
        self.failureBackoff = failureBackoff
        self.maxConcurrentFetches = maxConcurrentFetches
        self.clientAdmission = clientAdmission
        self.acceptedNames = acceptedNames
        self.minimumRSAKeyBits = minimumRSAKeyBits
    }
}
