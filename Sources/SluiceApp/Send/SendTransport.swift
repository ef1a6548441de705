import Foundation
import Logging
import SluiceAWS
import SluiceCore

/// Where the worker hands a message: SES itself, or the outbox that only records the request.
protocol SendTransport: Sendable {
    /// `ses` or `outbox`, for logs and metrics.
    var kind: String { get }
    /// Sends one message; failures come back classified.
    func send(_ request: SESSendEmailRequest, at date: Date) async -> TransportResult
    /// The account's limits, when the transport can read them (`GetAccount`).
    func account() async throws(SESError) -> SESAccount?
}

/// The result of one transport call.
struct TransportResult: Sendable {
    var outcome: SendOutcome
    /// The recorded request (outbox only).
    var outbox: String?
}

/// SES v2 `SendEmail` through `SESClient`.
struct SESTransport: SendTransport {
    let client: SESClient
    var kind: String { "ses" }

    func send(_ request: SESSendEmailRequest, at date: Date) async -> TransportResult {
        do {
            let response = try await client.sendEmail(request)
            return TransportResult(outcome: .accepted(sesMessageId: response.messageId))
        } catch {
            // `message` is SES's text; it may name the rejected address, which the message owner may see.
            let text = "\(error.awsErrorType ?? error.code.description): \(error.message)"
            return TransportResult(outcome: .failed(decision: error.retry, error: text))
        }
    }

    func account() async throws(SESError) -> SESAccount? { try await client.getAccount() }
}

/// No credentials (or `ses.transport = "outbox"`): records each would-be request in the store; nothing leaves.
struct OutboxTransport: SendTransport {
    var kind: String { "outbox" }

    func send(_ request: SESSendEmailRequest, at date: Date) async -> TransportResult {
        TransportResult(outcome: .accepted(sesMessageId: nil), outbox: SendRequestMapping.outboxJSON(for: request, at: date))
    }

    func account() async throws(SESError) -> SESAccount? { nil }
}
