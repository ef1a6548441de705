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
        guard let json = try await store.setting(Self.key), let data = json.data(using: .utf8) else { return .running }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return (try? decoder.decode(State.self, from: data)) ?? .running
    }

    /// Pauses all sending. An existing pause keeps its original time and source.
    public func pause(reason: String, source: Source, at now: Date) async throws(StoreError) -> State {
        var state = try await state()
        if !state.paused {
            state.paused = true
            state.since = now
            state.source = source
        }
        state.reason = reason
        try await save(state)
        return state
    }

    /// Pauses only the given identities (adds to those already paused).
    public func pauseIdentities(_ identities: [String: String]) async throws(StoreError) -> State {
        var state = try await state()
        state.pausedIdentities.merge(identities) { _, new in new }
        try await save(state)
        return state
    }

    /// Resumes everything: the global pause and every identity pause.
    public func resume() async throws(StoreError) -> State {
        try await save(.running)
        return .running
    }

    /// Whether a message from `identity` may be sent now.
    public func allowsSending(identity: String) async throws(StoreError) -> Bool {
        let state = try await state()
        return !state.paused && state.pausedIdentities[identity] == nil
    }

    private func save(_ state: State) async throws(StoreError) {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        encoder.outputFormatting = .sortedKeys
        guard let data = try? encoder.encode(state) else { throw StoreError(.invalidInput, "cannot encode sending state") }
        try await store.setSetting(Self.key, String(decoding: data, as: UTF8.self))
    }
}
