import Foundation

/// Per-domain-group spacing (GCRA without burst): each group hands out send times at least
/// `n / rate` apart, so a group never exceeds its rate in any window. Pure; the caller owns the clock.
///
/// Ungrouped recipients are not limited here (the account limiter still applies to them).
public struct GroupPacer: Sendable {
    public let groups: [DomainGroup]
    private let groupOfDomain: [String: Int]
    /// The earliest time each group may send next.
    private var nextFree: [Date]

    /// Later groups do not steal a domain an earlier group already names.
    public init(groups: [DomainGroup], now: Date) {
        self.groups = groups
        var map: [String: Int] = [:]
        for (index, group) in groups.enumerated() {
            for domain in group.domains where map[domain] == nil { map[domain] = index }
        }
        groupOfDomain = map
        nextFree = Array(repeating: now, count: groups.count)
    }

    /// The group index of a recipient address (by the part after the last `@`), nil when ungrouped.
    public func group(ofRecipient address: String) -> Int? {
        guard let at = address.lastIndex(of: "@") else { return nil }
        return groupOfDomain[address[address.index(after: at)...].lowercased()]
    }

    /// Recipients per group index for a message's recipients (ungrouped ones left out).
    public func demand(of recipients: [String]) -> [Int: Int] {
        var counts: [Int: Int] = [:]
        for address in recipients { if let g = group(ofRecipient: address) { counts[g, default: 0] += 1 } }
        return counts
    }

    /// When a message with `demand` could start, no earlier than `earliest`.
    public func availableAt(_ demand: [Int: Int], earliest: Date) -> Date {
        demand.keys.reduce(earliest) { max($0, nextFree[$1]) }
    }

    /// Reserves the first time at or after `earliest` that every group in `demand` allows, and returns it.
    public mutating func reserve(_ demand: [Int: Int], earliest: Date) -> Date {
        let start = availableAt(demand, earliest: earliest)
        for (g, n) in demand {
            nextFree[g] = start.addingTimeInterval(Double(n) / groups[g].ratePerSecond)
        }
        return start
    }
}
