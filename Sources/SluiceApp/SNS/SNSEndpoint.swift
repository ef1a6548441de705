import Foundation
import Logging
import SluiceAWS
import SluiceCore
import SluiceCrypto
import SluiceHTTP
import SluiceStore
import Synchronization

/// `POST /sns` and `POST /sns/{name}`: verifies SNS deliveries and stores them with their SES events.
///
/// Check order, cheapest and safest first (the server already answered 413 for an oversized body):
/// draining (503) → Basic auth (401) → raw delivery: `x-amz-sns-rawdelivery: true` here, a bare
/// (non-envelope) JSON body once parsing failed (403 unless Basic auth vouches) → parse (400) →
/// header/body agreement (400) → topic allow-list (403, before any network or crypto) → signature
/// version (403; a version other than 1 or 2 already fails the parse, also 403), certificate URL,
/// timestamp (403) → certificate (503 when the fetch failed transiently, 403 when it is unacceptable) →
/// certificate dates at the Timestamp and RSA signature (403) → per type; store trouble answers 503.
///
/// The audit copy is committed as received; `AuditCopyCompressor` deflates it later, off the request
/// path (compressing here was a fifth of the endpoint's CPU while SNS waited for the answer).
///
/// Dedupe comes after verification: `ingest` is idempotent per MessageId in the same transaction as
/// the events, so a forged message that reuses a seen id is refused (403), never answered "duplicate",
/// and a genuine retry costs one RSA verify but no extra read on the hot path.
final class SNSEndpoint: Sendable {
    let context: AppContext
    let settings: SNSEndpointSettings
    let provider: SigningCertificateProvider
    let subscriptions: SNSSubscriptionService
    private let memo: SNSCertificateMemo
    private let metrics: SNSMetrics
    /// MessageIds of confirmations being handled now; at most one entry per open connection.
    private let confirmationsInFlight = Mutex<Set<String>>([])

    init(context: AppContext, settings: SNSEndpointSettings) throws(SNSVerificationError) {
        self.context = context
        self.settings = settings
        provider = try SigningCertificateProvider(
            configuration: settings.certificates, policy: settings.policy,
            store: StoreSigningCertificateStore(store: context.store), logger: context.logger, now: context.now)
        subscriptions = SNSSubscriptionService(settings: settings, store: context.store, logger: context.logger, now: context.now)
        memo = SNSCertificateMemo(ttl: settings.certificates.cacheTTL)
        metrics = SNSMetrics(context.metrics)
    }

    /// Answers one delivery for the endpoint named `endpoint` (`default` for the bare path).
    ///
    /// `nonisolated(nonsending)`, as every async step of this path: each runs on its caller's executor
    /// (the event loop), so no call into it costs an executor switch (several per request otherwise).
    nonisolated(nonsending) func handle(_ request: HTTPRequest, endpoint: String) async -> HTTPResponse {
        let outcome = await evaluate(request, endpoint: endpoint)
        record(outcome, request: request)
        return outcome.response
    }

    /// 404 for `/sns/{name}` with a name that `SNSRoutes.isEndpointName` refuses, logged and counted like any refusal.
    func refuseEndpointName(_ request: HTTPRequest) -> HTTPResponse {
        let outcome = SNSOutcome.refused(
            .malformed, SNSTypeLabel(request.headers["x-amz-sns-message-type"]), .notFound, code: "not_found",
            "endpoint names are 1-64 of A-Z a-z 0-9 _ -")
        record(outcome, request: request)
        return outcome.response
    }

    // MARK: Checks

