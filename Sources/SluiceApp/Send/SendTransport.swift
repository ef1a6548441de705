import Foundation
import Logging
import SluiceAWS
import SluiceCore
import Synchronization

/// Where the worker hands a message: SES itself, or the outbox that only records the request.
protocol SendTransport: Sendable {
    /// `ses` or `outbox`, for logs and metrics.
    var kind: String { get }
    /// Sends one message; failures come back classified.
    func send(_ request: SESSendEmailRequest, at date: Date) async -> TransportResult
    /// The account's limits, when the transport can read them (`GetAccount`).
    func account() async throws(SESError) -> SESAccount?
    /// Gets ready for a `send` (AWS credentials): what no call timeout bounds happens here, before the worker's
    /// last check of the claim's age, so a call never starts later than the claim window allows. Returns the
    /// result to record instead of calling `send` when it cannot get ready (nil: ready).
    func prepare() async -> TransportResult?
}

extension SendTransport {
    /// Nothing to get ready.
    func prepare() async -> TransportResult? { nil }
}

/// The result of one transport call.
struct TransportResult: Sendable {
    var outcome: SendOutcome
    /// The recorded request (outbox only).
    var outbox: String?
    /// A failure that certainly sent nothing (`SESError.certainlyNotSent`): its daily quota goes back even when
    /// the message is retried. False for an outcome that may have sent.
    var certainlyNotSent = false
    /// SES was not reached at all (name resolution, connect or TLS handshake failed): the call waits like a
    /// credentials outage (`unavailable`), without spending the message's attempts.
    var unreachable = false
}

/// SES v2 `SendEmail` through `SESClient`.
struct SESTransport: SendTransport {
    let client: SESClient
    /// Shared by every copy: the streak is the account's, not a message's.
    private let refusals = RefusalCounter()
    var kind: String { "ses" }

    init(client: SESClient) {
        self.client = client
    }

    func send(_ request: SESSendEmailRequest, at date: Date) async -> TransportResult {
        let keysGeneration = client.keysGeneration
        do {
            let response = try await client.sendEmail(request)
            _ = refusals.record(refusedKeys: false, keysGeneration: keysGeneration, decision: .retryable)
            return TransportResult(outcome: .accepted(sesMessageId: response.messageId))
        } catch {
            // `message` is SES's text; it may name the rejected address, which the message owner may see.
            var text = "\(error.awsErrorType ?? error.code.description): \(error.message)"
            // No keys, no call: a credentials outage must not use up the attempts of mail already accepted.
            if error.code == .credentials {
                return TransportResult(outcome: .failed(decision: .unavailable, error: text), certainlyNotSent: true)
            }
            guard error.httpStatus != nil else {
                // SES not reached: the network's state, not the message's (as a credentials outage), so mail waits
                // however long it lasts instead of failing after its attempts. A timeout may have sent: retried.
                if error.code == .network && error.certainlyNotSent {
                    return TransportResult(outcome: .failed(decision: .unavailable, error: text), certainlyNotSent: true, unreachable: true)
                }
                return TransportResult(outcome: .failed(decision: error.retry, error: text), certainlyNotSent: error.certainlyNotSent)
            }
            let decision = refusals.record(
                refusedKeys: CredentialRefusalStreak.refusesKeys(errorType: error.awsErrorType, message: error.message),
                keysGeneration: keysGeneration, decision: error.retry)
            if decision != error.retry {
                text += " (SES refused the AWS credentials \(CredentialRefusalStreak.pauseAfter) times in a row, newly fetched keys"
                    + " included: fix them, then resume sending)"
            }
            return TransportResult(outcome: .failed(decision: decision, error: text), certainlyNotSent: error.certainlyNotSent)
        }
    }

    func account() async throws(SESError) -> SESAccount? { try await client.getAccount() }

    /// Fetches (or refreshes) the credentials into the chain's cache, so `send` signs with them at once. Without
    /// usable ones the answer is `send`'s for that case (`unavailable`: nothing sent, no attempt spent).
    func prepare() async -> TransportResult? {
        do {
            _ = try await client.configuration.credentials.credentials()
            return nil
        } catch {
            let text = (error as? CredentialProviderError)?.description ?? "credential provider failed"
            return TransportResult(outcome: .failed(decision: .unavailable, error: "\(SESError.Code.credentials): \(text)"))
        }
    }
}

/// The transport's `CredentialRefusalStreak`, shared across tasks.
private final class RefusalCounter: Sendable {
    private let streak = Mutex(CredentialRefusalStreak())

    func record(refusedKeys: Bool, keysGeneration: UInt64, decision: RetryDecision) -> RetryDecision {
        streak.withLock { $0.record(refusedKeys: refusedKeys, keysGeneration: keysGeneration, decision: decision) }
    }
}

/// SES chosen but unreachable from this process (its HTTP client cannot be built): every send answers
/// `unavailable`, so messages stay queued, attempts unspent, and nothing is recorded as sent.
struct UnusableTransport: SendTransport {
    let reason: String
    var kind: String { "ses" }

    func send(_ request: SESSendEmailRequest, at date: Date) async -> TransportResult {
        TransportResult(outcome: .failed(decision: .unavailable, error: reason))
    }

    func account() async throws(SESError) -> SESAccount? { nil }
}

/// No credentials (or `ses.transport = "outbox"`): records each would-be request in the store; nothing leaves.
struct OutboxTransport: SendTransport {
    var kind: String { "outbox" }

    func send(_ request: SESSendEmailRequest, at date: Date) async -> TransportResult {
        TransportResult(outcome: .accepted(sesMessageId: nil), outbox: SendRequestMapping.outboxJSON(for: request, at: date))
    }

    func account() async throws(SESError) -> SESAccount? { nil }
}
