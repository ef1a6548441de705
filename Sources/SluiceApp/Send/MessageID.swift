import Foundation
import SluiceCrypto

/// Message ids: `msg_` + 12 hex digits of the accept time in milliseconds + 20 random hex digits (80 bits).
///
/// Time first so consecutive inserts land at the end of the `outbound_messages` primary-key index: with
/// fully random ids every insert of a group commit dirtied its own index page, and the writer thread
/// wrote (and checksummed) one 4 KiB WAL frame per message.
enum MessageID {
    static let prefix = "msg_"

    static func make(at date: Date) -> String {
        let milliseconds = UInt64(max(0, (date.timeIntervalSince1970 * 1000).rounded(.down))) & 0xFFFF_FFFF_FFFF
        var random = (try? SecureRandom.bytes(10)) ?? []
        if random.count != 10 {
            // No OpenSSL randomness (never seen in practice): the system generator still gives unique ids.
            var generator = SystemRandomNumberGenerator()
            random = (0..<10).map { _ in UInt8.random(in: 0...255, using: &generator) }
        }
        let digits: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: 36) { buffer in
            let hex = UnsafeBufferPointer(start: digits.utf8Start, count: 16)
            for (index, byte) in prefix.utf8.enumerated() { buffer[index] = byte }
            for index in 0..<12 { buffer[4 + index] = hex[Int((milliseconds >> UInt64(44 - 4 * index)) & 0xF)] }
            for (index, byte) in random.enumerated() {
                buffer[16 + 2 * index] = hex[Int(byte >> 4)]
                buffer[17 + 2 * index] = hex[Int(byte & 0xF)]
            }
            return 36
        }
    }
}
