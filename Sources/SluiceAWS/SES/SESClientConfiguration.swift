import Foundation
import SluiceHTTP

/// Settings for `SESClient`.
public struct SESClientConfiguration: Sendable {
    public var region: String
    /// Base URL; nil = `https://email.<region>.amazonaws.com`.
    public var endpoint: URL?
    public var credentials: any CredentialProvider
    public var httpClient: HTTPClient

    public init(region: String, endpoint: URL? = nil, credentials: any CredentialProvider, httpClient: HTTPClient) {
        self.region = region
        self.endpoint = endpoint
        self.credentials = credentials
        self.httpClient = httpClient
    }

    /// The base URL actually used, without a trailing slash.
    public var resolvedEndpoint: String {
        let base = endpoint?.absoluteString ?? "https://email.\(region).amazonaws.com"
        return base.hasSuffix("/") ? String(base.dropLast()) : base
    }
}
