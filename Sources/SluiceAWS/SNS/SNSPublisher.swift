import Foundation
import Logging
import SluiceCore
import SluiceHTTP

/// SNS `Publish` over the Query API (form POST to `/`), signed with SigV4 (`sns`) for the topic's region.
///
/// Calls go through the same `AWSSignedCaller` as `SESClient`'s, so they get the same repairs after an auth
/// refusal (SNS's clock from `Date`, refused keys dropped). Classifies failures but never retries: the caller
/// owns retries and backoff.
public final class SNSPublisher: Sendable {
    public let configuration: SNSPublisherConfiguration
    private let logger: Logger
    private let caller: AWSSignedCaller

    public init(configuration: SNSPublisherConfiguration, logger: Logger, now: @escaping @Sendable () -> Date = { Date() }) {
        self.configuration = configuration
        self.logger = logger
        self.caller = AWSSignedCaller(
            service: "sns", displayName: "SNS", operationKey: "sns.action", credentials: configuration.credentials,
            httpClient: configuration.httpClient, logger: logger, now: now)
    }

    /// The offset applied to the signing time (0 until SNS refused a request for clock skew).
    public var clockOffset: TimeInterval { caller.clockOffset }

    /// `Publish`; returns SNS's `MessageId`.
    /// - Throws: `SNSPublishError`; `isRetryable` says whether the same call may succeed later.
    public func publish(_ request: SNSPublishRequest) async throws(SNSPublishError) -> String {
        guard !request.message.isEmpty else {
            throw SNSPublishError(.invalidRequest, "Publish: the message is empty", isRetryable: false)
        }
        let response = try await perform(action: "Publish", region: request.topic.region, parameters: request.formParameters)
        let path = ["PublishResponse", "PublishResult", "MessageId"]
        // A 2xx without a MessageId did not come from SNS (a proxy, a captive portal): the outcome is unknown,
        // and a second alert is better than none.
        guard let id = SNSXMLText.first(path: path, in: response.body)?.trimmingCharacters(in: .whitespacesAndNewlines), !id.isEmpty else {
            throw SNSPublishError(.invalidResponse, "Publish: 2xx response without PublishResult/MessageId", httpStatus: response.status, isRetryable: true)
        }
        logger.debug("sns message published", metadata: ["sns.message_id": "\(id)", "sns.topic_arn": "\(request.topic)"])
        return id
    }

    /// Sends one signed Query API call (`parameters` must include `Action` and `Version`) and returns the 2xx
    /// response; any other outcome is a classified `SNSPublishError`.
    public func perform(action: String, region: String, parameters: [(String, String)]) async throws(SNSPublishError) -> HTTPClientResponse {
        var request = HTTPClientRequest(
            method: "POST", url: configuration.resolvedEndpoint(region: region), body: SNSPublishRequest.formBody(parameters))
        request.headers.set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
        return try await caller.perform(request, region: region, operation: action, failure: SNSPublishError.self)
    }
}

extension SNSPublishError: AWSCallFailure {
    var retryLogField: (name: String, value: String) { ("retryable", "\(isRetryable)") }

    static func credentials(_ message: String, underlying: CredentialProviderError?) -> SNSPublishError {
        SNSPublishError(.credentials, message, isRetryable: true, underlying: underlying)
    }

    static func unsignable(_ error: AWSRequestSignerError) -> SNSPublishError {
        SNSPublishError(.invalidRequest, error.message, isRetryable: false, underlying: error)
    }
}