    private nonisolated(nonsending) func evaluate(_ request: HTTPRequest, endpoint: String) async -> SNSOutcome {
        let headerType = request.headers["x-amz-sns-message-type"]
        let type = SNSTypeLabel(headerType)
        if context.state.isDraining {
            return .refused(.draining, type, .serviceUnavailable, code: "draining", "the service is shutting down; retry later")
        }
        if let auth = settings.basicAuth, !auth.isAuthorized(request.headers) {
            var outcome = SNSOutcome.refused(.unauthorized, type, .unauthorized, code: "unauthorized", "missing or invalid basic auth credentials")
            outcome.response = SNSBasicAuth.challenge()
            return outcome
        }
        if Self.isRawDeliveryHeader(request.headers) {
            return await rawDelivery(request, endpoint: endpoint, type: type)
        }
        let message: SNSMessage
        do {
            message = try SNSMessage.parse(request.body)
        } catch {
            // Only now (off the hot path) tell a raw message apart from a broken envelope.
            if Self.isBareMessage(request.body) { return await rawDelivery(request, endpoint: endpoint, type: type) }
            let refusal: SNSOutcome =
                if error.code == .unsupportedSignatureVersion {
                    // Well formed but signed some way Sluice cannot check: a signature refusal, as under require_signature_v2.
                    .refused(.badSignature, type, .forbidden, code: "signature_version_refused", error.message)
                } else {
                    .refused(.malformed, type, .badRequest, code: "malformed", error.message)
                }
            return refusal.about(messageId: request.headers["x-amz-sns-message-id"], topicArn: request.headers["x-amz-sns-topic-arn"])
        }
        let bodyType = SNSTypeLabel(message.type.rawValue)
        // The agreement below reads the first value; a second, different one must not pass unseen.
        if let repeated = Self.agreementHeaders.first(where: { request.headers.isRepeated($0) }) {
            return .refused(.malformed, bodyType, .badRequest, code: "header_mismatch", "\(repeated) is sent more than once", message)
        }
        do {
            try message.checkHeaders(
                messageType: headerType, messageId: request.headers["x-amz-sns-message-id"],
                topicArn: request.headers["x-amz-sns-topic-arn"])
        } catch {
            return .refused(.malformed, bodyType, .badRequest, code: "header_mismatch", error.message, message)
        }
        // Before anything that costs: no certificate fetch, no RSA, no store for foreign topics.
        guard settings.policy.isTopicAllowed(message.topicArn) else {
            return .refused(.forbiddenTopic, bodyType, .forbidden, code: "topic_not_allowed", "TopicArn is not in sns.topic_arns", message)
        }
        let now = context.now()
        if let refusal = await verify(message, type: bodyType, remoteAddress: request.remoteAddress, now: now) { return refusal }

        switch message.type {
        case .notification:
            return await ingestNotification(message, body: request.body, endpoint: endpoint, now: now)
        case .subscriptionConfirmation:
            return await oneAtATime(message, type: bodyType) {
                await handleSubscriptionConfirmation(message, body: request.body, endpoint: endpoint, now: now)
            }
        case .unsubscribeConfirmation:
            return await oneAtATime(message, type: bodyType) {
                await handleUnsubscribeConfirmation(message, body: request.body, endpoint: endpoint, now: now)
            }
        }
    }

    /// Runs `handle` unless a delivery of the same confirmation is being handled; that one answers 503
    /// (retry later), when the first is stored and the retry answers `duplicate`. Without it two deliveries
    /// at once both pass the stored check (`alreadyHandled`) and both visit the SubscribeURL.
    private func oneAtATime(_ message: SNSMessage, type: SNSTypeLabel, _ handle: () async -> SNSOutcome) async -> SNSOutcome {
        guard confirmationsInFlight.withLock({ $0.insert(message.messageId).inserted }) else {
            return .refused(
                .inProgress, type, .serviceUnavailable, code: "in_progress",
                "another delivery of this message is being handled; retry later", message)
        }
        defer { confirmationsInFlight.withLock { _ = $0.remove(message.messageId) } }
        return await handle()
    }

