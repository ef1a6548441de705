import Foundation

/// `GET /v1/sending` and `sluice sending status --json`: the gate state and the queue counts.
public struct SendingStateView: Sendable, Encodable {
    public var paused: Bool
    public var reason: String?
    public var since: Date?
    /// `operator`, `protection` or `ses`; nil when running.
    public var source: String?
    /// Identities paused on their own, with the reason.
    public var pausedIdentities: [String: String]
    /// Outbound queue entries per state (empty until the send gate reports them).
    public var queue: [String: Int]

    public init(_ state: SendingControl.State, queue: [String: Int] = [:]) {
        paused = state.paused
        reason = state.reason
        since = state.since
        source = state.source?.rawValue
        pausedIdentities = state.pausedIdentities
        self.queue = queue
    }

    private enum CodingKeys: String, CodingKey {
        case paused, reason, since, source, queue
        case pausedIdentities = "paused_identities"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(paused, forKey: .paused)
        // Explicit nulls, as the OpenAPI schema documents them.
        try c.encode(reason, forKey: .reason)
        try c.encode(since, forKey: .since)
        try c.encode(source, forKey: .source)
        try c.encode(pausedIdentities, forKey: .pausedIdentities)
        try c.encode(queue, forKey: .queue)
    }
}
