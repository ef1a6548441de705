import Synchronization

/// Keeps the open connections spread evenly over the event loops.
///
/// Why: each loop accepts on its own SO_REUSEPORT listener, and the kernel picks the listener by a hash
/// of the connection's addresses. A few dozen long-lived keep-alive connections (SNS's, a load balancer's
/// pool) then split unevenly: 64 connections came out 29 and 35. Each loop serves only its own
/// connections, so the fuller loop's requests queue behind each other while the other loop runs out of
/// work. A loop that accepts a connection while it holds more than another loop hands it to the loop with
/// the fewest (one message at accept time; nothing per request).
final class ConnectionBalancer: Sendable {
    private struct State {
        /// Open connections per loop, counted from placement until close.
        var counts: [Int]
        /// The loops by index while they run; nil once a loop has exited.
        var loops: [ServerEventLoop?]
    }

    private let state: Mutex<State>

    init(loopCount: Int) {
        state = Mutex(State(counts: Array(repeating: 0, count: loopCount), loops: Array(repeating: nil, count: loopCount)))
    }

    /// Makes `loops` eligible to take connections; until then every loop keeps what it accepts.
    func register(_ loops: [ServerEventLoop]) {
        state.withLock { s in
            for loop in loops where loop.index < s.loops.count { s.loops[loop.index] = loop }
        }
    }

    /// Drops the loop at `index` (it exited): it takes no more connections, and the reference is released.
    func unregister(_ index: Int) {
        state.withLock { s in
            guard index < s.loops.count else { return }
            s.loops[index] = nil
        }
    }

    /// Where a connection that loop `index` just accepted goes: nil to keep it on `index`, else the loop
    /// with the fewest connections. Either way it is counted on the loop that gets it.
    func place(acceptedBy index: Int) -> ServerEventLoop? {
        state.withLock { s -> ServerEventLoop? in
            var target = index
            for i in s.counts.indices where i != index && s.loops[i] != nil && s.counts[i] < s.counts[target] {
                target = i
            }
            s.counts[target] += 1
            return target == index ? nil : s.loops[target]
        }
    }

    /// A connection counted on loop `index` closed (or never reached it).
    func release(_ index: Int) {
        state.withLock { s in
            guard index < s.counts.count else { return }
            s.counts[index] = max(0, s.counts[index] - 1)
        }
    }

    /// Open connections per loop, by loop index.
    var counts: [Int] { state.withLock { $0.counts } }
}
