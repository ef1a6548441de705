import Foundation
import Logging
import SluiceAWS
import SluiceHTTP

/// Builds an `SESClient` for management calls (suppression-list sync) from `ses.*` and the credential chain.
enum SESClientFactory {
    /// Nil when `ses.transport = outbox`, or `auto` with no credentials configured: then nothing may talk to SES.
    /// Credentials that are configured but failing give a client whose calls fail (retryable) until they work.
    static func make(configuration: SendGateConfiguration, environment: [String: String], logger: Logger) async -> SESClient? {
        if configuration.transport == "outbox" { return nil }
        guard let http = try? HTTPClient(configuration: HTTPClientConfiguration(
            extraCAFile: configuration.caFile, connectTimeout: .seconds(5), readTimeout: .seconds(configuration.requestTimeout),
            totalTimeout: .seconds(configuration.requestTimeout), maxIdleConnectionsPerHost: 2))
        else { return nil }
        let chain = DefaultCredentialChain(environment: environment, httpClient: http, logger: logger)
        if await chain.status() == .notConfigured && configuration.transport == "auto" { return nil }
        return SESClient(
            configuration: SESClientConfiguration(region: configuration.region, endpoint: configuration.endpoint, credentials: chain, httpClient: http),
            logger: logger)
    }
}
