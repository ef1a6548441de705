import SluiceTestSupport
import Foundation
import Testing
import SluiceCore
@testable import SluiceAWS

/// Counts fetches; each returns `AKID-<n>` expiring `lifetime` after the test clock's now.
actor CountingProvider: CredentialProvider {
    private(set) var fetches = 0
    var failing = false
    let clock: TestClock
    let lifetime: TimeInterval
    let delay: Duration
    /// When given, each fetch waits for it to open (at most 30 s) before it answers.
    let gate: TestGate?

    init(clock: TestClock, lifetime: TimeInterval = 3600, delay: Duration = .zero, gate: TestGate? = nil) {
        self.clock = clock
        self.lifetime = lifetime
        self.delay = delay
        self.gate = gate
    }

    func setFailing(_ value: Bool) { failing = value }

    func credentials() async throws -> AWSCredentials {
        fetches += 1
        let n = fetches
        if delay > .zero { try await Task.sleep(for: delay) }
        if let gate { _ = await gate.wait() }
        if failing { throw CredentialProviderError(.network, "endpoint down") }
        return AWSCredentials(
            accessKeyId: "AKID-\(n)", secretAccessKey: "s", sessionToken: "t",
            expiration: clock.now.addingTimeInterval(lifetime))
    }
}

struct CredentialCachingTests {
    @Test func concurrentCallersShareOneFetch() async throws {
        let clock = TestClock()
        let base = CountingProvider(clock: clock, delay: .milliseconds(200))
        let cache = CachingCredentialProvider(base, logger: AWSTestSupport.logger, now: { clock.now })
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<20 { group.addTask { try await cache.credentials().accessKeyId } }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(ids.count == 20)
        #expect(Set(ids) == ["AKID-1"])
        #expect(await base.fetches == 1)
    }

    @Test func servesCacheUntilRefreshWindowThenRefreshes() async throws {
        let clock = TestClock()
        let base = CountingProvider(clock: clock)
        let cache = CachingCredentialProvider(base, logger: AWSTestSupport.logger, now: { clock.now })
        #expect(try await cache.credentials().accessKeyId == "AKID-1")
        clock.advance(40 * 60)  // 20 min left: still fresh
        #expect(try await cache.credentials().accessKeyId == "AKID-1")
        clock.advance(6 * 60)  // 14 min left: inside the 15-minute advisory window
        // The keys in hand are returned at once while the refresh runs.
        #expect(try await cache.credentials().accessKeyId == "AKID-1")
        #expect(await eventually { await base.fetches == 2 })
        #expect(await eventually { (try? await cache.credentials().accessKeyId) == "AKID-2" })
        #expect(await base.fetches == 2)
    }

    @Test func advisoryRefreshDoesNotMakeCallersWait() async throws {
        let clock = TestClock()
        // The refresh cannot finish before the gate opens, after the calls below: a caller that waited for it
        // would sit out the gate's 30 s bound and then get AKID-1.
        let gate = TestGate()
        let base = CountingProvider(clock: clock, gate: gate)
        let cache = CachingCredentialProvider(base, logger: AWSTestSupport.logger, now: { clock.now })
        await cache.prime(AWSCredentials(
            accessKeyId: "AKID-OLD", secretAccessKey: "s", sessionToken: "t", expiration: clock.now.addingTimeInterval(14 * 60)))
        clock.advance(11)  // past the minimum refresh interval since the keys came
        for _ in 0..<5 { #expect(try await cache.credentials().accessKeyId == "AKID-OLD") }
        #expect(await eventually { await base.fetches == 1 })  // one refresh runs in the background
        gate.open()
        #expect(await eventually(timeout: .seconds(10)) { (try? await cache.credentials().accessKeyId) == "AKID-1" })
        #expect(await base.fetches == 1)
    }

    @Test func mandatoryWindowWaitsForTheRefresh() async throws {
        let clock = TestClock()
        let base = CountingProvider(clock: clock, delay: .milliseconds(300))
        let cache = CachingCredentialProvider(base, logger: AWSTestSupport.logger, now: { clock.now })
        await cache.prime(AWSCredentials(
            accessKeyId: "AKID-OLD", secretAccessKey: "s", sessionToken: "t", expiration: clock.now.addingTimeInterval(9 * 60)))
        clock.advance(11)
        #expect(try await cache.credentials().accessKeyId == "AKID-1")
    }

    @Test func invalidateDropsTheCachedKeys() async throws {
        let clock = TestClock()
        let base = CountingProvider(clock: clock)
        let cache = CachingCredentialProvider(base, logger: AWSTestSupport.logger, now: { clock.now })
        #expect(try await cache.credentials().accessKeyId == "AKID-1")
        #expect(try await cache.credentials().accessKeyId == "AKID-1")
        await cache.invalidate()
        #expect(try await cache.credentials().accessKeyId == "AKID-2")
    }

    /// Calls signed with the old keys are refused one after another: only the first refusal drops them.
    @Test func laterRefusalsOfTheOldKeysKeepTheNewOnes() async throws {
        let clock = TestClock()
        let base = CountingProvider(clock: clock)
        let cache = CachingCredentialProvider(base, logger: AWSTestSupport.logger, now: { clock.now })
        #expect(try await cache.credentials().accessKeyId == "AKID-1")
        await cache.invalidate(ifStill: "AKID-1")
        #expect(try await cache.credentials().accessKeyId == "AKID-2")
        for _ in 0..<5 { await cache.invalidate(ifStill: "AKID-1") }
        #expect(try await cache.credentials().accessKeyId == "AKID-2")
        #expect(await base.fetches == 2)
        await cache.invalidate(ifStill: "AKID-2")
        #expect(try await cache.credentials().accessKeyId == "AKID-3")
    }

    @Test func failedRefreshKeepsUnexpiredCredentials() async throws {
        let clock = TestClock()
        let base = CountingProvider(clock: clock)
        let cache = CachingCredentialProvider(base, logger: AWSTestSupport.logger, minimumRefreshInterval: 10, now: { clock.now })
        _ = try await cache.credentials()
        await base.setFailing(true)
        clock.advance(50 * 60)  // 10 min left
        #expect(try await cache.credentials().accessKeyId == "AKID-1")
        #expect(await eventually { await base.fetches == 2 })
        try await Task.sleep(for: .milliseconds(100))  // the failed refresh settles
        // Within the minimum interval the failing endpoint is not hit again.
        clock.advance(5)
        #expect(try await cache.credentials().accessKeyId == "AKID-1")
        #expect(await base.fetches == 2)
        clock.advance(11 * 60)  // expired now
        await #expect(throws: CredentialProviderError.self) { try await cache.credentials() }
        await base.setFailing(false)
        #expect(try await cache.credentials().accessKeyId.hasPrefix("AKID-"))
    }

    @Test func longTermKeysAreFetchedOnce() async throws {
        let cache = CachingCredentialProvider(
            StaticCredentialProvider(AWSCredentials(accessKeyId: "AKIDSTATIC", secretAccessKey: "s")),
            logger: AWSTestSupport.logger)
        for _ in 0..<3 { #expect(try await cache.credentials().accessKeyId == "AKIDSTATIC") }
    }
}
