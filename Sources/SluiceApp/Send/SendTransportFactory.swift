import Foundation
import Logging
import SluiceAWS
import SluiceHTTP

/// Picks the transport from `ses.transport` and the credential chain, and says which at start.
enum SendTransportFactory {
    static func make(configuration: SendGateConfiguration, environment: [String: String], logger: Logger) async -> any SendTransport {
        if configuration.transport == "outbox" {
            logger.notice("send gate transport: outbox (ses.transport = outbox): SES requests are recorded, nothing is sent")
            return OutboxTransport()
        }
        let client: HTTPClient
        do {
            client = try HTTPClient(configuration: HTTPClientConfiguration(
                extraCAFile: configuration.caFile, connectTimeout: .seconds(5), readTimeout: .seconds(configuration.requestTimeout),
                totalTimeout: .seconds(configuration.requestTimeout), maxIdleConnectionsPerHost: max(4, configuration.concurrency)))
        } catch {
            // Never the outbox here: mail would be marked sent and never leave. The configuration check
            // refuses the usual cause (an unloadable ses.ca_file); whatever else it is, mail waits.
            logger.error("send gate transport: ses, but its HTTP client cannot be built; sends fail and are retried", metadata: ["error": "\(error)"])
            return UnusableTransport(reason: "the SES HTTP client cannot be built: \(error)")
        }
        let chain = DefaultCredentialChain(environment: environment, httpClient: client, logger: logger)
        // Only "nothing configured" picks the outbox in `auto`: credentials that are configured but failing now
        // (IMDS erring, partial variables, STS down) must not turn real mail into outbox records for good.
        let status = await chain.status()
        let source: CredentialSource?
        switch status {
        case .resolved(let resolved):
            source = resolved
        case .failing(let failing, let reason):
            source = failing
            logger.warning(
                "send gate transport: ses, but the configured AWS credentials are not usable yet; sends fail and are retried until they are",
                metadata: ["aws.credential_source": "\(failing?.description ?? "none")", "error": "\(reason)"])
        case .notConfigured:
            if configuration.transport == "auto" {
                logger.notice("send gate transport: outbox (no AWS credentials configured): SES requests are recorded in the store, nothing is sent")
                return OutboxTransport()
            }
            source = nil
            logger.warning("send gate transport: ses, but no AWS credentials were found; sends will fail and be retried")
        }
        let ses = SESClient(
            configuration: SESClientConfiguration(
                region: configuration.region, endpoint: configuration.endpoint, credentials: chain, httpClient: client),
            logger: logger)
        logger.notice("send gate transport: ses", metadata: [
            "ses.endpoint": "\(ses.configuration.resolvedEndpoint)", "aws.credential_source": "\(source?.description ?? "none")",
        ])
        return SESTransport(client: ses)
    }
}
