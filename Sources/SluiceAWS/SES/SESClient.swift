import Foundation
import Logging
import SluiceCore
import SluiceHTTP

/// SES API v2 over rest-json, signed with SigV4 (`ses`). Classifies failures but never retries:
/// the send worker owns retries and backoff.
public final class SESClient: Sendable {
    public let configuration: SESClientConfiguration
    private let logger: Logger
    /// Credentials, signing, transport, and the repairs after an auth refusal (shared with `SNSPublisher`).
    private let caller: AWSSignedCaller

    /// The offset applied to the signing time (0 until SES refused a request for clock skew).
    public var clockOffset: TimeInterval { caller.clockOffset }

    /// Which keys a call will be signed with, as far as refusals go: it grows each time SES refuses keys and
    /// they are dropped. Calls in flight together share a value, so one rotation (every one of them refused
    /// with the old keys) can be told from keys refused again after new ones were fetched.
    public var keysGeneration: UInt64 { caller.keysGeneration }

    public init(configuration: SESClientConfiguration, logger: Logger, now: @escaping @Sendable () -> Date = { Date() }) {
        self.configuration = configuration
        self.logger = logger
        self.caller = AWSSignedCaller(
            service: "ses", displayName: "SES", operationKey: "ses.operation", credentials: configuration.credentials,
            httpClient: configuration.httpClient, logger: logger, now: now)
    }

    /// `SendEmail`. Retry per `SESError.retry`.
    public func sendEmail(_ request: SESSendEmailRequest) async throws(SESError) -> SESSendEmailResponse {
        let response = try await perform(
            operation: "SendEmail", method: "POST", path: "/v2/email/outbound-emails", body: try request.jsonBody())
        // A 2xx that is not a JSON object did not come from SES (a proxy, a captive portal): the outcome is
        // unknown, so it is retried like a timeout. A JSON answer without a usable id is SES accepting the
        // message: sending it again would deliver it twice.
        guard let object = try? SESJSON.decodeObject(response.body, operation: "SendEmail") else {
            throw SESError(.invalidResponse, "SendEmail: 2xx response that is not a JSON object", retry: .retryable)
        }
        guard let id = object["MessageId"] as? String, !id.isEmpty else { return SESSendEmailResponse(messageId: nil) }
        logger.debug("ses message accepted", metadata: ["ses.message_id": "\(id)"])
        return SESSendEmailResponse(messageId: id)
    }

    /// `GetAccount`: quota, sending status, sandbox flag.
    public func getAccount() async throws(SESError) -> SESAccount {
        let response = try await perform(operation: "GetAccount", method: "GET", path: "/v2/email/account")
        return SESAccount(json: try SESJSON.decodeObject(response.body, operation: "GetAccount"))
    }

    /// `PutSuppressedDestination`: adds (or updates) an address on the account suppression list.
    public func putSuppressedDestination(email: String, reason: SESSuppressionReason) async throws(SESError) {
        let body = try SESJSON.encode(["EmailAddress": email, "Reason": reason.rawValue])
        _ = try await perform(
            operation: "PutSuppressedDestination", method: "PUT", path: "/v2/email/suppression/addresses", body: body)
    }

    /// `DeleteSuppressedDestination`; SES answers 404 `NotFoundException` when the address is not listed.
    public func deleteSuppressedDestination(email: String) async throws(SESError) {
        _ = try await perform(
            operation: "DeleteSuppressedDestination", method: "DELETE",
            path: "/v2/email/suppression/addresses/" + SigV4Encoding.uriEncode(email))
    }

    /// `ListSuppressedDestinations`, one page.
    public func listSuppressedDestinations(startDate: Date? = nil, nextToken: String? = nil, pageSize: Int? = nil)
        async throws(SESError) -> SESSuppressedDestinationPage
    {
        var query: [(String, String)] = []
        if let startDate { query.append(("StartDate", AWSTimestamp.iso8601(startDate))) }
        if let nextToken { query.append(("NextToken", nextToken)) }
        if let pageSize { query.append(("PageSize", String(pageSize))) }
        let response = try await perform(
            operation: "ListSuppressedDestinations", method: "GET", path: "/v2/email/suppression/addresses", query: query)
        return SESSuppressedDestinationPage(json: try SESJSON.decodeObject(response.body, operation: "ListSuppressedDestinations"))
    }

    /// Sends one signed request and returns the 2xx response; any other outcome is a classified `SESError`.
    ///
    /// Also usable for SES v1 Query calls (`path: "/"`, form body, `contentType: "application/x-www-form-urlencoded"`).
    /// - Parameters:
    ///   - path: already percent-encoded path below the endpoint (the signer encodes it once more).
    ///   - query: decoded names and values; encoded here.
    public func perform(
        operation: String, method: String, path: String, query: [(String, String)] = [], body: [UInt8] = [],
        contentType: String = "application/json"
    ) async throws(SESError) -> HTTPClientResponse {
        var url = configuration.resolvedEndpoint + path
        if !query.isEmpty {
            url += "?" + query.map { SigV4Encoding.uriEncode($0.0) + "=" + SigV4Encoding.uriEncode($0.1) }.joined(separator: "&")
        }
        var request = HTTPClientRequest(method: method, url: url, body: body)
        // Content-Type only when there is a body: signed headers must be exactly the ones sent.
        if !body.isEmpty || method == "POST" || method == "PUT" { request.headers.set("Content-Type", contentType) }
        return try await caller.perform(request, region: configuration.region, operation: operation, failure: SESError.self)
    }

}

extension SESError: AWSCallFailure {
    var retryLogField: (name: String, value: String) { ("retry", retry.rawValue) }

    static func credentials(_ message: String, underlying: CredentialProviderError?) -> SESError {
        SESError(.credentials, message, retry: .retryable, underlying: underlying)
    }

    static func unsignable(_ error: AWSRequestSignerError) -> SESError {
        SESError(.invalidRequest, error.message, retry: .permanent, underlying: error)
    }
}
