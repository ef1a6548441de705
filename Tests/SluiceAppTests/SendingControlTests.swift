import Foundation
import Testing
import SluiceCore
@testable import SluiceApp

/// The gate state is changed by the monitor, the API, the CLI and SES at once: no change may be lost.
struct SendingControlTests {
    @Test func concurrentPausesAreAllKept() async throws {
        let dir = try MonitorTempDirectory()
        defer { dir.remove() }
        let clock = TestClock(MonitorFixture.start)
        let app = try MonitorFixture.app(try MonitorFixture.configuration(databasePath: dir.databasePath, protection: "off"), clock: clock)
        defer { app.context.store.close() }
        let sending = app.context.sending
        let now = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<40 {
                group.addTask { _ = try await sending.pauseIdentities(["id\(i).example": "protection: test \(i)"]) }
            }
            group.addTask { _ = try await sending.pause(reason: "maintenance", source: .operator, at: now) }
            try await group.waitForAll()
        }
        let state = try await sending.state()
        #expect(state.paused)
        #expect(state.source == .operator)
        #expect(state.pausedIdentities.count == 40)

        #expect(try await sending.resume() == .running)
        #expect(try await sending.state() == .running)
    }
}
