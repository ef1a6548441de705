import Foundation
import SluiceCore
import SluiceHTTP

/// STS `AssumeRoleWithWebIdentity` (unsigned `POST`) with the OIDC token read from a file on every fetch.
public struct WebIdentityCredentialProvider: CredentialProvider {
    public let roleArn: String
    public let tokenFile: String
    /// nil: `sluice-<epoch seconds>`, as botocore names its sessions after the time.
    public let roleSessionName: String?
    /// STS endpoint URL, e.g. `https://sts.eu-west-1.amazonaws.com/`.
    public let endpoint: String
    private let httpClient: HTTPClient

    public init(roleArn: String, tokenFile: String, roleSessionName: String?, endpoint: String, httpClient: HTTPClient) {
        self.roleArn = roleArn
        self.tokenFile = tokenFile
        self.roleSessionName = roleSessionName
        self.endpoint = endpoint
        self.httpClient = httpClient
    }

    /// The regional STS endpoint (botocore's default), or the global one when no region is known.
    public static func endpoint(region: String?) -> String {
        region.map { STSWebIdentityRequest.endpoint(region: $0) } ?? "https://sts.amazonaws.com/"
    }

    public func credentials() async throws -> AWSCredentials {
        try await fetch()
    }

    func fetch() async throws(CredentialProviderError) -> AWSCredentials {
        let token = try CredentialFile.readToken(tokenFile, name: "web identity token")
        let stsRequest: STSWebIdentityRequest
        do {
            stsRequest = try STSWebIdentityRequest(
                roleArn: roleArn, roleSessionName: roleSessionName ?? "sluice-\(Int(Date().timeIntervalSince1970))",
                webIdentityToken: token)
        } catch {
            throw CredentialProviderError(.misconfigured, "web identity: \(error.message)", underlying: error)
        }
        var request = HTTPClientRequest(method: "POST", url: endpoint, body: Array(stsRequest.formBody.utf8))
        request.headers.set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
        let response = try await CredentialHTTP.execute(httpClient, request, source: "STS")
        // STS error answers are XML ErrorResponse documents; parseSTSXML turns them into `.rejected`.
        do {
            let credentials = try CredentialPayload.parseSTSXML(response.body)
            guard (200..<300).contains(response.status) else {
                throw CredentialHTTP.statusError(response, source: "STS")
            }
            return credentials
        } catch let error as CredentialsError {
            if error.code != .serviceError, !(200..<300).contains(response.status) {
                throw CredentialHTTP.statusError(response, source: "STS")
            }
            throw CredentialProviderError(error, source: "STS AssumeRoleWithWebIdentity")
        } catch let error as CredentialProviderError {
            throw error
        } catch {
            throw CredentialProviderError(.invalidResponse, "STS: unexpected failure")
        }
    }
}
