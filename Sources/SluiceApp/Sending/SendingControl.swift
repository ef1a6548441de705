import Foundation
import SluiceCore

/// Whether the send gate may call SES: paused by an operator, by reputation protection, or by SES
/// itself (AccountSuspended/SendingPaused). Kept in the store's settings, not in memory, so the CLI
/// (`sluice sending pause|resume`) works while the service runs or is down, and every instance agrees.
public struct SendingControl: Sendable {
    /// Who paused sending.
    public enum Source: String, Codable, Sendable {
        case `operator`, protection, ses
    }

    /// The persisted state; `GET /v1/sending` and `/v1/stats` show it.
    public struct State: Codable, Sendable, Equatable {
        public var paused: Bool
        public var reason: String?
        public var since: Date?
        public var source: Source?
        /// Identities (from-domains) paused on their own by `pause_identity` protection, with the reason.
        public var pausedIdentities: [String: String]

        public static let running = State(paused: false, reason: nil, since: nil, source: nil, pausedIdentities: [:])
    }

    static let key = "sending.state"
    private let store: any SettingsStore

    public init(store: any SettingsStore) {
        self.store = store
    }

    public func state() async throws(StoreError) -> State {
        Self.decode(try await store.setting(Self.key))
    }

    /// Pauses all sending. An existing pause keeps its original time and source.
    public func pause(reason: String, source: Source, at now: Date) async throws(StoreError) -> State {
        try await update { state in
            if !state.paused {
                state.paused = true
                state.since = now
                state.source = source
            }
            state.reason = reason
        }
    }

    /// Pauses only the given identities (adds to those already paused).
    public func pauseIdentities(_ identities: [String: String]) async throws(StoreError) -> State {
        try await update { $0.pausedIdentities.merge(identities) { _, new in new } }
    }

    /// Resumes everything: the global pause and every identity pause.
    public func resume() async throws(StoreError) -> State {
        try await update { $0 = .running }
    }

    /// Whether a message from `identity` may be sent now.
    public func allowsSending(identity: String) async throws(StoreError) -> Bool {
        let state = try await state()
        return !state.paused && state.pausedIdentities[identity] == nil
    }

    /// One read-change-write the store runs as a unit, so a pause by the monitor, the API, the CLI, SES or
    /// another instance is never overwritten by a change made from an older read.
    private func update(_ change: @escaping @Sendable (inout State) -> Void) async throws(StoreError) -> State {
        let written = try await store.updateSetting(Self.key) { json throws(StoreError) -> String? in
            var state = Self.decode(json)
            change(&state)
            return try Self.encode(state)
        }
        return Self.decode(written)
    }

    private static func decode(_ json: String?) -> State {
        guard let json else { return .running }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return (try? decoder.decode(State.self, from: Data(json.utf8))) ?? .running
    }

    private static func encode(_ state: State) throws(StoreError) -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        encoder.outputFormatting = .sortedKeys
        guard let data = try? encoder.encode(state) else { throw StoreError(.invalidInput, "cannot encode sending state") }
        return String(decoding: data, as: UTF8.self)
    }
}
