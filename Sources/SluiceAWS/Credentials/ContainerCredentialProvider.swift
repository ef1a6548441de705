import SluiceCore
import SluiceHTTP

/// ECS/EKS container credentials: `GET` the endpoint from `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`
/// (`http://169.254.170.2` + path) or `_FULL_URI` (https, or http to loopback / container hosts).
///
/// `Authorization` comes from `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`, re-read on every fetch
/// (EKS Pod Identity rotates it), else from `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
public struct ContainerCredentialProvider: CredentialProvider {
    public let endpoint: AWSEnvironment.ContainerEndpoint
    private let httpClient: HTTPClient
    /// botocore tries 3 times; one retry is enough for a link-local endpoint.
    static let maxAttempts = 2

    /// nil when neither URI variable is set.
    /// - Throws: `.misconfigured` for a URI botocore would refuse or a token with CR/LF.
    public static func fromEnvironment(_ environment: [String: String], httpClient: HTTPClient)
        throws(CredentialProviderError) -> ContainerCredentialProvider?
    {
        let endpoint: AWSEnvironment.ContainerEndpoint?
        do {
            endpoint = try AWSEnvironment(environment).containerEndpoint()
        } catch {
            throw CredentialProviderError(.misconfigured, "container credentials: \(error.message)", underlying: error)
        }
        return endpoint.map { ContainerCredentialProvider(endpoint: $0, httpClient: httpClient) }
    }

    init(endpoint: AWSEnvironment.ContainerEndpoint, httpClient: HTTPClient) {
        self.endpoint = endpoint
        self.httpClient = httpClient
    }

    public func credentials() async throws -> AWSCredentials {
        try await fetch()
    }

    func fetch() async throws(CredentialProviderError) -> AWSCredentials {
        var request = HTTPClientRequest(method: "GET", url: endpoint.url)
        request.headers.set("Accept", "application/json")
        if let file = endpoint.authorizationTokenFile {
            request.headers.set("Authorization", try CredentialFile.readToken(file, name: "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"))
        } else if let token = endpoint.authorizationToken {
            request.headers.set("Authorization", token)
        }
        var lastError = CredentialProviderError(.network, "container credentials: no attempt made")
        for _ in 0..<Self.maxAttempts {
            do throws(CredentialProviderError) {
                let response = try await CredentialHTTP.execute(httpClient, request, source: "container credentials")
                guard (200..<300).contains(response.status) else {
                    let error = CredentialHTTP.statusError(response, source: "container credentials endpoint")
                    // 4xx means the request itself is wrong (bad token): retrying cannot help.
                    if response.status < 500 { throw error }
                    lastError = error
                    continue
                }
                return try CredentialHTTP.parseJSON(response, source: "container credentials")
            } catch where error.code == .network {
                lastError = error
            }
        }
        throw lastError
    }
}
