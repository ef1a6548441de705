import Foundation
import Testing
@testable import SluiceCrypto

struct DeflatePoolTests {
    static func body(_ n: Int) -> [UInt8] {
        Array(#"{"Type":"Notification","MessageId":"id-\#(n)","Message":"{\"notificationType\":\"Bounce\"}"}"#.utf8)
    }

    @Test func outputEqualsOneShotCompression() throws {
        let pool = DeflatePool(level: 1, compact: true)
        for n in 0..<20 {
            let input = Self.body(n)
            #expect(try pool.compress(input) == Zlib.compress(input, level: 1, compact: true))
        }
    }

    @Test func reusedStatesRoundTripDifferentInputs() throws {
        let pool = DeflatePool(level: 6, compact: false, maxIdle: 1)
        let inputs: [[UInt8]] = [[], Self.body(1), Array(repeating: 0x41, count: 100_000), Self.body(2), Array((0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 7919) })]
        for input in inputs {
            let compressed = try pool.compress(input)
            #expect(try Zlib.decompress(compressed, maxOutput: input.count) == input)
        }
    }

    @Test func concurrentCallersGetTheirOwnStreams() async throws {
        let pool = DeflatePool(level: 1, compact: true, maxIdle: 2)
        let ok = await withTaskGroup(of: Bool.self) { group in
            for t in 0..<8 {
                group.addTask {
                    for n in 0..<50 {
                        let input = Self.body(t * 1000 + n)
                        guard let compressed = try? pool.compress(input),
                            let back = try? Zlib.decompress(compressed, maxOutput: input.count), back == input
                        else { return false }
                    }
                    return true
                }
            }
            return await group.allSatisfy { $0 }
        }
        #expect(ok)
    }
}
