/// Resolves a named profile from the contents of the shared credentials and config files (no I/O:
/// the caller reads `AWS_SHARED_CREDENTIALS_FILE` / `AWS_CONFIG_FILE` and passes the text).
public enum AWSProfileResolver {
    /// What a profile provides.
    public struct Profile: Sendable, Equatable {
        /// Static keys (credentials file first, then config file, as botocore).
        public var credentials: AWSCredentials?
        /// `region` from the config file (falling back to the credentials file).
        public var region: String?
        /// Web-identity settings (`role_arn`, `web_identity_token_file`, `role_session_name`).
        public var roleArn: String?
        public var webIdentityTokenFile: String?
        public var roleSessionName: String?
        /// Whether either file has a section for the profile.
        public var exists = false
        /// The first setting that names a way to credentials this resolver does not follow (`source_profile`,
        /// `credential_process`, SSO…), or `role_arn` without `web_identity_token_file`.
        public var unsupportedSetting: String?

        public init(
            credentials: AWSCredentials? = nil, region: String? = nil, roleArn: String? = nil,
            webIdentityTokenFile: String? = nil, roleSessionName: String? = nil
        ) {
            self.credentials = credentials
            self.region = region
            self.roleArn = roleArn
            self.webIdentityTokenFile = webIdentityTokenFile
            self.roleSessionName = roleSessionName
        }
    }

    /// Looks up `profile` (`[name]` in credentials, `[profile name]` or `[default]` in config).
    /// - Parameters:
    ///   - credentialsFile: text of the shared credentials file, nil if absent.
    ///   - configFile: text of the config file, nil if absent.
    /// - Throws: `.partialCredentials` when a file has only one of the key id and secret.
    public static func resolve(
        profile: String = "default", credentialsFile: String?, configFile: String?
    ) throws(CredentialsError) -> Profile {
        let fromCredentials = credentialsFile.flatMap { AWSINIFile($0)[profile] }
        let fromConfig = configFile.flatMap { file -> [String: String]? in
            let ini = AWSINIFile(file)
            // botocore: `[profile default]` and `[default]` both work; `[profile x]` is the config spelling.
            return ini["profile " + profile] ?? (profile == "default" ? ini["default"] : nil)
        }
        var result = Profile()
        result.credentials = try staticCredentials(fromCredentials, source: "credentials file")
        if result.credentials == nil {
            result.credentials = try staticCredentials(fromConfig, source: "config file")
        }
        result.region = nonEmpty(fromConfig?["region"]) ?? nonEmpty(fromCredentials?["region"])
        result.roleArn = nonEmpty(fromConfig?["role_arn"])
        result.webIdentityTokenFile = nonEmpty(fromConfig?["web_identity_token_file"])
        result.roleSessionName = nonEmpty(fromConfig?["role_session_name"])
        result.exists = fromCredentials != nil || fromConfig != nil
        let settings = (fromConfig ?? [:]).merging(fromCredentials ?? [:]) { config, _ in config }
        result.unsupportedSetting = unsupportedSettings.first { nonEmpty(settings[$0]) != nil }
        if result.unsupportedSetting == nil, result.roleArn != nil, result.webIdentityTokenFile == nil {
            result.unsupportedSetting = "role_arn"
        }
        return result
    }

    /// Settings of ways to credentials that only an AWS SDK follows (assuming a role from another profile,
    /// running a program, SSO).
    static let unsupportedSettings = [
        "source_profile", "credential_source", "credential_process", "sso_session", "sso_start_url", "sso_account_id",
    ]

    /// Shortcut for the credentials alone.
    public static func credentials(
        profile: String = "default", credentialsFile: String?, configFile: String?
    ) throws(CredentialsError) -> AWSCredentials? {
        try resolve(profile: profile, credentialsFile: credentialsFile, configFile: configFile).credentials
    }

    private static func staticCredentials(_ section: [String: String]?, source: String) throws(CredentialsError)
        -> AWSCredentials?
    {
        guard let section else { return nil }
        let keyId = nonEmpty(section["aws_access_key_id"])
        let secret = nonEmpty(section["aws_secret_access_key"])
        switch (keyId, secret) {
        case let (k?, s?):
            return AWSCredentials(
                accessKeyId: k, secretAccessKey: s,
                sessionToken: nonEmpty(section["aws_session_token"]) ?? nonEmpty(section["aws_security_token"]))
        case (nil, nil):
            return nil
        default:
            throw CredentialsError(
                .partialCredentials, "profile in the \(source) has only one of aws_access_key_id and aws_secret_access_key")
        }
    }

    private static func nonEmpty(_ s: String?) -> String? {
        guard let s, !s.isEmpty else { return nil }
        return s
    }
}
