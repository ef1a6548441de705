import Foundation
import Synchronization

/// The in-memory twin of the SQLite store for tests of other modules: same semantics, nothing durable.
public final class InMemoryStore: StoreBackend {
    private struct Key: Hashable, Comparable {
        var address: String
        var scope: String
        static func < (lhs: Key, rhs: Key) -> Bool { (lhs.address, lhs.scope) < (rhs.address, rhs.scope) }
    }

    private struct State {
        var messages: [String: Date] = [:]
        var suppressions: [Key: Suppression] = [:]
        var softBounces: [String: SoftBounceState] = [:]
        var history: [(address: String, entry: HistoryEntry)] = []
        var counters: [HourlyCounter: Int] = [:]
        var certificates: [String: (pem: [UInt8], expiresAt: Date)] = [:]
        /// Keyed by topic ARN and endpoint.
        var subscriptions: [[String]: SNSSubscriptionRecord] = [:]
        var settings: [String: String] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    // MARK: FeedbackStore

    public func ingest(_ message: InboundMessage, events: [RecipientEvent], policy: any RecipientEventPolicy) async throws(StoreError) -> IngestOutcome {
        guard !message.messageId.isEmpty else { throw StoreError(.invalidInput, "SNS MessageId must not be empty") }
        return try state.withLock { (state: inout State) throws(StoreError) -> IngestOutcome in
            guard state.messages[message.messageId] == nil else { return .duplicate }
            // Applied only if every change is valid, like a rolled-back transaction.
            var rows = DraftRows(draft: state)
            rows.draft.messages[message.messageId] = message.receivedAt
            try rows.applyEvents(events, of: message, policy: policy)
            state = rows.draft
            return .stored(events: events.count)
        }
    }

    public func hasMessage(id: String) async throws(StoreError) -> Bool {
        state.withLock { $0.messages[id] != nil }
    }

    public func isStored(_ message: InboundMessage) async throws(StoreError) -> Bool {
        try await hasMessage(id: message.messageId)
    }

    // MARK: MessageRetentionStore

    public func purgeMessages(olderThan cutoff: Date) async throws(StoreError) -> Int {
        state.withLock { state in
            let old = state.messages.filter { $0.value < cutoff }.map(\.key)
            for id in old { state.messages[id] = nil }
            return old.count
        }
    }

    public func purgeHistory(olderThan cutoff: Date) async throws(StoreError) -> Int {
        state.withLock { state in
            let before = state.history.count
            state.history.removeAll { $0.entry.recordedAt < cutoff }
            return before - state.history.count
        }
    }

    public func purgeSoftBounces(windowStartedBefore cutoff: Date) async throws(StoreError) -> Int {
        state.withLock { state in
            let old = state.softBounces.filter { $0.value.windowStart < cutoff }.map(\.key)
            for address in old { state.softBounces[address] = nil }
            return old.count
        }
    }

    // MARK: SuppressionStore

    public func suppression(for address: String, scope: String?, at now: Date) async throws(StoreError) -> Suppression? {
        state.withLock { Self.lookup(address, scope: scope, at: now, in: $0) }
    }

    public func suppressed(among addresses: [String], scope: String?, at now: Date) async throws(StoreError) -> [String: Suppression] {
        state.withLock { state in
            var result: [String: Suppression] = [:]
            for address in addresses {
                if let found = Self.lookup(address, scope: scope, at: now, in: state) { result[address] = found }
            }
            return result
        }
    }

    public func putManual(_ suppression: Suppression) async throws(StoreError) {
        try Self.validate(suppression)
        state.withLock { $0.suppressions[Key(address: suppression.address, scope: suppression.scope)] = suppression }
    }

    public func remove(address: String, scope: String) async throws(StoreError) -> Bool {
        state.withLock { $0.suppressions.removeValue(forKey: Key(address: address, scope: scope)) != nil }
    }

    public func list(_ query: SuppressionQuery) async throws(StoreError) -> SuppressionPage {
        state.withLock { state in
            let rows = state.suppressions.filter { key, row in
                if let reason = query.reason, row.reason != reason { return false }
                if let domain = query.domain, Self.domain(of: row.address) != domain { return false }
                if let since = query.since, row.lastSeen < since { return false }
                // No write time kept here: the last event time stands in.
                if let since = query.changedSince, row.lastSeen < since { return false }
                if let now = query.activeAt, !row.isActive(at: now) { return false }
                if let cursor = query.cursor, !(Key(address: cursor.address, scope: cursor.scope) < key) { return false }
                return true
            }
            return Self.page(rows, limit: query.effectiveLimit)
        }
    }