    /// nil when the message is authentic; otherwise the refusal. A certificate fetch is charged to
    /// `remoteAddress`, and a verified message vouches for it (`CertificateFetchAdmission`).
    private nonisolated(nonsending) func verify(
        _ message: SNSMessage, type: SNSTypeLabel, remoteAddress: String, now: Date
    ) async -> SNSOutcome? {
        let policy = settings.policy
        let certificate: X509Certificate
        if let known = memo.get(url: message.signingCertURL, topicArn: message.topicArn, now: now) {
            // This exact URL and topic already passed the URL policy and the certificate checks.
            do {
                try policy.checkSignatureVersion(message.signatureVersion)
                try policy.checkTimestamp(message.timestamp, now: now)
            } catch {
                return refusal(error, message, type)
            }
            certificate = known
        } else {
            do {
                try policy.checkEnvelope(message, now: now)
            } catch {
                return refusal(error, message, type)
            }
            do {
                certificate = try await provider.certificate(
                    for: message.signingCertURL, topicArn: message.topicArn, requestedBy: remoteAddress)
            } catch {
                return refusal(error, message, type)
            }
            memo.put(url: message.signingCertURL, topicArn: message.topicArn, certificate: certificate, now: now)
        }
        let algorithm: SignatureAlgorithm = message.signatureAlgorithm == .rsaSHA256 ? .rsaSHA256 : .rsaSHA1
        do {
            try SNSSignatureVerifier.verify(message, with: certificate, algorithm: algorithm)
        } catch {
            return refusal(error, message, type)
        }
        provider.fetchGate.verified(remoteAddress: remoteAddress, now: now)
        return nil
    }

    private func refusal(_ error: SNSMessageError, _ message: SNSMessage, _ type: SNSTypeLabel) -> SNSOutcome {
        switch error.code {
        case .unsupportedSignatureVersion:
            return .refused(.badSignature, type, .forbidden, code: "signature_version_refused", error.message, message)
        case .certificateURLNotAllowed:
            return .refused(.badCertificateURL, type, .forbidden, code: "certificate_url_refused", error.message, message)
        case .stale, .future:
            return .refused(.stale, type, .forbidden, code: error.code == .stale ? "stale" : "future_timestamp", error.message, message)
        case .invalidConfiguration:
            return .refused(.malformed, type, .internalServerError, code: "misconfigured", "the SNS policy is unusable", message)
        default:
            return .refused(.malformed, type, .badRequest, code: "malformed", error.message, message)
        }
    }

    private func refusal(_ error: SNSVerificationError, _ message: SNSMessage, _ type: SNSTypeLabel) -> SNSOutcome {
        switch error.code {
        case .certificateURLRejected:
            return .refused(.badCertificateURL, type, .forbidden, code: "certificate_url_refused", error.message, message)
        case .signatureInvalid, .unsupportedSignatureVersion:
            return .refused(.badSignature, type, .forbidden, code: "bad_signature", error.message, message)
        case .invalidConfiguration:
            return .refused(.certFetchFailed, type, .internalServerError, code: "misconfigured", "certificate trust settings are unusable", message)
        case .certificateFetchHeld:
            // About the client's own recent requests, so it may know why (the text holds no input of its).
            return .refused(.certFetchHeld, type, .serviceUnavailable, code: "certificate_fetch_held", error.message, message)
        case .certificateFetchFailed where !error.isTransient:
            // The SNS host has no certificate under that name: a made-up URL, never a retry's business.
            return .refused(.badCertificateURL, type, .forbidden, code: "certificate_not_found", error.message, message)
        default:
            if error.isTransient {
                var outcome = SNSOutcome.refused(
                    .certFetchFailed, type, .serviceUnavailable, code: "certificate_unavailable",
                    "the signing certificate could not be fetched; retry later", message)
                outcome.reason = error.message  // the log gets the cause (URL already quoted), the client does not
                return outcome
            }
            // Wrong name, weak key, not RSA, expired: this certificate will never sign for SNS.
            return .refused(.badSignature, type, .forbidden, code: "certificate_rejected", error.message, message)
        }
    }

    /// The SNS headers that must agree with the signed body, each at most once.
    static let agreementHeaders = ["x-amz-sns-message-type", "x-amz-sns-message-id", "x-amz-sns-topic-arn"]

    /// `x-amz-sns-rawdelivery: true`: the subscription has RawMessageDelivery on.
    static func isRawDeliveryHeader(_ headers: HTTPHeaders) -> Bool {
        headers["x-amz-sns-rawdelivery"]?.lowercased() == "true"
    }

