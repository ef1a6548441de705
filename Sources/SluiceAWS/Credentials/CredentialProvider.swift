import SluiceCore

/// Something that can produce AWS credentials (static, from files, or fetched from a metadata endpoint).
public protocol CredentialProvider: Sendable {
    /// Current credentials; providers that fetch do so on every call (wrap in `CachingCredentialProvider`).
    func credentials() async throws -> AWSCredentials
    /// Forgets cached keys (a service refused them); the next `credentials()` fetches anew.
    func invalidate() async
    /// Forgets the cached keys if they are still the refused ones (`accessKeyId`): the refusals of calls
    /// signed before a refresh must not throw away the keys that refresh brought.
    func invalidate(ifStill accessKeyId: String) async
}

extension CredentialProvider {
    /// Providers without a cache have nothing to forget.
    public func invalidate() async {}
    public func invalidate(ifStill accessKeyId: String) async { await invalidate() }
}

/// Fixed credentials (configuration or tests).
public struct StaticCredentialProvider: CredentialProvider {
    public let value: AWSCredentials
    public init(_ value: AWSCredentials) { self.value = value }
    public func credentials() async throws -> AWSCredentials { value }
}