    public var importChunkLimit: Int { 100_000 }

    public func importBatch(_ suppressions: [Suppression]) async throws(StoreError) -> Int {
        try state.withLock { (state: inout State) throws(StoreError) -> Int in
            var draft = state
            for suppression in suppressions {
                // An import restates rows: it never weakens one (`Suppression.mergingImport`).
                try Self.validate(suppression)
                let key = Key(address: suppression.address, scope: suppression.scope)
                draft.suppressions[key] = draft.suppressions[key]?.mergingImport(suppression) ?? suppression
            }
            state = draft
            return suppressions.count
        }
    }

    public func export(after cursor: SuppressionCursor?, limit: Int) async throws(StoreError) -> SuppressionPage {
        state.withLock { state in
            let rows = state.suppressions.filter { key, _ in
                cursor.map { Key(address: $0.address, scope: $0.scope) < key } ?? true
            }
            return Self.page(rows, limit: min(max(limit, 1), 10_000))
        }
    }

    public func history(address: String, limit: Int) async throws(StoreError) -> [HistoryEntry] {
        state.withLock { state in
            Array(state.history.reversed().lazy.filter { $0.address == address }.map(\.entry).prefix(min(max(limit, 1), 1000)))
        }
    }

    public func counts(byReason now: Date) async throws(StoreError) -> [SuppressionReason: Int] {
        state.withLock { state in
            var result = Dictionary(uniqueKeysWithValues: SuppressionReason.allCases.map { ($0, 0) })
            for row in state.suppressions.values where row.isActive(at: now) { result[row.reason, default: 0] += 1 }
            return result
        }
    }

    public func purgeExpired(at now: Date) async throws(StoreError) -> Int {
        state.withLock { state in
            let expired = state.suppressions.filter { !$0.value.isActive(at: now) }.map(\.key)
            for key in expired { state.suppressions[key] = nil }
            return expired.count
        }
    }

    // MARK: CounterStore

    public func hourlyCounters(from: Date, to: Date) async throws(StoreError) -> [HourlyCounter] {
        state.withLock { state in
            state.counters.filter { $0.key.hourStart >= from && $0.key.hourStart < to }
                .map { key, count in HourlyCounter(hourStart: key.hourStart, identity: key.identity, kind: key.kind, count: count) }
                .sorted { ($0.hourStart, $0.identity, $0.kind.rawValue) < ($1.hourStart, $1.identity, $1.kind.rawValue) }
        }
    }

    public func recordSends(identity: String, count: Int, at date: Date) async throws(StoreError) {
        guard count >= 0 else { throw StoreError(.invalidInput, "send count must not be negative") }
        guard count > 0 else { return }
        state.withLock { $0.counters[HourlyCounter(hourStart: HourlyCounter.hourStart(of: date), identity: identity, kind: .send, count: 0), default: 0] += count }
    }

    // MARK: CertificateCacheStore, SubscriptionStore, SettingsStore

    public func cachedCertificate(url: String) async throws(StoreError) -> (pem: [UInt8], expiresAt: Date)? {
        state.withLock { $0.certificates[url] }
    }

    public func storeCertificate(url: String, pem: [UInt8], expiresAt: Date) async throws(StoreError) {
        state.withLock { $0.certificates[url] = (pem, expiresAt) }
    }

    public func recordSubscription(_ record: SNSSubscriptionRecord) async throws(StoreError) {
        state.withLock { state in
            let key = [record.topicArn, record.endpoint]
            guard let stored = state.subscriptions[key] else {
                state.subscriptions[key] = record
                return
            }
            guard record.mayReplace(stored) else { return }
            var replacement = record
            replacement.signedAt = record.signedAt ?? stored.signedAt
            state.subscriptions[key] = replacement
        }
    }

    public func subscriptions() async throws(StoreError) -> [SNSSubscriptionRecord] {
        state.withLock { $0.subscriptions.values.sorted { ($0.topicArn, $0.endpoint) < ($1.topicArn, $1.endpoint) } }
    }

    public func subscriptions(topicArn: String) async throws(StoreError) -> [SNSSubscriptionRecord] {
        try await subscriptions().filter { $0.topicArn == topicArn }
    }