    /// A JSON object with none of the envelope's keys: a published message (an SES event) posted as is.
    /// Read with the same strict, bounded reader as the envelope (not a second, laxer parser).
    static func isBareMessage(_ body: [UInt8]) -> Bool {
        guard let document = try? JSONDocument(body), let root = try? document.rootObject() else { return false }
        let envelopeKeys: Set = ["Type", "Signature", "SignatureVersion", "SigningCertURL", "SigningCertUrl", "TopicArn", "MessageId"]
        return document.members(root).allSatisfy { !envelopeKeys.contains($0.key) }
    }

    /// Raw delivery has no signature: refused unless Basic auth (checked already) vouches for the sender.
    private nonisolated(nonsending) func rawDelivery(_ request: HTTPRequest, endpoint: String, type: SNSTypeLabel) async -> SNSOutcome {
        guard settings.basicAuth != nil else {
            return SNSOutcome.refused(
                .rawRefused, type, .forbidden, code: "raw_delivery_refused",
                "raw message delivery is refused: it carries no SNS signature, so accepting it would let anyone forge bounces; disable RawMessageDelivery on the subscription, or configure sns.basic_auth_user"
            ).about(messageId: request.headers["x-amz-sns-message-id"], topicArn: request.headers["x-amz-sns-topic-arn"])
        }
        return await ingestRaw(request, endpoint: endpoint)
    }

    // MARK: Per type

    private nonisolated(nonsending) func ingestNotification(_ message: SNSMessage, body: [UInt8], endpoint: String, now: Date) async -> SNSOutcome {
        let events = sesEvents(in: message.messageBytes, message: message)
        let inbound = InboundMessage(
            messageId: message.messageId, type: message.type.rawValue, topicArn: message.topicArn,
            timestamp: message.timestamp, receivedAt: now, endpoint: endpoint, raw: body, rawFormat: .identity)
        return await ingest(inbound, events: events, type: .notification)
    }

    /// Stores `inbound` with `events`; answers 200 only once the commit is synced.
    private nonisolated(nonsending) func ingest(_ inbound: InboundMessage, events: [RecipientEvent], type: SNSTypeLabel) async -> SNSOutcome {
        IngestActivity.shared.touch()  // the audit-copy compressor holds back while notifications arrive
        do {
            switch try await context.store.ingest(inbound, events: events, policy: context.policy) {
            case .stored:
                if events.isEmpty { metrics.count(event: .unknown) }
                for event in events { metrics.count(event: event.kind) }
                return SNSOutcome.accepted(.stored, type, status: "stored").about(messageId: inbound.messageId, topicArn: inbound.topicArn)
            case .duplicate:
                return SNSOutcome.accepted(.duplicate, type, status: "duplicate").about(messageId: inbound.messageId, topicArn: inbound.topicArn)
            }
        } catch {
            return storeFailure(error, type: type).about(messageId: inbound.messageId, topicArn: inbound.topicArn)
        }
    }

    private func storeFailure(_ error: StoreError, type: SNSTypeLabel) -> SNSOutcome {
        let response = APIErrorMapping.response(for: error)
        var outcome = SNSOutcome.refused(.storeUnavailable, type, response.status, code: "store_unavailable", "store: \(error.code)")
        outcome.response = response
        return outcome
    }

