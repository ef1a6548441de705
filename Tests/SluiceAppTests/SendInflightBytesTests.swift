import Foundation
import SluiceCore
import SluiceTestSupport
import Testing
@testable import SluiceApp

/// `ses.max_inflight_bytes`: the stored payload bytes of the messages in flight at once stay within the budget.
///
/// Why: a call holds its message a few times over (decoded, the request, its base64 JSON body), up to 40 MB
/// each, so `ses.concurrency` alone does not bound memory. The dispatcher weighs each message by its stored
/// payload (`ReadyMessage.payloadBytes`) and starts it only when it fits on top of those in flight
/// (`InflightLedger.hasRoom`). A message larger than the whole budget would never fit; by the code's rule it
/// goes when nothing else is in flight, and alone (otherwise the dispatcher, which waits for room in queue
/// order, would hold it and everything behind it forever).
struct SendInflightBytesTests {
    @Test func payloadBytesInFlightNeverExceedTheBudgetAndALargerMessageGoesAlone() async throws {
        let budget = 1 << 20  // the key's smallest value
        let harness = try SendFaultHarness(["SLUICE_SES_MAX_INFLIGHT_BYTES": String(budget), "SLUICE_SES_CONCURRENCY": "8"])
        #expect(harness.gate.maxInflightBytes == budget)
        #expect(harness.gate.concurrency == 8)
        // Ten messages of ~293 KB stored (base64): three fit the budget together, four do not. One larger than
        // the whole budget sits in the middle of the queue.
        let first = harness.now.addingTimeInterval(-60)
        for i in 0..<10 {
            try await harness.enqueue(
                "msg_part_\(i)", to: ["p\(i)@example.net"], raw: Data(repeating: UInt8(ascii: "a"), count: 220_000),
                due: first.addingTimeInterval(Double(i)))
        }
        try await harness.enqueue(
            "msg_huge", to: ["huge@example.net"], raw: Data(repeating: UInt8(ascii: "b"), count: budget), due: first.addingTimeInterval(4.5))
        // Each message's weight as the dispatcher reads it, by its recipient (the transport sees recipients).
        let listed = try await harness.base.readyMessages(at: .distantFuture, limit: 100)
        let weights = Dictionary(uniqueKeysWithValues: try await listed.asyncMap { ready in
            (try await harness.row(ready.id).message.recipients[0], ready.payloadBytes)
        })
        let part = try #require(weights["p0@example.net"])
        #expect(3 * part <= budget && 4 * part > budget, "\(part) bytes a message")
        #expect(try #require(weights["huge@example.net"]) > budget)
        #expect(weights.values.reduce(0, +) > 3 * budget)

        let transport = ObservingTransport(callTime: .milliseconds(100))
        try await harness.running(transport) {
            for ready in listed {
                let done = try await harness.waitForState(ready.id, [.sent, .failed])
                #expect(done.state == .sent, "\(ready.id)")
                #expect(done.attempts == 1, "\(ready.id)")
            }
        }
        #expect(transport.recipients.sorted() == weights.keys.sorted(), "each message sent exactly once")
        let calls = transport.calls.withLock { $0 }
        // Bytes in flight only grow when a call starts, so checking at each start covers every moment. (Calls
        // are a part of each message's time in flight, so this is a lower bound of what the ledger held.)
        for call in calls {
            let bytes = call.runningAtStart.reduce(0) { $0 + (weights[$1] ?? 0) }
            if call.runningAtStart.contains("huge@example.net") {
                #expect(call.runningAtStart == ["huge@example.net"], "the oversized message overlapped \(call.runningAtStart)")
            } else {
                #expect(bytes <= budget, "\(bytes) bytes in flight: \(call.runningAtStart.sorted())")
            }
        }
        // Not vacuous: the budget let calls overlap, so a missing limit would have shown.
        #expect(calls.map(\.runningAtStart.count).max() ?? 0 >= 2)
    }
}

extension Sequence {
    /// `map` with an async transform, in order.
    fileprivate func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