    public func setting(_ key: String) async throws(StoreError) -> String? {
        state.withLock { $0.settings[key] }
    }

    public func setSetting(_ key: String, _ value: String?) async throws(StoreError) {
        try Self.validateSetting(key, value)
        state.withLock { $0.settings[key] = value }
    }

    @discardableResult
    public func updateSetting(
        _ key: String, _ transform: @escaping @Sendable (String?) throws(StoreError) -> String?
    ) async throws(StoreError) -> String? {
        try state.withLock { state throws(StoreError) -> String? in
            let value = try transform(state.settings[key])
            try Self.validateSetting(key, value)
            state.settings[key] = value
            return value
        }
    }

    // MARK: Shared rules

    private static func validate(_ suppression: Suppression) throws(StoreError) {
        guard !suppression.address.isEmpty else { throw StoreError(.invalidInput, "suppression address must not be empty") }
        guard suppression.count >= 0 else { throw StoreError(.invalidInput, "suppression count must not be negative") }
    }

    /// `RecipientEventRows` on a copy of the state, applied only when every event went through.
    private struct DraftRows: RecipientEventRows {
        var draft: State

        func suppressions(of address: String) -> [Suppression] { draft.suppressions.values.filter { $0.address == address } }
        func softBounce(of address: String) -> SoftBounceState? { draft.softBounces[address] }

        mutating func apply(_ change: SuppressionChange) throws(StoreError) {
            switch change {
            case .upsert(let suppression): try InMemoryStore.merge(suppression, into: &draft)
            case .remove(let address, let scope, let reasons):
                let key = Key(address: address, scope: scope)
                if let existing = draft.suppressions[key], reasons.contains(existing.reason) { draft.suppressions[key] = nil }
            }
        }

        mutating func apply(_ change: SoftBounceChange) throws(StoreError) {
            switch change {
            case .set(let soft):
                guard !soft.address.isEmpty else { throw StoreError(.invalidInput, "soft-bounce address must not be empty") }
                draft.softBounces[soft.address] = soft
            case .clear(let address): draft.softBounces[address] = nil
            }
        }

        mutating func recordHistory(_ event: RecipientEvent, outcome: String, source: String, at recordedAt: Date) {
            draft.history.append((event.address, HistoryEntry(event: event, outcome: outcome, source: source, recordedAt: recordedAt)))
        }

        mutating func isRecorded(_ event: RecipientEvent) -> Bool {
            // Times as the SQL backends store them (whole milliseconds), so all three agree.
            let at = (event.timestamp.timeIntervalSince1970 * 1000).rounded()
            return draft.history.contains {
                $0.address == event.address && $0.entry.event.sesMessageId == event.sesMessageId
                    && $0.entry.event.kind == event.kind && ($0.entry.event.timestamp.timeIntervalSince1970 * 1000).rounded() == at
            }
        }

        mutating func count(_ event: RecipientEvent) {
            draft.counters[HourlyCounter(hourStart: HourlyCounter.hourStart(of: event.timestamp), identity: event.identity, kind: event.kind, count: 0), default: 0] += 1
        }
    }

    private static func merge(_ suppression: Suppression, into state: inout State) throws(StoreError) {
        try validate(suppression)
        let key = Key(address: suppression.address, scope: suppression.scope)
        state.suppressions[key] = state.suppressions[key]?.merging(suppression) ?? suppression
    }

    private static func lookup(_ address: String, scope: String?, at now: Date, in state: State) -> Suppression? {
        var scopes = [""]
        if let scope, !scope.isEmpty {
            let list = scope.split(separator: "/", maxSplits: 1).first.map(String.init) ?? scope
            scopes += list == scope ? [scope] : [list, scope]
        }
        for candidate in scopes {
            if let row = state.suppressions[Key(address: address, scope: candidate)], row.isActive(at: now) { return row }
        }
        return nil
    }

    private static func page(_ rows: [Key: Suppression], limit: Int) -> SuppressionPage {
        let sorted = rows.sorted { $0.key < $1.key }
        let items = sorted.prefix(limit).map(\.value)
        let next = sorted.count > limit ? items.last.map { SuppressionCursor(address: $0.address, scope: $0.scope) } : nil
        return SuppressionPage(items: items, nextCursor: next)
    }

    private static func domain(of address: String) -> String {
        guard let at = address.lastIndex(of: "@") else { return address }
        return String(address[address.index(after: at)...])
    }
}
