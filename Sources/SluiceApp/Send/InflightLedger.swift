/// The dispatcher's messages in flight (from dispatch to the end of their task): their ids, and their stored
/// bytes against `SendGateConfiguration.maxInflightBytes`.
struct InflightLedger: Sendable {
    private(set) var ids: Set<String> = []
    private var weights: [String: Int] = [:]
    /// Stored payload bytes of the messages in flight.
    private(set) var bytes = 0

    var count: Int { ids.count }

    func contains(_ id: String) -> Bool { ids.contains(id) }

    /// Whether a message of `weight` bytes may start: fewer than `concurrency` in flight, and its bytes fit
    /// `budget` on top of those in flight, or none are (a message larger than the budget goes alone).
    func hasRoom(for weight: Int, concurrency: Int, budget: Int) -> Bool {
        ids.count < concurrency && (bytes == 0 || bytes + max(0, weight) <= budget)
    }

    /// Adds `id` with `weight` bytes; false when it is already in flight.
    mutating func insert(_ id: String, weight: Int) -> Bool {
        guard ids.insert(id).inserted else { return false }
        let weight = max(0, weight)
        weights[id] = weight
        bytes += weight
        return true
    }

    mutating func remove(_ id: String) {
        guard ids.remove(id) != nil else { return }
        bytes -= weights.removeValue(forKey: id) ?? 0
    }
}
