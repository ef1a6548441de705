import Foundation

/// Per-address soft-bounce counter inside the policy window.
public struct SoftBounceState: Sendable, Equatable, Codable {
    public var address: String
    /// Soft bounces counted since `windowStart` with no delivery in between.
    public var count: Int
    public var windowStart: Date
    public var lastBounce: Date
    public var lastSubtype: String?

    public init(address: String, count: Int, windowStart: Date, lastBounce: Date, lastSubtype: String? = nil) {
        self.address = address
        self.count = count
        self.windowStart = windowStart
        self.lastBounce = lastBounce
        self.lastSubtype = lastSubtype
    }
}
