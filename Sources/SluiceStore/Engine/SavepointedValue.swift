/// The value a `TransactionBuffer` gathers, with a copy of it at each open job savepoint: what the buffers
/// whose value is small and copied cheaply (counts) need to follow `begin`, `savepoint`, `release` and
/// `rollBack`.
struct SavepointedValue<Value> {
    private let empty: Value
    var value: Value
    /// The value at each open job savepoint (only after a job failed: see `Writer.runJob`).
    private var marks: [Value] = []

    init(empty: Value) {
        self.empty = empty
        value = empty
    }

    mutating func begin() {
        value = empty
        marks.removeAll(keepingCapacity: true)
    }

    mutating func savepoint() { marks.append(value) }

    mutating func release() { _ = marks.popLast() }

    mutating func rollBack() {
        // No mark: the buffer was made by the job being rolled back, so all it holds is that job's.
        value = marks.popLast() ?? empty
    }
}
