import Foundation
import SluiceCore
import Testing

struct ScheduleSparesTests {
    static let t0 = Date(timeIntervalSince1970: 1_700_000_000)

    @Test func takesFromAStretchAndKeepsTheRest() {
        var spares = ScheduleSpares()
        spares.add(start: Self.t0.addingTimeInterval(1), seconds: 0.5)
        // Before the stretch starts: at its start.
        #expect(near(spares.take(0.2, now: Self.t0), Self.t0.addingTimeInterval(1)))
        #expect(spares.stretches.count == 1 && near(spares.stretches.first?.start, Self.t0.addingTimeInterval(1.2)) && near(spares.stretches.first?.end, Self.t0.addingTimeInterval(1.5)))
        // Too long for what is left.
        #expect(spares.take(0.31, now: Self.t0) == nil)
        // Inside the stretch: at once, the passed part is gone.
        #expect(near(spares.take(0.1, now: Self.t0.addingTimeInterval(1.3)), Self.t0.addingTimeInterval(1.3)))
        #expect(spares.stretches.count == 1 && near(spares.stretches.first?.start, Self.t0.addingTimeInterval(1.4)) && near(spares.stretches.first?.end, Self.t0.addingTimeInterval(1.5)))
        #expect(near(spares.take(0.1, now: Self.t0.addingTimeInterval(1.4)), Self.t0.addingTimeInterval(1.4)))
        #expect(spares.stretches.isEmpty)
    }

    @Test func prefersTheEarliestUsableStretchAndDropsEndedOnes() {
        var spares = ScheduleSpares()
        spares.add(start: Self.t0.addingTimeInterval(3), seconds: 1)
        spares.add(start: Self.t0, seconds: 0.1)  // ends before `now` below
        spares.add(start: Self.t0.addingTimeInterval(2), seconds: 0.05)  // too short
        spares.add(start: Self.t0.addingTimeInterval(2.5), seconds: 0.2)
        #expect(near(spares.take(0.2, now: Self.t0.addingTimeInterval(0.5)), Self.t0.addingTimeInterval(2.5)))
        #expect(near(spares.take(0.2, now: Self.t0.addingTimeInterval(0.5)), Self.t0.addingTimeInterval(3)))
        #expect(spares.stretches.count == 2)
        // Nothing fits a send longer than every stretch.
        #expect(spares.take(5, now: Self.t0) == nil)
    }

    @Test func keepsABoundedNumberOfStretches() {
        var spares = ScheduleSpares()
        for i in 0..<(ScheduleSpares.capacity + 10) { spares.add(start: Self.t0.addingTimeInterval(Double(i)), seconds: 0.5) }
        #expect(spares.stretches.count == ScheduleSpares.capacity)
        #expect(near(spares.stretches.first?.start, Self.t0.addingTimeInterval(10)))
        spares.add(start: Self.t0, seconds: 0)
        #expect(spares.stretches.count == ScheduleSpares.capacity)
    }

    private func near(_ date: Date?, _ expected: Date) -> Bool {
        guard let date else { return false }
        return abs(date.timeIntervalSince(expected)) < 1e-5
    }
}
