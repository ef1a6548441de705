/// The unsigned STS `AssumeRoleWithWebIdentity` Query API request (form body for `POST /`).
public struct STSWebIdentityRequest: Sendable, Equatable {
    public var roleArn: String
    public var roleSessionName: String
    /// The OIDC token read from the token file (re-read on each refresh).
    public var webIdentityToken: String
    /// 900-43200 seconds; nil = the role's default (1 h).
    public var durationSeconds: Int?

    /// - Throws: `.malformed` for a session name outside 2-64 of `[\w+=,.@-]` or a bad duration.
    public init(roleArn: String, roleSessionName: String, webIdentityToken: String, durationSeconds: Int? = nil)
        throws(CredentialsError)
    {
        let allowed = Set("+=,.@-_".utf8)
        guard (2...64).contains(roleSessionName.utf8.count),
            roleSessionName.utf8.allSatisfy({ SigV4Encoding.isUnreserved($0) || allowed.contains($0) }),
            !roleSessionName.contains("~")
        else { throw CredentialsError(.malformed, "role session name must be 2-64 of [A-Za-z0-9+=,.@_-]") }
        if let durationSeconds, !(900...43200).contains(durationSeconds) {
            throw CredentialsError(.malformed, "DurationSeconds must be 900-43200")
        }
        guard !roleArn.isEmpty, !webIdentityToken.isEmpty else {
            throw CredentialsError(.missingField, "role ARN and web identity token are required")
        }
        self.roleArn = roleArn
        self.roleSessionName = roleSessionName
        self.webIdentityToken = webIdentityToken
        self.durationSeconds = durationSeconds
    }

    /// `https://sts.<region>.amazonaws.com/` (regional endpoint, botocore's default).
    public static func endpoint(region: String) -> String { "https://sts.\(region).amazonaws.com/" }

    /// `application/x-www-form-urlencoded` body.
    public var formBody: String {
        var items = [
            ("Action", "AssumeRoleWithWebIdentity"), ("Version", "2011-06-15"), ("RoleArn", roleArn),
            ("RoleSessionName", roleSessionName), ("WebIdentityToken", webIdentityToken),
        ]
        if let durationSeconds { items.append(("DurationSeconds", String(durationSeconds))) }
        return items.map { SigV4Encoding.uriEncode($0.0) + "=" + SigV4Encoding.uriEncode($0.1) }.joined(separator: "&")
    }
}
