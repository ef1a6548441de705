import Foundation

extension AWSCredentials {
    /// botocore's advisory refresh window: refresh when less than 15 minutes remain.
    public static let advisoryRefreshWindow: TimeInterval = 15 * 60
    /// botocore's mandatory window: block and refresh when less than 10 minutes remain.
    public static let mandatoryRefreshWindow: TimeInterval = 10 * 60

    /// Whether credentials expiring at `expiration` should be refreshed at `now` (nil = never expire).
    public static func shouldRefresh(expiration: Date?, now: Date, window: TimeInterval = advisoryRefreshWindow) -> Bool {
        guard let expiration else { return false }
        return expiration.timeIntervalSince(now) < window
    }

    /// Refresh advised (less than 15 min left).
    public func shouldRefresh(now: Date) -> Bool { Self.shouldRefresh(expiration: expiration, now: now) }

    /// Refresh required before use (less than 10 min left).
    public func mustRefresh(now: Date) -> Bool {
        Self.shouldRefresh(expiration: expiration, now: now, window: Self.mandatoryRefreshWindow)
    }

    /// Already past `expiration`.
    public func isExpired(now: Date) -> Bool { expiration.map { $0 <= now } ?? false }
}
