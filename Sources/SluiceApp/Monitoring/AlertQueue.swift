import SluiceCore

/// The bounded queue of `QueuedAlertSink` (webhook, SNS topic). Overall notifications go ahead of identity ones
/// (first in, first out within each), so a large incident's account-wide alert is not stuck behind a hundred
/// identities. When full, the least important waiting notification is dropped (`AlertNotification.priority`: identity warnings first,
/// overall critical last; the oldest among equals), or the newcomer when it ranks below everything waiting.
struct AlertQueue: Sendable {
    let capacity: Int
    private(set) var items: [AlertNotification] = []

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    var count: Int { items.count }
    var isEmpty: Bool { items.isEmpty }

    /// Queues `n`; returns what was dropped to make room (possibly `n` itself).
    mutating func push(_ n: AlertNotification) -> AlertNotification? {
        var dropped: AlertNotification?
        if items.count >= capacity {
            // The highest priority number, oldest first among equals.
            let victim = items.indices.max { a, b in
                items[a].priority != items[b].priority ? items[a].priority < items[b].priority : a > b
            }
            guard let victim, items[victim].priority >= n.priority else { return n }
            dropped = items.remove(at: victim)
        }
        if n.scope == .overall, let firstIdentity = items.firstIndex(where: { $0.scope != .overall }) {
            items.insert(n, at: firstIdentity)
        } else {
            items.append(n)
        }
        return dropped
    }

    /// The next notification to deliver.
    mutating func pop() -> AlertNotification? {
        items.isEmpty ? nil : items.removeFirst()
    }

    /// Empties the queue, returning what was waiting.
    mutating func removeAll() -> [AlertNotification] {
        defer { items.removeAll() }
        return items
    }
}
