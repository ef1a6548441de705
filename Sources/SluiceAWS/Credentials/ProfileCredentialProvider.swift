import SluiceCore

/// Static keys from the shared credentials/config files for `AWS_PROFILE` (default `default`).
///
/// Files: `AWS_SHARED_CREDENTIALS_FILE` (else `$HOME/.aws/credentials`), `AWS_CONFIG_FILE`
/// (else `$HOME/.aws/config`); both are re-read on each call.
public struct ProfileCredentialProvider: CredentialProvider {
    public let profile: String
    /// nil when neither the variable nor `HOME` is set.
    public let credentialsFilePath: String?
    public let configFilePath: String?

    public init(environment: [String: String]) {
        let env = AWSEnvironment(environment)
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 }
        profile = env.profile
        credentialsFilePath =
            environment["AWS_SHARED_CREDENTIALS_FILE"].flatMap { $0.isEmpty ? nil : $0 }
            ?? home.map { env.credentialsFilePath(home: $0) }
        configFilePath =
            environment["AWS_CONFIG_FILE"].flatMap { $0.isEmpty ? nil : $0 } ?? home.map { env.configFilePath(home: $0) }
    }

    /// Everything the profile says (keys, region, web identity settings); empty when the files are absent.
    public func loadProfile() throws(CredentialProviderError) -> AWSProfileResolver.Profile {
        let credentialsText = try credentialsFilePath.flatMap { path throws(CredentialProviderError) in
            try CredentialFile.readIfPresent(path)
        }
        let configText = try configFilePath.flatMap { path throws(CredentialProviderError) in
            try CredentialFile.readIfPresent(path)
        }
        do {
            return try AWSProfileResolver.resolve(profile: profile, credentialsFile: credentialsText, configFile: configText)
        } catch {
            throw CredentialProviderError(error, source: "profile \(profile)")
        }
    }

    public func credentials() async throws -> AWSCredentials {
        guard let value = try loadProfile().credentials else {
            throw CredentialProviderError(.noCredentials, "profile \(profile) has no static keys")
        }
        return value
    }
}
