import SluiceCore

/// A live source of the SES sending quota (the send gate's cached `GetAccount`); the monitor asks it
/// each evaluation when `ses.max_24h_send` is 0.
public protocol SendQuotaProvider: Sendable {
    /// The current quota, or nil when unknown (not fetched yet, no credentials).
    func currentQuota() async -> SendQuota?
}
