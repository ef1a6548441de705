import SluiceCore

/// `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN` / `AWS_SECURITY_TOKEN`).
public struct EnvironmentCredentialProvider: CredentialProvider {
    private let environment: AWSEnvironment

    /// - Parameter environment: the process environment as passed in by the executable.
    public init(environment: [String: String]) { self.environment = AWSEnvironment(environment) }

    /// The keys, nil when neither variable is set.
    /// - Throws: `.misconfigured` when only one of the pair is set.
    public func load() throws(CredentialProviderError) -> AWSCredentials? {
        do {
            return try environment.credentials()
        } catch {
            throw CredentialProviderError(error, source: "environment")
        }
    }

    public func credentials() async throws -> AWSCredentials {
        guard let value = try load() else {
            throw CredentialProviderError(.noCredentials, "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY are not set")
        }
        return value
    }
}
