import SluiceCore
import SluiceTestSupport
import Synchronization
import Testing
@testable import SluiceApp

/// The status page's cache: fresh pages are served without a render, concurrent callers share one
/// render, and a failed render is never kept.
struct StatusPageCacheTests {
    @Test func concurrentCallersShareOneRender() async throws {
        let cache = StatusPageCache(ttl: .seconds(60))
        let renders = Mutex(0)
        let started = TestGate(), release = TestGate()
        let render: @Sendable () async throws(StoreError) -> String = {
            let number = renders.withLock { $0 += 1; return $0 }
            started.open()
            _ = await release.wait()
            return "page \(number)"
        }
        let pages = try await withThrowingTaskGroup(of: String.self) { group in
            group.addTask { try await cache.page(render) }
            #expect(await started.wait())
            for _ in 0..<20 { group.addTask { try await cache.page(render) } }
            // The twenty reach the cache while the first render still waits; then it may finish.
            try await Task.sleep(for: .milliseconds(200))
            release.open()
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(pages.count == 21)
        #expect(Set(pages) == ["page 1"])
        #expect(renders.withLock { $0 } == 1)
        // Fresh: served from the cache.
        #expect(try await cache.page(render) == "page 1")
        #expect(renders.withLock { $0 } == 1)
    }

    @Test func aFailedRenderIsNotKept() async throws {
        let cache = StatusPageCache(ttl: .seconds(60))
        let calls = Mutex(0)
        let render: @Sendable () async throws(StoreError) -> String = { () async throws(StoreError) -> String in
            let call = calls.withLock { $0 += 1; return $0 }
            if call == 1 { throw StoreError(.busy, "locked") }
            return "page \(call)"
        }
        await #expect(throws: StoreError.self) { try await cache.page(render) }
        #expect(try await cache.page(render) == "page 2")
        #expect(try await cache.page(render) == "page 2")
        #expect(calls.withLock { $0 } == 2)
    }

    @Test func anExpiredPageIsRenderedAgain() async throws {
        let cache = StatusPageCache(ttl: .zero)
        let calls = Mutex(0)
        let render: @Sendable () async throws(StoreError) -> String = { "page \(calls.withLock { $0 += 1; return $0 })" }
        #expect(try await cache.page(render) == "page 1")
        #expect(try await cache.page(render) == "page 2")
    }
}
