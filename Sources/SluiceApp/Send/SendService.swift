import Foundation
import SluiceCore
import SluiceCrypto
import SluiceHTTP

/// Accepts messages for the queue (`POST /v1/messages`) and reports on them (`GET /v1/messages/{id}`).
struct SendService: Sendable {
    let context: AppContext
    private let validator = MessageRequestValidator()
    private let unsubscribe: UnsubscribeSettings
    /// Time spent in the suppression gate per accepted request (the bench reads sum/count).
    private let gateSeconds: Histogram?
    /// `ses.max_24h_send` when it is a fixed number (not read from GetAccount, not unlimited).
    private let fixedDailyQuota: Int?

    init(context: AppContext) {
        self.context = context
        let quota = context.configuration.int("ses.max_24h_send")
        fixedDailyQuota = quota > 0 ? quota : nil
        unsubscribe = UnsubscribeSettings(configuration: context.configuration)
        gateSeconds = try? context.metrics.registry.histogram(
            "sluice_send_gate_seconds", help: "Suppression-gate lookup time per POST /v1/messages.",
            buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05])
    }

    /// Validates, drops suppressed recipients, and commits the message (synced) before answering 202.
    func accept(body: [UInt8], idempotencyKey: String?) async -> HTTPResponse {
        let now = context.now()
        var requestHash: String?
        if let key = idempotencyKey {
            guard Self.isValidKey(key) else {
                return Self.invalid(SendValidationError(.invalidIdempotencyKey, field: "Idempotency-Key", "Idempotency-Key must be 1-255 printable ASCII characters"))
            }
            let hash = Digest.sha256Hex(body)
            requestHash = hash
            // Fast path for repeats; the authoritative check is inside the enqueue transaction.
            do {
                if let existing = try await context.store.idempotencyRecord(key: key) {
                    return Self.answer(for: existing.requestHash == hash ? .replay(existing) : .conflict, fresh: nil)
                }
            } catch {
                return APIErrorMapping.response(for: error)
            }
        }
        let message: OutboundMessage
        do {
            let request = try Self.decode(body)
            message = try UnsubscribeHeaders.apply(to: try validator.validate(request), settings: unsubscribe, now: now)
        } catch {
            return Self.invalid(error)
        }
        let dropped: [DroppedRecipient]
        do {
            let started = ContinuousClock.now
            dropped = try await suppressedRecipients(of: message, at: now)
            let elapsed = ContinuousClock.now - started
            gateSeconds?.observe(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
        } catch {
            return APIErrorMapping.response(for: error)
        }
        if dropped.count == message.recipients.count {
            let body = MessageStatusBody.allSuppressed(dropped)
            guard let key = idempotencyKey, let hash = requestHash else { return .json(.unprocessableContent, bytes: body) }
            let record = IdempotencyRecord(key: key, requestHash: hash, status: 422, body: body, messageId: nil, createdAt: now)
            do {
                return Self.answer(for: try await context.store.saveIdempotency(record), fresh: record)
            } catch {
                return APIErrorMapping.response(for: error)
            }
        }
        let kept = dropped.isEmpty ? message : message.removing(Set(dropped.map(\.address)))
        if let quota = fixedDailyQuota, kept.recipients.count > quota {
            // Never sendable: the whole day's quota is smaller than this one message.
            return Self.invalid(SendValidationError(
                .tooManyRecipients, field: "to",
                "\(kept.recipients.count) recipients; ses.max_24h_send allows \(quota) per rolling 24 h, so the message could never be sent"))
        }
        let id = MessageID.make(at: now)
        let queued = QueuedMessage(id: id, message: kept, suppressed: dropped, nextAttemptAt: now, createdAt: now)
        let responseBody = MessageStatusBody.render(queued, events: [])
        let record = idempotencyKey.flatMap { key in
            requestHash.map { IdempotencyRecord(key: key, requestHash: $0, status: 202, body: responseBody, messageId: id, createdAt: now) }
        }
        do {
            let outcome = try await context.store.enqueue(queued, idempotency: record)
            if outcome == .stored {
                context.metrics.count("sluice_send_accepted_total", help: "Messages accepted into the send queue.")
                if !dropped.isEmpty {
                    context.metrics.count("sluice_send_dropped_recipients_total", help: "Recipients removed by the suppression gate at accept time.", by: UInt64(dropped.count))
                }
            }
            return Self.answer(for: outcome, fresh: IdempotencyRecord(key: "", requestHash: "", status: 202, body: responseBody, messageId: id, createdAt: now))
        } catch {
            return APIErrorMapping.response(for: error)
        }
    }

    /// The message's state, attempts, and the SES events linked through its SES message id.
    func status(id: String) async -> HTTPResponse {
        guard !id.isEmpty, id.utf8.count <= 64 else { return .error(.notFound, code: "not_found", message: "no such message") }
        do {
            guard let queued = try await context.store.queuedMessage(id: id) else {
                return .error(.notFound, code: "not_found", message: "no such message")
            }
            var events: [HistoryEntry] = []
            if let sesId = queued.sesMessageId { events = try await context.store.events(sesMessageId: sesId, limit: 1000) }
            return .json(.ok, bytes: MessageStatusBody.render(queued, events: events))
        } catch {
            return APIErrorMapping.response(for: error)
        }
    }

    private func suppressedRecipients(of message: OutboundMessage, at now: Date) async throws(StoreError) -> [DroppedRecipient] {
        var keys: [String: String] = [:]
        for address in message.recipients {
            if let normalized = context.normalizer.normalizedKey(address) { keys[address] = normalized }
        }
        let found = try await context.store.suppressed(among: Array(Set(keys.values)), scope: message.list, at: now)
        guard !found.isEmpty else { return [] }
        return message.recipients.compactMap { address in
            guard let key = keys[address], let suppression = found[key] else { return nil }
            return DroppedRecipient(address: address, reason: suppression.reason.rawValue)
        }
    }

    private static func answer(for outcome: IdempotentWriteOutcome, fresh: IdempotencyRecord?) -> HTTPResponse {
        switch outcome {
        case .stored:
            guard let fresh else { return .error(.internalServerError, code: "internal_error", message: "no response recorded") }
            return .json(HTTPStatus(code: fresh.status), bytes: fresh.body)
        case .replay(let record):
            var headers = HTTPHeaders()
            headers.set("Idempotent-Replayed", "true")
            return .json(HTTPStatus(code: record.status), bytes: record.body, headers: headers)
        case .conflict:
            return .error(.conflict, code: "idempotency_conflict", message: "this Idempotency-Key was used with a different request body")
        }
    }

    private static func decode(_ body: [UInt8]) throws(SendValidationError) -> MessageRequest {
        do {
            return try MessageRequest.parse(body)
        } catch {
            if error.code == .typeMismatch, let field = error.field {
                throw SendValidationError(.invalidJSON, field: field, "\(field) has the wrong type")
            }
            if error.code == .tooManyElements {
                // A list or map over its limit: the validator's own error, found before its strings were made.
                if let field = error.field { throw MessageRequestValidator.tooManyElements(in: field) }
                throw SendValidationError(.invalidJSON, "the body holds more than \(MessageRequest.maxJSONValues) JSON values")
            }
            throw SendValidationError(.invalidJSON, "the body must be a JSON object (see MessageRequest)")
        }
    }

    private static func invalid(_ error: SendValidationError) -> HTTPResponse {
        .json(.badRequest, bytes: MessageStatusBody.invalid(error))
    }

    static func isValidKey(_ key: String) -> Bool {
        (1...255).contains(key.utf8.count) && key.utf8.allSatisfy { (33...126).contains($0) }
    }
}