    private func handleSubscriptionConfirmation(_ message: SNSMessage, body: [UInt8], endpoint: String, now: Date) async -> SNSOutcome {
        let type = SNSTypeLabel.subscriptionConfirmation
        do {
            try subscriptions.checkSubscribeURL(message)
        } catch {
            // Never visited, never recorded: a signed message should not carry such a URL.
            return .refused(.confirmFailed, type, .forbidden, code: "subscribe_url_refused", error.message, message)
        }
        let archived = InboundMessage(
            messageId: message.messageId, type: message.type.rawValue, topicArn: message.topicArn,
            timestamp: message.timestamp, receivedAt: now, endpoint: endpoint, raw: body, rawFormat: .identity)
        if let handled = await alreadyHandled(archived, type: type, message) { return handled }
        var record = SNSSubscriptionRecord(
            topicArn: message.topicArn, endpoint: endpoint, state: .pending, subscribeURL: message.subscribeURL,
            token: message.token, updatedAt: now, signedAt: message.timestamp)
        var failure: SNSVerificationError?
        let namedAccount = settings.policy.isTopicAllowedForAutoConfirm(message.topicArn)
        if settings.autoConfirm, !namedAccount {
            context.logger.warning(
                "SNS topic is allowed only by a pattern with a wildcard account: not confirmed automatically",
                metadata: ["sns.topic_arn": "\(SNSMessageError.quote(message.topicArn))"])
        }
        if settings.autoConfirm, namedAccount {
            do {
                record.subscriptionArn = try await subscriptions.confirm(message)
                record.state = .confirmed
            } catch {
                record.state = .confirmFailed
                failure = error
            }
            record.updatedAt = context.now()
        }
        // Stored only once handled: after a transient failure (503) SNS's redelivery must confirm again.
        let transient = failure?.isTransient == true
        do {
            try await context.store.recordSubscription(record)
            if !transient { _ = try await context.store.ingest(archived, events: [], policy: context.policy) }
        } catch {
            return storeFailure(error, type: type).about(messageId: message.messageId, topicArn: message.topicArn)
        }
        switch record.state {
        case .confirmed:
            return .accepted(.confirmed, type, status: "confirmed", message)
        case .pending:
            context.logger.notice(
                "SNS subscription awaits confirmation: run `sluice sns confirm <topic>`",
                metadata: ["sns.topic_arn": "\(SNSMessageError.quote(message.topicArn))"])
            return .accepted(.stored, type, status: "pending", message)
        default:
            let reason = failure.map { "confirmation failed: \($0.message)" } ?? "confirmation failed"
            if transient {
                return .refused(.confirmFailed, type, .serviceUnavailable, code: "confirm_failed", reason, message)
            }
            // Recorded with its SubscribeURL; a redelivery would fail the same way, `sluice sns confirm` can retry.
            var outcome = SNSOutcome.accepted(.confirmFailed, type, status: "confirm_failed", message)
            outcome.reason = reason
            return outcome
        }
    }

    private func handleUnsubscribeConfirmation(_ message: SNSMessage, body: [UInt8], endpoint: String, now: Date) async -> SNSOutcome {
        let type = SNSTypeLabel.unsubscribeConfirmation
        let archived = InboundMessage(
            messageId: message.messageId, type: message.type.rawValue, topicArn: message.topicArn,
            timestamp: message.timestamp, receivedAt: now, endpoint: endpoint, raw: body, rawFormat: .identity)
        if let handled = await alreadyHandled(archived, type: type, message) { return handled }
        let recorded = (try? await context.store.subscriptions(topicArn: message.topicArn)) ?? []
        let previous = recorded.first { $0.endpoint == endpoint }
        // Its SubscribeURL re-subscribes: kept so `sluice sns confirm` can undo an unwanted unsubscribe.
        let record = SNSSubscriptionRecord(
            topicArn: message.topicArn, endpoint: endpoint, state: .unsubscribed, subscriptionArn: previous?.subscriptionArn,
            subscribeURL: message.subscribeURL, token: message.token, updatedAt: now, signedAt: message.timestamp)
        do {
            try await context.store.recordSubscription(record)
            _ = try await context.store.ingest(archived, events: [], policy: context.policy)
        } catch {
            return storeFailure(error, type: type).about(messageId: message.messageId, topicArn: message.topicArn)
        }
        // Another endpoint of the same topic still confirmed (a move from /sns to /sns/new) keeps feedback coming.
        let stillFed = recorded.contains { $0.endpoint != endpoint && $0.state == .confirmed }
        context.logger.warning(
            stillFed
                ? "SNS subscription was unsubscribed for this endpoint; the topic still feeds another"
                : "SNS subscription was unsubscribed: no more feedback arrives from this topic",
            metadata: ["sns.topic_arn": "\(SNSMessageError.quote(message.topicArn))", "sns.endpoint": "\(endpoint)"])
        return .accepted(.stored, type, status: "unsubscribed", message)
    }

    /// The duplicate answer for a confirmation already handled, nil for a new one. Confirmations act before
    /// they are stored, so the store's dedupe alone would come too late: a redelivery or a replay inside the
    /// window would visit the SubscribeURL again, or an old confirmation would undo a later unsubscribe.
    private func alreadyHandled(_ archived: InboundMessage, type: SNSTypeLabel, _ message: SNSMessage) async -> SNSOutcome? {
        do {
            guard try await context.store.isStored(archived) else { return nil }
            return .accepted(.duplicate, type, status: "duplicate", message)
        } catch {
            return storeFailure(error, type: type).about(messageId: message.messageId, topicArn: message.topicArn)
        }
    }

