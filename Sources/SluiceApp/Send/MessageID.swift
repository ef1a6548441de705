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
        let milliseconds = UInt64(max(0, (date.timeIntervalSince1970 * 1000).rounded(.down)))
        let random = (try? SecureRandom.hex(10)) ?? String(UUID().uuidString.lowercased().filter(\.isHexDigit).prefix(20))
        var time = String(milliseconds & 0xFFFF_FFFF_FFFF, radix: 16)
        if time.utf8.count < 12 { time = String(repeating: "0", count: 12 - time.utf8.count) + time }
        return prefix + time + random
    }
}
