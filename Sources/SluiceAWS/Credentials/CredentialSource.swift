/// Which link of the default chain supplies the credentials.
public enum CredentialSource: String, Sendable, CaseIterable, CustomStringConvertible {
    /// `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` (/ `AWS_SESSION_TOKEN`).
    case environment
    /// STS `AssumeRoleWithWebIdentity` with a token file (env or profile `web_identity_token_file`).
    case webIdentity
    /// Static keys in `~/.aws/credentials` or `~/.aws/config` for `AWS_PROFILE`.
    case sharedFiles
    /// ECS/EKS container credentials endpoint.
    case container
    /// EC2 instance metadata (IMDSv2).
    case instanceMetadata

    public var description: String { rawValue }
}