    /// Raw delivery behind Basic auth: the body is the published message; ids come from the headers.
    private nonisolated(nonsending) func ingestRaw(_ request: HTTPRequest, endpoint: String) async -> SNSOutcome {
        let headers = request.headers
        let type = SNSTypeLabel.notification
        guard headers["x-amz-sns-message-type"].map({ $0 == "Notification" }) ?? true else {
            return .refused(.malformed, SNSTypeLabel(headers["x-amz-sns-message-type"]), .badRequest, code: "malformed", "raw delivery carries only Notification messages")
        }
        guard let messageId = headers["x-amz-sns-message-id"], Self.isSaneID(messageId),
            let topicArn = headers["x-amz-sns-topic-arn"], SNSTopicARN(topicArn) != nil
        else {
            return .refused(.malformed, type, .badRequest, code: "malformed", "raw delivery needs x-amz-sns-message-id and x-amz-sns-topic-arn headers")
        }
        guard settings.policy.isTopicAllowed(topicArn) else {
            return SNSOutcome.refused(.forbiddenTopic, type, .forbidden, code: "topic_not_allowed", "TopicArn is not in sns.topic_arns")
                .about(messageId: messageId, topicArn: topicArn)
        }
        let now = context.now()
        let events = sesEvents(in: request.body, message: nil, messageId: messageId)
        let inbound = InboundMessage(
            messageId: messageId, type: "Notification", topicArn: topicArn, timestamp: nil, receivedAt: now,
            endpoint: endpoint, raw: request.body, rawFormat: .identity)
        return await ingest(inbound, events: events, type: type)
    }

    // MARK: Helpers

    /// The recipient events of an SES payload; none (logged) when the payload is not an SES event.
    private func sesEvents(in payload: [UInt8], message: SNSMessage?, messageId: String? = nil) -> [RecipientEvent] {
        // Quoted only when a line is actually logged: this runs for every notification.
        let id = { SNSMessageError.quote(message?.messageId ?? messageId ?? "") }
        do {
            let event = try SESEventParser.parse(payload, normalizer: context.normalizer)
            if !event.invalidAddresses.isEmpty {
                context.logger.notice(
                    "SES event names recipients that are not valid addresses; skipped",
                    metadata: ["sns.message_id": "\(id())", "ses.invalid_addresses": "\(event.invalidAddresses.count)"])
            }
            return event.recipientEvents
        } catch {
            // Stored anyway (zero events): an acknowledged message must never be lost.
            context.logger.info(
                "SNS message carries no SES event; stored without events",
                metadata: ["sns.message_id": "\(id())", "ses.error": "\(error.code)"])
            return []
        }
    }

    /// 1-256 printable ASCII characters, as SNS MessageIds (UUIDs) are.
    static func isSaneID(_ text: String) -> Bool {
        (1...256).contains(text.utf8.count) && text.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }

    private func record(_ outcome: SNSOutcome, request: HTTPRequest) {
        metrics.count(outcome.type, outcome.verdict)
        let level: Logger.Level = outcome.verdict.isAccepted ? .debug : (outcome.verdict == .draining ? .notice : .warning)
        context.logger.log(
            level: level, outcome.verdict.isAccepted ? "SNS message accepted" : "SNS message refused",
            metadata: [
                "request.id": "\(request.requestId)",
                "remote": "\(request.remoteAddress)",
                "sns.message_id": "\(SNSMessageError.quote(outcome.messageId ?? "", limit: 64))",
                "sns.topic_arn": "\(SNSMessageError.quote(outcome.topicArn ?? "", limit: 128))",
                "sns.type": "\(outcome.type.rawValue)",
                "sns.verdict": "\(outcome.verdict.rawValue)",
                "http.status": "\(outcome.response.status.code)",
                "reason": "\(outcome.reason)",
            ])
    }
}
