import Foundation

/// Turns wall-clock readings into a time that never runs backwards, for limits computed on elapsed time.
///
/// A step back of the wall clock adds to `offset` (steady time stands still at the step instead of
/// repeating the stretch again), so a token bucket, a cap window or a send reserved before the step is
/// not waited out a second time. A step forward passes through: it cannot be told apart from time passing.
public struct SteadyTime: Sendable, Equatable {
    /// Seconds added to wall readings: the sum of every backward step seen so far.
    public private(set) var offset: TimeInterval = 0
    private var lastWall: Date?

    public init() {}

    /// The steady time of wall reading `wall`: never earlier than the previous one.
    public mutating func reading(wall: Date) -> Date {
        if let lastWall, wall < lastWall { offset += lastWall.timeIntervalSince(wall) }
        lastWall = wall
        return wall.addingTimeInterval(offset)
    }

    /// The wall-clock time of steady time `steady` (at the offset of the latest reading).
    public func wall(_ steady: Date) -> Date { steady.addingTimeInterval(-offset) }

    /// The steady time of a wall-clock time handed in, such as a deadline (at the offset of the latest reading).
    public func steady(_ wall: Date) -> Date { wall.addingTimeInterval(offset) }
}
