import Foundation
import SluiceCore

/// The merge rule of suppressions with one key, as a fold: `suppressions` first, then staged runs in order.
///
/// Staged rows are imported rows, so folding `later` into `earlier` is `Suppression.mergingImport` — what
/// `SuppressionRows.MergeStatements.merge` does in SQL (`importUpdateSQL`). The rule is associative, so a run
/// can pre-fold its own duplicates and a merge can fold several runs at once.
enum SuppressionFold {
    /// `earlier` with `later` merged into it; `later` alone when there is no earlier row.
    static func fold(_ earlier: Suppression?, _ later: Suppression) -> Suppression {
        earlier?.mergingImport(later) ?? later
    }

    /// Folds `rows` (one key, oldest first) onto `base`.
    static func fold(_ base: Suppression?, _ rows: [Suppression]) -> Suppression? {
        var result = base
        for row in rows { result = fold(result, row) }
        return result
    }

    /// Whether `suppression` is in force at `now` (no expiry, or one still ahead).
    static func isActive(_ suppression: Suppression, at now: Date) -> Bool {
        guard let expiry = suppression.expiresAt else { return true }
        // SQL compares integer milliseconds; so does this, or a row could flip between the two.
        return Statement.milliseconds(expiry) > Statement.milliseconds(now)
    }

    /// memcmp order of the UTF-8 bytes (shorter first on a common prefix): SQLite's BINARY collation.
    static func compareBytes(_ left: String, _ right: String) -> Int {
        compareBytes(left, from: 0, right, from: 0)
    }

    /// (address, scope) in SQLite's key order.
    static func compareKeys(_ left: (address: String, scope: String), _ right: (address: String, scope: String)) -> Int {
        let byAddress = compareBytes(left.address, right.address)
        return byAddress != 0 ? byAddress : compareBytes(left.scope, right.scope)
    }

    /// memcmp order of the UTF-8 bytes of `left` from byte `leftStart` and `right` from `rightStart`.
    static func compareBytes(_ left: String, from leftStart: Int, _ right: String, from rightStart: Int) -> Int {
        let result = left.utf8.withContiguousStorageIfAvailable { l in
            right.utf8.withContiguousStorageIfAvailable { r -> Int in
                let lCount = l.count - leftStart, rCount = r.count - rightStart
                let common = min(lCount, rCount)
                if common > 0, let lb = l.baseAddress, let rb = r.baseAddress {
                    let c = memcmp(lb + leftStart, rb + rightStart, common)
                    if c != 0 { return Int(c) }
                }
                return lCount - rCount
            }
        }
        if let result, let result { return result }
        // Bridged or foreign strings: the same order, element by element.
        let l = left.utf8.dropFirst(leftStart), r = right.utf8.dropFirst(rightStart)
        if l.elementsEqual(r) { return 0 }
        return l.lexicographicallyPrecedes(r) ? -1 : 1
    }
}

extension SuppressionQuery {
    /// The list filter of `SQLiteStore.list` applied to a folded row (the SQL applies it to stored rows).
    func matches(_ row: Suppression) -> Bool {
        if let reason, row.reason != reason { return false }
        if let domain, SuppressionFold.compareBytes(SuppressionRows.domain(of: row.address), domain) != 0 { return false }
        if let since, Statement.milliseconds(row.lastSeen) < Statement.milliseconds(since) { return false }
        if let activeAt, !SuppressionFold.isActive(row, at: activeAt) { return false }
        return true
    }
}
