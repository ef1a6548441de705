import Foundation

/// Which client may start a signing-certificate fetch, so that made-up certificate URLs cannot hold every
/// fetch slot.
///
/// A URL that passes the policy (the genuine SNS host, the topic's region) still costs a fetch until the host
/// answers, and the host answers "no such certificate" only after a round trip. Without a per-client rule a
/// steady stream of made-up names keeps the shared slots busy, and a genuine message whose certificate is new
/// (a rotation) gets 503 until SNS's few retries (3, 20 s apart by default) run out. So:
/// - one client starts at most `maxFetchesPerClient` fetches at once;
/// - a client whose fetch found no usable certificate (the host said none, or it was not an SNS signer)
///   starts no fetch for `penalty`: genuine SNS never names a certificate that is not there;
/// - a client that delivered a message verified with a cached certificate is exempt from both for
///   `trustDuration`: that is a proxy or load balancer in front of Sluice (every client behind it shares
///   its address) or SNS itself, and holding its fetches back could hold back genuine feedback.
/// Messages whose certificate is cached are never affected. Bounded: at most `maxClients` are remembered.
public struct CertificateFetchAdmission: Sendable {
    /// Limits; the defaults suit production.
    public struct Settings: Sendable, Equatable {
        public var maxFetchesPerClient: Int
        public var penalty: TimeInterval
        public var trustDuration: TimeInterval
        public var maxClients: Int

        public init(maxFetchesPerClient: Int = 2, penalty: TimeInterval = 60, trustDuration: TimeInterval = 24 * 3600, maxClients: Int = 4096) {
            self.maxFetchesPerClient = maxFetchesPerClient
            self.penalty = penalty
            self.trustDuration = trustDuration
            self.maxClients = maxClients
        }
    }

    /// Why a client may not start a fetch now.
    public enum Refusal: Sendable, Equatable {
        /// It has `maxFetchesPerClient` fetches running.
        case busy
        /// Its recent fetch found no usable certificate; it may start one again at `until`.
        case penalised(until: Date)
    }

    private struct Client {
        var running = 0
        var penalisedUntil: Date?
        var trustedUntil: Date?

        func isTrusted(at now: Date) -> Bool { trustedUntil.map { now < $0 } ?? false }
        func isPenalised(at now: Date) -> Bool { penalisedUntil.map { now < $0 } ?? false }
        /// Nothing left worth remembering.
        func isIdle(at now: Date) -> Bool { running == 0 && !isPenalised(at: now) && !isTrusted(at: now) }
    }

    public let settings: Settings
    private var clients: [CertificateFetchClient: Client] = [:]

    public init(settings: Settings = Settings()) {
        self.settings = settings
    }

    /// Clients remembered: running a fetch, penalised or trusted. Zero in normal operation.
    public var count: Int { clients.count }

    /// nil when `client` may start a fetch now (then call `started`); an unknown client (nil) only meets
    /// the global limit, which is the caller's.
    public func refusal(for client: CertificateFetchClient?, now: Date) -> Refusal? {
        guard let client, let state = clients[client], !state.isTrusted(at: now) else { return nil }
        if state.isPenalised(at: now), let until = state.penalisedUntil { return .penalised(until: until) }
        if state.running >= max(1, settings.maxFetchesPerClient) { return .busy }
        return nil
    }

    /// `client` started a fetch.
    public mutating func started(by client: CertificateFetchClient?, now: Date) {
        guard let client else { return }
        if clients[client] == nil { makeRoom(now: now) }
        clients[client, default: Client()].running += 1
    }

    /// The fetch `client` started ended; `foundNoCertificate` when it will never succeed (the host has no
    /// such certificate, or it is no SNS signer). Returns the end of a penalty that starts now.
    @discardableResult
    public mutating func finished(by client: CertificateFetchClient?, foundNoCertificate: Bool, now: Date) -> Date? {
        guard let client, var state = clients[client] else { return nil }
        state.running = max(0, state.running - 1)
        var penaltyEnd: Date?
        if foundNoCertificate, !state.isTrusted(at: now), settings.penalty > 0 {
            penaltyEnd = now + settings.penalty
            state.penalisedUntil = penaltyEnd
        }
        clients[client] = state.isIdle(at: now) ? nil : state
        return penaltyEnd
    }

    /// Whether `verified(by:)` has anything to do: only clients already remembered can change.
    public func remembers(_ client: CertificateFetchClient) -> Bool { clients[client] != nil }

    /// `client` delivered a message whose signature verified: it relays genuine SNS traffic, so its penalty
    /// ends and it is trusted for `trustDuration`.
    public mutating func verified(by client: CertificateFetchClient, now: Date) {
        guard var state = clients[client] else { return }
        state.penalisedUntil = nil
        state.trustedUntil = now + settings.trustDuration
        clients[client] = state
    }

    /// Keeps the table within `maxClients`: idle entries go first, then the penalty that ends soonest (a
    /// flood from more addresses than the table holds gets some of them back, never unbounded memory).
    private mutating func makeRoom(now: Date) {
        guard clients.count >= max(1, settings.maxClients) else { return }
        clients = clients.filter { !$0.value.isIdle(at: now) }
        guard clients.count >= max(1, settings.maxClients) else { return }
        let evictable = clients.filter { $0.value.running == 0 && !$0.value.isTrusted(at: now) }
        let victim = evictable.min { ($0.value.penalisedUntil ?? .distantPast) < ($1.value.penalisedUntil ?? .distantPast) }
            ?? clients.first { $0.value.running == 0 }
        if let victim { clients[victim.key] = nil }
    }
}
