import Foundation
import Logging
import SluiceCore
import SluiceHTTP
import Synchronization

/// Sends SigV4-signed requests for one service client (`SESClient`, `SNSPublisher`) and returns the 2xx answer.
///
/// Fetches credentials and signs each call afresh at the current time plus the learnt clock offset. After an
/// auth refusal it repairs the next call: a clock-skew refusal sets the offset from the answer's `Date`, refused
/// keys are dropped from the provider's cache. Failures are classified by the client's error type; it never retries.
final class AWSSignedCaller: Sendable {
    /// SigV4 signing name, also the prefix of the log metadata keys (`ses`, `sns`).
    let service: String
    /// The service as log messages name it (`SES`).
    private let displayName: String
    /// The metadata key naming the call in debug logs (`ses.operation`, `sns.action`).
    private let operationKey: String
    private let credentials: any CredentialProvider
    private let httpClient: HTTPClient
    private let logger: Logger
    private let now: @Sendable () -> Date
    /// Seconds added to the local clock when signing: the service's clock minus ours, learnt from a clock-skew refusal.
    private let skew = Mutex<TimeInterval>(0)
    /// How many times refused keys were dropped so far.
    private let refusedKeyDrops = Atomic<UInt64>(0)

    init(
        service: String, displayName: String, operationKey: String, credentials: any CredentialProvider,
        httpClient: HTTPClient, logger: Logger, now: @escaping @Sendable () -> Date
    ) {
        self.service = service
        self.displayName = displayName
        self.operationKey = operationKey
        self.credentials = credentials
        self.httpClient = httpClient
        self.logger = logger
        self.now = now
    }

    /// The offset applied to the signing time (0 until the service refused a request for clock skew).
    var clockOffset: TimeInterval { skew.withLock { $0 } }

    /// Grows each time the service refuses keys and they are dropped (see `SESClient.keysGeneration`).
    var keysGeneration: UInt64 { refusedKeyDrops.load(ordering: .acquiring) }

    /// Signs `request` for `region` and sends it; returns the 2xx response, else throws the classified `Failure`.
    func perform<Failure: AWSCallFailure>(
        _ request: HTTPClientRequest, region: String, operation: String, failure: Failure.Type
    ) async throws(Failure) -> HTTPClientResponse {
        let keys: AWSCredentials
        do {
            keys = try await credentials.credentials()
        } catch {
            let text = (error as? CredentialProviderError)?.description ?? "credential provider failed"
            throw Failure.credentials(text, underlying: error as? CredentialProviderError)
        }
        // A fresh signature per attempt: each call signs at the current time.
        let signed: HTTPClientRequest
        do {
            signed = try AWSRequestSigner(service: service, region: region)
                .sign(request, credentials: keys, at: now().addingTimeInterval(clockOffset))
        } catch {
            throw Failure.unsignable(error)
        }
        let response: HTTPClientResponse
        do {
            response = try await httpClient.execute(signed)
        } catch {
            let failure = Failure.fromTransport(error)
            logger.debug("\(service) request failed", metadata: [operationKey: "\(operation)", "error": "\(failure.code)"])
            throw failure
        }
        guard (200..<300).contains(response.status) else {
            let failure = Failure.fromResponse(response)
            await recover(from: failure, response: response, signedWith: keys)
            let retry = failure.retryLogField
            logger.debug("\(service) error response", metadata: [
                operationKey: "\(operation)", "http.status": "\(response.status)",
                "\(service).error_type": "\(failure.awsErrorType ?? "-")", "\(service).\(retry.name)": "\(retry.value)",
            ])
            throw failure
        }
        return response
    }

    /// Prepares the next attempt after an auth refusal: a clock-skew refusal sets the signing offset from the
    /// answer's `Date`; refused keys are dropped from the provider's cache so the next call fetches new ones.
    private func recover(from failure: some AWSCallFailure, response: HTTPClientResponse, signedWith keys: AWSCredentials) async {
        if RetryClassifier.isClockSkew(errorType: failure.awsErrorType, message: failure.message) {
            guard let serverDate = response.headers["Date"].flatMap(Self.parseHTTPDate) else { return }
            let offset = serverDate.timeIntervalSince(now())
            skew.withLock { $0 = offset }
            logger.warning("\(displayName) refused the request's time: signing with \(displayName)'s clock", metadata: [
                "\(service).error_type": "\(failure.awsErrorType ?? "-")", "\(service).clock_offset_seconds": "\(Int(offset.rounded()))",
            ])
        } else if RetryClassifier.isCredentialRefusal(errorType: failure.awsErrorType) {
            logger.warning("\(displayName) refused the AWS credentials: fetching new ones", metadata: [
                "\(service).error_type": "\(failure.awsErrorType ?? "-")",
            ])
            await credentials.invalidate(ifStill: keys.accessKeyId)
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
