import Foundation
import Testing
@testable import SluiceCore

struct CredentialsOutageTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func waitsDoubleAfterEachWaitUpToTheLongest() {
        var outage = CredentialsOutage()
        var now = t0
        var waits: [TimeInterval] = []
        for _ in 0..<9 {
            let wait = outage.wait(at: now, longest: 60)
            waits.append(wait)
            now = now.addingTimeInterval(wait)
        }
        #expect(waits == [1, 2, 4, 8, 16, 32, 60, 60, 60])
    }

    /// 32 calls in flight fail together: one try, one second, not the longest wait.
    @Test func callsFailingDuringAWaitShareIt() {
        var outage = CredentialsOutage()
        #expect(outage.wait(at: t0, longest: 60) == 1)
        for _ in 0..<31 { #expect(outage.wait(at: t0.addingTimeInterval(0.25), longest: 60) == 0.75) }
        #expect(outage.wait(at: t0.addingTimeInterval(1), longest: 60) == 2)
    }

    @Test func theNextOutageStartsAtASecond() {
        var outage = CredentialsOutage()
        _ = outage.wait(at: t0, longest: 60)
        _ = outage.wait(at: t0.addingTimeInterval(1), longest: 60)
        outage.end()
        #expect(outage.wait(at: t0.addingTimeInterval(10), longest: 60) == 1)
    }
}
