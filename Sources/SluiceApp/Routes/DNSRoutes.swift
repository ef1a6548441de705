import Foundation
import SluiceDNS
import SluiceHTTP

/// `GET /v1/domains/{domain}/dns-check`: the same report as `sluice dns check --json`.
enum DNSRoutes {
    /// - Parameter environment: what the AWS credential chain reads for the SES identity lookup.
    static func register(on router: inout Router, context: AppContext, environment: [String: String]) {
        let auth = BearerAuthenticator(tokens: context.configuration.strings("api.tokens"))
        let service = try? DomainCheckService(configuration: context.configuration, logger: context.logger, environment: environment)
        let gate = DNSCheckGate(limit: context.configuration.int("dns.max_concurrent_checks"))
        router.add(.GET, "/v1/domains/{domain}/dns-check") { request in
            guard auth.isAuthorized(request) else { return BearerAuthenticator.unauthorized() }
            guard let service else {
                return .error(.serviceUnavailable, code: "dns_unavailable", message: "no usable DNS servers configured")
            }
            let domain = request.pathParameters["domain"] ?? ""
            guard domain.utf8.count <= 253, !domain.isEmpty else {
                return .error(.badRequest, code: "invalid_domain", message: "domain must be 1-253 characters")
            }
            let tokens = request.queryItems.filter { $0.name == "dkim_token" }.map(\.value)
            guard tokens.count <= 10 else { return .error(.badRequest, code: "too_many_tokens", message: "at most 10 dkim_token values") }
            // ses=false skips the GetEmailIdentity lookup; anything but true/false is refused, as on DELETE /v1/suppressions.
            let ses = request.queryItems.filter { $0.name == "ses" }.map(\.value)
            guard ses.count <= 1, ses.allSatisfy({ $0 == "true" || $0 == "false" }) else {
                return .error(.badRequest, code: "invalid_query", message: "ses must be given once, as true or false")
            }
            guard gate.enter() else {
                var headers = HTTPHeaders()
                headers.set("Retry-After", "5")
                return .error(
                    .serviceUnavailable, code: "dns_busy", message: "\(gate.limit) DNS checks are already running; retry later",
                    headers: headers)
            }
            let report = await service.check(
                domain: domain, dkimTokens: tokens, mailFrom: request.query("mail_from"), region: request.query("region"),
                useSES: ses.first != "false")
            gate.leave()
            do {
                return .json(.ok, bytes: Array(try report.renderJSON().utf8))
            } catch {
                return .error(.internalServerError, code: "encoding_failed", message: "could not encode the report")
            }
        }
    }
}
