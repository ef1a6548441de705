/// Reads the standard AWS environment variables from a dictionary the executable passes in
/// (SluiceCore never touches the process environment itself).
public struct AWSEnvironment: Sendable, Equatable {
    public var variables: [String: String]

    public init(_ variables: [String: String]) { self.variables = variables }

    private func value(_ name: String) -> String? {
        guard let v = variables[name], !v.isEmpty else { return nil }
        return v
    }

    /// `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`, alias `AWS_SECURITY_TOKEN`).
    /// - Throws: `.partialCredentials` when only one of the pair is set.
    public func credentials() throws(CredentialsError) -> AWSCredentials? {
        switch (value("AWS_ACCESS_KEY_ID"), value("AWS_SECRET_ACCESS_KEY")) {
        case let (k?, s?):
            return AWSCredentials(
                accessKeyId: k, secretAccessKey: s,
                sessionToken: value("AWS_SESSION_TOKEN") ?? value("AWS_SECURITY_TOKEN"))
        case (nil, nil):
            return nil
        default:
            throw CredentialsError(
                .partialCredentials, "only one of AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY is set")
        }
    }

    /// `AWS_REGION`, else `AWS_DEFAULT_REGION`.
    public var region: String? { value("AWS_REGION") ?? value("AWS_DEFAULT_REGION") }

    /// `AWS_PROFILE`, else `default`.
    public var profile: String { value("AWS_PROFILE") ?? "default" }
    /// Whether `AWS_PROFILE` names the profile (not the `default` one by default).
    public var profileIsExplicit: Bool { value("AWS_PROFILE") != nil }

    /// `AWS_SHARED_CREDENTIALS_FILE`, else `<home>/.aws/credentials`.
    public func credentialsFilePath(home: String) -> String {
        value("AWS_SHARED_CREDENTIALS_FILE") ?? home + "/.aws/credentials"
    }

    /// `AWS_CONFIG_FILE`, else `<home>/.aws/config`.
    public func configFilePath(home: String) -> String { value("AWS_CONFIG_FILE") ?? home + "/.aws/config" }

    /// Web identity settings from `AWS_ROLE_ARN` + `AWS_WEB_IDENTITY_TOKEN_FILE` (+ `AWS_ROLE_SESSION_NAME`).
    public var webIdentity: (roleArn: String, tokenFile: String, sessionName: String?)? {
        guard let arn = value("AWS_ROLE_ARN"), let file = value("AWS_WEB_IDENTITY_TOKEN_FILE") else { return nil }
        return (arn, file, value("AWS_ROLE_SESSION_NAME"))
    }

    /// Whether IMDS may be used (`AWS_EC2_METADATA_DISABLED` not `true`).
    public var imdsEnabled: Bool { value("AWS_EC2_METADATA_DISABLED")?.lowercased() != "true" }

    /// The container credentials endpoint, validated as botocore does, or nil when not configured.
    ///
    /// `_RELATIVE_URI` → `http://169.254.170.2` + path; `_FULL_URI` must be `https`, or `http` to a
    /// loopback / ECS / EKS host. The authorization comes from `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`
    /// (returned as a path, to be re-read on each refresh) or `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
    public func containerEndpoint() throws(CredentialsError) -> ContainerEndpoint? {
        let tokenFile = value("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
        let token = value("AWS_CONTAINER_AUTHORIZATION_TOKEN")
        if let token, token.contains("\r") || token.contains("\n") {
            throw CredentialsError(.malformed, "AWS_CONTAINER_AUTHORIZATION_TOKEN contains a line break")
        }
        if let relative = value("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") {
            guard relative.hasPrefix("/"), !relative.contains("@") else {
                throw CredentialsError(.malformed, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI must be a path")
            }
            return ContainerEndpoint(url: "http://169.254.170.2" + relative, authorizationToken: token, authorizationTokenFile: tokenFile)
        }
        guard let full = value("AWS_CONTAINER_CREDENTIALS_FULL_URI") else { return nil }
        guard full.hasPrefix("https://") || (full.hasPrefix("http://") && Self.isAllowedHTTPHost(full)) else {
            throw CredentialsError(
                .malformed, "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https or http to a loopback/container host")
        }
        return ContainerEndpoint(url: full, authorizationToken: token, authorizationTokenFile: tokenFile)
    }

    static func isAllowedHTTPHost(_ url: String) -> Bool {
        let rest = url.dropFirst("http://".count)
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !authority.contains("@") else { return false }
        var host = String(authority)
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return false }
            host = String(host[host.index(after: host.startIndex)..<close])
        } else if let colon = host.firstIndex(of: ":") {
            host = String(host[..<colon])
        }
        let host4 = host.split(separator: ".")
        let isLoopback4 = host4.count == 4 && host4[0] == "127" && host4.allSatisfy { UInt8($0) != nil }
        return isLoopback4 || ["localhost", "::1", "169.254.170.2", "169.254.170.23", "fd00:ec2::23"].contains(host)
    }

    /// Where to fetch container credentials.
    public struct ContainerEndpoint: Sendable, Equatable {
        public var url: String
        public var authorizationToken: String?
        /// Read it (and reject CR/LF) on each refresh; takes precedence over `authorizationToken`.
        public var authorizationTokenFile: String?
    }
}
