import Foundation
import SluiceCore
import Testing

struct SteadyTimeTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func followsTheWallClockWhileItRunsForward() {
        var time = SteadyTime()
        #expect(time.reading(wall: Self.t0) == Self.t0)
        #expect(time.reading(wall: Self.t0.addingTimeInterval(1.5)) == Self.t0.addingTimeInterval(1.5))
        #expect(time.offset == 0)
        #expect(time.wall(Self.t0.addingTimeInterval(3)) == Self.t0.addingTimeInterval(3))
    }

    @Test func aStepBackStandsStillInsteadOfRunningBackwards() {
        var time = SteadyTime()
        let before = time.reading(wall: Self.t0)
        let stepped = Self.t0.addingTimeInterval(-600)
        #expect(time.reading(wall: stepped) == before)
        #expect(time.offset == 600)
        // Time passing after the step counts from where steady time stood.
        #expect(time.reading(wall: stepped.addingTimeInterval(2)) == before.addingTimeInterval(2))
        // Conversions at the boundary: a steady time 1 s ahead is 1 s ahead on the (stepped) wall clock too.
        #expect(time.wall(before.addingTimeInterval(3)) == stepped.addingTimeInterval(3))
        #expect(time.steady(stepped.addingTimeInterval(10)) == before.addingTimeInterval(10))
    }

    @Test func stepsBackAddUpAndAStepForwardPassesThrough() {
        var time = SteadyTime()
        _ = time.reading(wall: Self.t0)
        _ = time.reading(wall: Self.t0.addingTimeInterval(-10))
        _ = time.reading(wall: Self.t0.addingTimeInterval(-15))
        #expect(time.offset == 15)
        // Forward: indistinguishable from time passing.
        #expect(time.reading(wall: Self.t0.addingTimeInterval(3600)) == Self.t0.addingTimeInterval(3615))
        var readings: [Date] = []
        for step in [5.0, -30, 1, -0.5, 120, -3600, 0.25] {
            readings.append(time.reading(wall: Self.t0.addingTimeInterval(step)))
        }
        #expect(zip(readings, readings.dropFirst()).allSatisfy { $0 <= $1 })
    }
}
