import Foundation
import SluiceCore

/// Settings of the send gate, read from `ses.*` once at build time.
public struct SendGateConfiguration: Sendable {
    /// `auto`, `ses` or `outbox`.
    public var transport: String
    public var region: String
    public var endpoint: URL?
    public var caFile: String?
    /// `ses.max_send_rate`; 0 = GetAccount's MaxSendRate.
    public var configuredMaxSendRate: Double
    /// `ses.max_24h_send`; 0 = GetAccount's Max24HourSend, -1 = unlimited.
    public var configuredMax24HourSend: Int
    /// Rate used until GetAccount answers when none is configured (the key's documented 1/s).
    public var fallbackMaxSendRate: Double = 1
    public var maxAttempts: Int
    /// How long after acceptance a throttled message is still retried (`ses.throttled_max_age_seconds`; 0 = always).
    public var throttledMaxAge: TimeInterval = 86400
    public var backoffBase: TimeInterval = 1
    public var maxBackoff: TimeInterval
    public var accountRefresh: TimeInterval
    /// What a `sending` row left by a crash becomes (`ses.inflight_resolution`).
    public var inflightResolution: InflightResolution = .fail
    /// Bound of one SES call (HTTP client total timeout). See `inflightRecoveryAge` for when a claim is orphaned.
    public var requestTimeout: TimeInterval = 30
    /// How far ahead a send time is reserved: store work (suppression re-check, claim commit) happens in
    /// this lead, so calls leave on the rate's schedule. A message may be `sending` this long before its call.
    public var reservationLead: TimeInterval = 0.25
    /// SES calls in flight at once (`ses.concurrency`).
    public var concurrency: Int = 32
    /// Stored payload bytes of the messages in flight at once (`ses.max_inflight_bytes`): a call holds its
    /// message a few times over (decoded, the request, its base64 JSON body), up to 40 MB each, so the count
    /// alone does not bound memory. A message larger than this still goes, alone.
    public var maxInflightBytes: Int = 256 << 20
    /// How old the claim's suppression check may be when the SES call is due; an older one is done again.
    public var suppressionRecheckAge: TimeInterval = 1
    /// Idle poll interval of the dispatcher.
    public var pollInterval: Duration = .milliseconds(50)
    /// How long `Idempotency-Key` records are kept (≥ 24 h).
    public var idempotencyRetention: TimeInterval = 25 * 3600
    /// Wait after SES reports the daily quota used up (AWS: ~10 min).
    public var dailyQuotaWait: TimeInterval = 600
    /// Longest wait after a send found no usable AWS credentials (IMDS, STS or a profile failing): the wait
    /// starts at a second and doubles while the outage lasts, so a blip costs a second and an outage little.
    public var maxCredentialsWait: TimeInterval = 60
    /// Pause after a failed try to record an outcome (or a release); it doubles up to `maxRecordPause`, and the
    /// tries go on while the process runs (`SendEngine.recordRetrying`).
    public var recordPause: Duration = .seconds(1)
    /// Longest pause between two tries to record an outcome.
    public var maxRecordPause: Duration = .seconds(30)
    /// How often crash leftovers are looked for and old idempotency keys purged.
    public var housekeepingInterval: Duration = .seconds(5)

    public init(configuration c: SluiceConfiguration) {
        transport = c.string("ses.transport")
        region = c.string("ses.region")
        let endpointText = c.string("ses.endpoint")
        endpoint = endpointText.isEmpty ? nil : URL(string: endpointText)
        let ca = c.string("ses.ca_file")
        caFile = ca.isEmpty ? nil : ca
        configuredMaxSendRate = c.double("ses.max_send_rate")
        configuredMax24HourSend = c.int("ses.max_24h_send")
        maxAttempts = c.int("ses.max_attempts")
        maxBackoff = c.double("ses.max_backoff_seconds")
        accountRefresh = TimeInterval(c.int("ses.account_refresh_seconds"))
        concurrency = max(1, c.int("ses.concurrency"))
        maxInflightBytes = max(1, c.int("ses.max_inflight_bytes"))
        throttledMaxAge = TimeInterval(max(0, c.int("ses.throttled_max_age_seconds")))
        requestTimeout = c.double("ses.request_timeout_seconds")
        // The key is not in every build's key list yet; read it only when it exists.
        if let resolution = InflightResolution(rawValue: c.string("ses.inflight_resolution")) {
            inflightResolution = resolution
        }
    }

    /// How old a claim may be when its SES call is due: an older one is released (back to `queued`, the
    /// attempt not counted) instead of called. Bounds the work between claim and call that no timeout covers:
    /// the shared quota reservation, the wait for the reserved time, a stalled store or scheduler.
    public var claimCallWindow: TimeInterval { requestTimeout }

    /// Age of a claim (`sending` since `claimed_at`, by the store's clock) after which crash recovery, on any
    /// instance, resolves it per `inflightResolution`. A live claimant calls SES within `claimCallWindow` of its
    /// claim (checked after the credentials are fetched) and the call ends within `requestTimeout`; one more
    /// `requestTimeout` is margin for recording the outcome. So a call still running is never taken for a
    /// crash's. The claimant's own recovery never takes a claim it still holds, however long recording takes;
    /// another instance's (PostgreSQL) does once this age has passed.
    public var inflightRecoveryAge: TimeInterval { claimCallWindow + 2 * requestTimeout }

    /// The retry rules for the queue.
    public var stateMachine: QueueStateMachine {
        QueueStateMachine(
            maxAttempts: maxAttempts, backoff: Backoff(base: backoffBase, cap: maxBackoff, maxRetries: max(0, maxAttempts - 1)),
            maxThrottledAge: throttledMaxAge)
    }
}
