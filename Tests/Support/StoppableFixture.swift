/// A test fixture (an app, a harness, a server) that must be stopped before its test ends.
public protocol StoppableFixture: Sendable {
    func stop() async
}

/// Runs `body` with `fixture` and stops the fixture when `body` returns or throws: awaited, unlike
/// `defer { Task { await fixture.stop() } }`, whose stop may run after the test (or never).
public func withFixture<Fixture: StoppableFixture, Result>(
    _ fixture: Fixture, isolation: isolated (any Actor)? = #isolation, _ body: (Fixture) async throws -> Result
) async throws -> Result {
    let result: Result
    do {
        result = try await body(fixture)
    } catch {
        await fixture.stop()
        throw error
    }
    await fixture.stop()
    return result
}
