import Foundation
import SluiceCore
import SluiceHTTP

/// EC2 instance metadata (IMDSv2): `PUT /latest/api/token`, then the role name, then the role's keys.
///
/// One attempt per call (botocore: 1 try, 1 s timeout; the chain gives this provider a short-timeout
/// client). A `403`/`404`/`405` on the token `PUT` means IMDSv2 is unavailable: like botocore we fall
/// back to IMDSv1 (plain GETs) unless `AWS_EC2_METADATA_V1_DISABLED=true`; any other token failure is an error.
public struct InstanceMetadataCredentialProvider: CredentialProvider {
    public static let defaultEndpoint = "http://169.254.169.254"
    /// Token lifetime requested (the maximum IMDS allows).
    public static let tokenTTLSeconds = 21600
    static let rolePath = "/latest/meta-data/iam/security-credentials/"

    /// Base URL without trailing slash.
    public let endpoint: String
    public let allowV1Fallback: Bool
    private let httpClient: HTTPClient

    public init(endpoint: String = defaultEndpoint, allowV1Fallback: Bool = true, httpClient: HTTPClient) {
        self.endpoint = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
        self.allowV1Fallback = allowV1Fallback
        self.httpClient = httpClient
    }

    /// Reads `AWS_EC2_METADATA_SERVICE_ENDPOINT` and `AWS_EC2_METADATA_V1_DISABLED`.
    public init(environment: [String: String], httpClient: HTTPClient) {
        let endpoint = environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 }
        let v1Disabled = environment["AWS_EC2_METADATA_V1_DISABLED"]?.lowercased() == "true"
        self.init(endpoint: endpoint ?? Self.defaultEndpoint, allowV1Fallback: !v1Disabled, httpClient: httpClient)
    }

    /// False when `AWS_EC2_METADATA_DISABLED=true`.
    public static func isEnabled(environment: [String: String]) -> Bool {
        AWSEnvironment(environment).imdsEnabled
    }

    public func credentials() async throws -> AWSCredentials {
        try await fetch()
    }

    func fetch() async throws(CredentialProviderError) -> AWSCredentials {
        let token = try await fetchToken()
        var headers = HTTPHeaders()
        if let token { headers.set("X-aws-ec2-metadata-token", token) }
        let roleResponse = try await get(Self.rolePath, headers: headers)
        let roleText = String(decoding: roleResponse.body, as: UTF8.self)
        guard let role = roleText.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).first.map(String.init),
            !role.isEmpty, role.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "/") })
        else {
            throw CredentialProviderError(.invalidResponse, "IMDS lists no usable instance role")
        }
        let keysResponse = try await get(Self.rolePath + SigV4Encoding.uriEncode(role), headers: headers)
        return try CredentialHTTP.parseJSON(keysResponse, source: "IMDS")
    }

    /// The session token, or nil when IMDSv2 is unavailable and v1 fallback is allowed. A token request that
    /// connected but got no answer in time counts as unavailable too, as in botocore: in a container behind a
    /// bridge on an instance with hop limit 1 the PUT's answer never arrives, while v1 GETs work.
    private func fetchToken() async throws(CredentialProviderError) -> String? {
        var request = HTTPClientRequest(method: "PUT", url: endpoint + "/latest/api/token")
        request.headers.set("X-aws-ec2-metadata-token-ttl-seconds", String(Self.tokenTTLSeconds))
        let response: HTTPClientResponse
        do {
            response = try await CredentialHTTP.execute(httpClient, request, source: "IMDS token")
        } catch where allowV1Fallback && Self.isReadTimeout(error) {
            return nil
        }
        switch response.status {
        case 200..<300:
            let token = String(decoding: response.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !token.isEmpty, token.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else {
                throw CredentialProviderError(.invalidResponse, "IMDS returned an unusable token")
            }
            return token
        case 403, 404, 405:
            guard allowV1Fallback else {
                throw CredentialProviderError(
                    .httpStatus, "IMDSv2 token refused (HTTP \(response.status)) and IMDSv1 is disabled",
                    httpStatus: response.status)
            }
            return nil
        default:
            throw CredentialHTTP.statusError(response, source: "IMDS token endpoint")
        }
    }

    /// Connected, then no answer in time (not a connection that failed: then there is no IMDS to ask).
    static func isReadTimeout(_ error: CredentialProviderError) -> Bool {
        guard error.code == .network, let failure = error.underlying as? HTTPClientError else { return false }
        return failure.code == .timeout && !failure.isConnectFailure
    }

    private func get(_ path: String, headers: HTTPHeaders) async throws(CredentialProviderError) -> HTTPClientResponse {
        let request = HTTPClientRequest(method: "GET", url: endpoint + path, headers: headers)
        let response = try await CredentialHTTP.execute(httpClient, request, source: "IMDS")
        guard (200..<300).contains(response.status) else { throw CredentialHTTP.statusError(response, source: "IMDS") }
        return response
    }
}
