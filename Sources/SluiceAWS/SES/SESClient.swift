import Foundation
import Logging
import SluiceCore
import SluiceHTTP
import Synchronization

/// SES API v2 over rest-json, signed with SigV4 (`ses`). Classifies failures but never retries:
/// the send worker owns retries and backoff.
public final class SESClient: Sendable {
    public let configuration: SESClientConfiguration
    private let logger: Logger
    private let signer: AWSRequestSigner
    private let now: @Sendable () -> Date
    /// Seconds added to the local clock when signing: SES's clock minus ours, learnt from a clock-skew refusal.
    private let skew = Mutex<TimeInterval>(0)

    /// How many times refused keys were dropped so far.
    private let refusedKeyDrops = Atomic<UInt64>(0)

    /// The offset applied to the signing time (0 until SES refused a request for clock skew).
    public var clockOffset: TimeInterval { skew.withLock { $0 } }

    /// Which keys a call will be signed with, as far as refusals go: it grows each time SES refuses keys and
    /// they are dropped. Calls in flight together share a value, so one rotation (every one of them refused
    /// with the old keys) can be told from keys refused again after new ones were fetched.
    public var keysGeneration: UInt64 { refusedKeyDrops.load(ordering: .acquiring) }

    public init(configuration: SESClientConfiguration, logger: Logger, now: @escaping @Sendable () -> Date = { Date() }) {
        self.configuration = configuration
        self.logger = logger
        self.signer = AWSRequestSigner(service: "ses", region: configuration.region)
        self.now = now
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
        let credentials: AWSCredentials
        do {
            credentials = try await configuration.credentials.credentials()
        } catch {
            let text = (error as? CredentialProviderError)?.description ?? "credential provider failed"
            throw SESError(.credentials, text, retry: .retryable, underlying: error as? CredentialProviderError)
        }
        // A fresh signature per attempt: each call signs at the current time.
        let signed: HTTPClientRequest
        do {
            signed = try signer.sign(request, credentials: credentials, at: now().addingTimeInterval(clockOffset))
        } catch {
            throw SESError(.invalidRequest, error.message, retry: .permanent, underlying: error)
        }
        let response: HTTPClientResponse
        do {
            response = try await configuration.httpClient.execute(signed)
        } catch {
            let failure = SESError.fromTransport(error)
            logger.debug(
                "ses request failed", metadata: ["ses.operation": "\(operation)", "error": "\(failure.code)"])
            throw failure
        }
        guard (200..<300).contains(response.status) else {
            let failure = SESError.fromResponse(response)
            await recover(from: failure, response: response, signedWith: credentials)
            logger.debug(
                "ses error response",
                metadata: [
                    "ses.operation": "\(operation)", "http.status": "\(response.status)",
                    "ses.error_type": "\(failure.awsErrorType ?? "-")", "ses.retry": "\(failure.retry.rawValue)",
                ])
            throw failure
        }
        return response
    }

    /// Prepares the next attempt after an auth refusal: a clock-skew refusal sets the signing offset from the
    /// answer's `Date`; refused keys are dropped from the provider's cache so the next call fetches new ones.
    private func recover(from failure: SESError, response: HTTPClientResponse, signedWith credentials: AWSCredentials) async {
        if RetryClassifier.isClockSkew(errorType: failure.awsErrorType, message: failure.message) {
            guard let serverDate = response.headers["Date"].flatMap(Self.parseHTTPDate) else { return }
            let offset = serverDate.timeIntervalSince(now())
            skew.withLock { $0 = offset }
            logger.warning("SES refused the request's time: signing with SES's clock", metadata: [
                "ses.error_type": "\(failure.awsErrorType ?? "-")", "ses.clock_offset_seconds": "\(Int(offset.rounded()))",
            ])
        } else if RetryClassifier.isCredentialRefusal(errorType: failure.awsErrorType) {
            logger.warning("SES refused the AWS credentials: fetching new ones", metadata: ["ses.error_type": "\(failure.awsErrorType ?? "-")"])
            await configuration.credentials.invalidate(ifStill: credentials.accessKeyId)
            refusedKeyDrops.add(1, ordering: .releasing)
        }
    }

    /// An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`, RFC 9110 §5.6.7).
    static func parseHTTPDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.date(from: text.trimmingCharacters(in: .whitespaces))
    }
}
