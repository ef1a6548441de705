import Foundation
import SluiceHTTP

/// Settings for `SNSPublisher`.
public struct SNSPublisherConfiguration: Sendable {
    /// Base URL for every region; nil = `https://sns.<region>.amazonaws.com` (`.com.cn` in China), the region
    /// taken from the topic ARN.
    public var endpoint: URL?
    public var credentials: any CredentialProvider
    public var httpClient: HTTPClient

    public init(endpoint: URL? = nil, credentials: any CredentialProvider, httpClient: HTTPClient) {
        self.endpoint = endpoint
        self.credentials = credentials
        self.httpClient = httpClient
    }

    /// The URL posted to for `region`, with the trailing slash the Query API uses.
    public func resolvedEndpoint(region: String) -> String {
        guard let endpoint else {
            return "https://sns.\(region).amazonaws.com" + (region.hasPrefix("cn-") ? ".cn" : "") + "/"
        }
        let base = endpoint.absoluteString
        return base.hasSuffix("/") ? base : base + "/"
    }
}
