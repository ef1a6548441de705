import SluiceCore

extension OutboundQueueStore {
    /// Queue entries per state, keyed by the state's API name (`queued`, `sending`, ...).
    func queueCountsByStateName() async throws(StoreError) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: try await queueCounts().map { ($0.key.rawValue, $0.value) })
    }
}
