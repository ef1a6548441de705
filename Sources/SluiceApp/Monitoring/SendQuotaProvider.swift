import Foundation
import SluiceCore

/// A live source of the SES sending quota; the monitor asks it each evaluation when `ses.max_24h_send` is 0.
public protocol SendQuotaProvider: Sendable {
    /// The quota at `now`, or nil when unknown (not fetched yet, no credentials).
    func currentQuota(at now: Date) async -> SendQuota?
}

/// The quota the send gate last read with `GetAccount`, kept in settings (`ses.account_quota`) so the
/// monitor, `/v1/stats`, `sluice stats` and other instances on the same database all see it.
public struct StoredSendQuota: SendQuotaProvider {
    static let key = "ses.account_quota"
    /// SES's `SentLast24Hours` older than this is left out; Sluice's own send counters stand in.
    static let sentFigureLifetime: TimeInterval = 3600

    struct Record: Codable, Equatable {
        var max24HourSend: Double
        var sentLast24Hours: Double
        /// When `GetAccount` answered.
        var at: Date
    }

    private let store: any SettingsStore

    public init(store: any SettingsStore) {
        self.store = store
    }

    public func currentQuota(at now: Date) async -> SendQuota? {
        await currentQuota(at: now, recordedWithin: nil)
    }

    /// `currentQuota`, or nil when the record is older than `maxAge` (a limit SES may have raised since).
    func currentQuota(at now: Date, recordedWithin maxAge: TimeInterval?) async -> SendQuota? {
        guard let json = try? await store.setting(Self.key),
              let record = try? JSONDecoder().decode(Record.self, from: Data(json.utf8)) else { return nil }
        if let maxAge, now.timeIntervalSince(record.at) > maxAge { return nil }
        let fresh = now.timeIntervalSince(record.at) <= Self.sentFigureLifetime
        return SendQuota(max24HourSend: record.max24HourSend, sentLast24Hours: fresh ? record.sentLast24Hours : nil)
    }

    /// Keeps what `GetAccount` reported at `at`.
    public func record(max24HourSend: Double, sentLast24Hours: Double, at: Date) async throws(StoreError) {
        let record = Record(max24HourSend: max24HourSend, sentLast24Hours: sentLast24Hours, at: at)
        guard let data = try? JSONEncoder().encode(record) else { throw StoreError(.invalidInput, "cannot encode \(Self.key)") }
        try await store.setSetting(Self.key, String(decoding: data, as: UTF8.self))
    }
}
