/// Polls `condition` every `interval` until it holds (true) or `timeout` has passed (false): for effects
/// that land after an answer, such as a recovered probe, closed descriptors or a buffered log line.
public func eventually(
    timeout: Duration = .seconds(10), interval: Duration = .milliseconds(50), _ condition: () async throws -> Bool
) async rethrows -> Bool {
    try await eventuallyValue(timeout: timeout, interval: interval) { try await condition() ? true : nil } ?? false
}

/// Polls `probe` like `eventually` and returns its first non-nil value, or nil when `timeout` passed first.
public func eventuallyValue<Value>(
    timeout: Duration = .seconds(10), interval: Duration = .milliseconds(50), _ probe: () async throws -> Value?
) async rethrows -> Value? {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while true {
        if let value = try await probe() { return value }
        if clock.now >= deadline { return nil }
        try? await Task.sleep(for: interval)
    }
}
