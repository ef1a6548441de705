import SluiceCore
import SluiceHTTP

/// Shared plumbing for providers that fetch credentials over HTTP.
enum CredentialHTTP {
    /// Credential answers are a few hundred bytes.
    static let maxResponseBytes = 64 * 1024

    /// Executes `request`, mapping transport failures to `.network`.
    static func execute(_ client: HTTPClient, _ request: HTTPClientRequest, source: String)
        async throws(CredentialProviderError) -> HTTPClientResponse
    {
        var request = request
        request.maxResponseBytes = maxResponseBytes
        do {
            return try await client.execute(request)
        } catch let error as HTTPClientError {
            throw CredentialProviderError(.network, "\(source): \(error.code): \(error.message)", underlying: error)
        } catch {
            throw CredentialProviderError(.network, "\(source): request failed")
        }
    }

    /// A non-2xx status as an error (the body is not included: it may echo tokens).
    static func statusError(_ response: HTTPClientResponse, source: String) -> CredentialProviderError {
        CredentialProviderError(.httpStatus, "\(source) answered HTTP \(response.status)", httpStatus: response.status)
    }

    /// Parses the container/IMDS JSON body.
    static func parseJSON(_ response: HTTPClientResponse, source: String) throws(CredentialProviderError)
        -> AWSCredentials
    {
        do {
            return try CredentialPayload.parseJSON(response.body)
        } catch {
            throw CredentialProviderError(error, source: source)
        }
    }
}
