import Foundation
import Testing
import SluiceCore
@testable import SluiceApp

/// `PacingGate` on its own: admission slots per domain group.
struct PacingGateTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    private func gate(maxGrants: Int) throws -> PacingGate {
        let configuration = try ConfigurationLoader().load(fileText: nil, environment: ["SLUICE_PACING_GROUPS": "gmail:gmail.com=1"])
        return PacingGate(configuration: configuration, now: now, maxGrants: maxGrants)
    }

    private func slot(_ admission: PacingGate.Admission) -> Date? {
        if case .later(let date) = admission { return date }
        return nil
    }

    @Test func aGroupIsSpacedAtItsRate() async throws {
        let gate = try gate(maxGrants: 100)
        #expect(await gate.admit(id: "a", recipients: ["x@gmail.com"], identity: "example.com", now: now, lead: 0) == .go)
        let b = await gate.admit(id: "b", recipients: ["y@gmail.com"], identity: "example.com", now: now, lead: 0)
        #expect(slot(b) == now.addingTimeInterval(1))
        // A granted message goes once its slot has come.
        #expect(await gate.admit(id: "b", recipients: ["y@gmail.com"], identity: "example.com", now: now.addingTimeInterval(1), lead: 0) == .go)
    }

    /// When the grants are dropped for memory, the group's schedule starts over too: a message coming due
    /// later is not pushed behind slots that no message holds any more.
    @Test func droppingTheGrantsStartsTheGroupsScheduleOver() async throws {
        let gate = try gate(maxGrants: 5)
        for i in 0..<7 { _ = await gate.admit(id: "m\(i)", recipients: ["u\(i)@gmail.com"], identity: "example.com", now: now, lead: 0) }
        let later = now.addingTimeInterval(2)
        let next = await gate.admit(id: "new", recipients: ["n@gmail.com"], identity: "example.com", now: later, lead: 0)
        #expect(next == .go, "the schedule was still pushed out: \(String(describing: slot(next)))")
    }
}
