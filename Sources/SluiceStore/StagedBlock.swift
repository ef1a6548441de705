import Foundation
import SluiceCore

/// A packed block of a staged run (schema v8): consecutive rows of the run, in key order, in one blob.
///
/// A block never splits an address, so the rows of an address in a run are all in the block with the
/// smallest `last_address` at or after it (`suppression_blocks` is keyed by (run, last_address)).
/// Row format: a varint length of the rest, then flags (1 detail, 2 expiry, 4 original spelling differs),
/// address, scope, [original], reason, [detail] as varint-length UTF-8, then first_seen, last_seen as
/// zigzag varint milliseconds, count as a varint, source, [expires_at].
struct StagedBlock: Sendable, Equatable {
    var first: String
    var last: String
    var count: Int
    var data: [UInt8]

    /// Blob size at which a block is closed (at the next address). With a typical row past it the record
    /// still fits in its B-tree cell (~1,000 bytes on 4 KiB pages for a WITHOUT ROWID table): a larger block
    /// spills to an overflow page, one more page read per lookup that hits a run.
    static let defaultTargetBytes = 800
    /// Rows of a typical block (~85-byte rows), to size reads.
    static let typicalRows = 10

    /// Packs `rows` (key order, one row per key) into blocks of about `targetBytes`.
    static func pack(_ rows: some Collection<Suppression>, targetBytes: Int = defaultTargetBytes) -> [StagedBlock] {
        var blocks: [StagedBlock] = []
        var scratch: [UInt8] = []
        scratch.reserveCapacity(256)
        var current = StagedBlock(first: "", last: "", count: 0, data: [])
        current.data.reserveCapacity(min(targetBytes, 1 << 16) + 1024)
        for row in rows {
            if current.count > 0, current.data.count >= targetBytes, row.address != current.last {
                blocks.append(current)
                current = StagedBlock(first: "", last: "", count: 0, data: [])
                current.data.reserveCapacity(min(targetBytes, 1 << 16) + 1024)
            }
            if current.count == 0 { current.first = row.address }
            current.last = row.address
            current.count += 1
            append(row, to: &current.data, scratch: &scratch)
        }
        if current.count > 0 { blocks.append(current) }
        return blocks
    }

    /// Every row of the block, in key order.
    static func rows(_ data: [UInt8]) -> [Suppression] {
        data.withUnsafeBufferPointer { buffer in
            var reader = Reader(buffer: buffer)
            var result: [Suppression] = []
            while let end = reader.rowEnd() {
                result.append(reader.row())
                reader.position = end
            }
            return result
        }
    }

    /// The rows of `address` in the block (any scope), in key order; decodes only those.
    static func rows(of address: String, in data: [UInt8]) -> [Suppression] {
        var target = address
        return target.withUTF8 { key in
            data.withUnsafeBufferPointer { buffer in
                var reader = Reader(buffer: buffer)
                var result: [Suppression] = []
                while let end = reader.rowEnd() {
                    let start = reader.position
                    reader.position += 1
                    let (from, count) = reader.span()
                    let order = compare(buffer, from: from, count: count, key)
                    if order == 0 {
                        reader.position = start
                        result.append(reader.row())
                    } else if order > 0 {
                        break
                    }
                    reader.position = end
                }
                return result
            }
        }
    }

    /// memcmp order of `count` bytes of `buffer` at `from` against `key`.
    private static func compare(_ buffer: UnsafeBufferPointer<UInt8>, from: Int, count: Int, _ key: UnsafeBufferPointer<UInt8>) -> Int {
        let common = min(count, key.count)
        if common > 0, let base = buffer.baseAddress, let keyBase = key.baseAddress {
            let c = memcmp(base + from, keyBase, common)
            if c != 0 { return Int(c) }
        }
        return count - key.count
    }

    /// Appends one row in the block format, built in `scratch` first (its length comes before it).
    static func append(_ row: Suppression, to data: inout [UInt8], scratch body: inout [UInt8]) {
        body.removeAll(keepingCapacity: true)
        let differs = row.originalAddress != row.address
        var flags: UInt8 = 0
        if row.detail != nil { flags |= 1 }
        if row.expiresAt != nil { flags |= 2 }
        if differs { flags |= 4 }
        body.append(flags)
        appendString(row.address, to: &body)
        appendString(row.scope, to: &body)
        if differs { appendString(row.originalAddress, to: &body) }
        appendString(row.reason.rawValue, to: &body)
        if let detail = row.detail { appendString(detail, to: &body) }
        appendVarint(zigzag(Statement.milliseconds(row.firstSeen)), to: &body)
        appendVarint(zigzag(Statement.milliseconds(row.lastSeen)), to: &body)
        appendVarint(UInt64(max(0, row.count)), to: &body)
        appendString(row.source, to: &body)
        if let expiry = row.expiresAt { appendVarint(zigzag(Statement.milliseconds(expiry)), to: &body) }
        appendVarint(UInt64(body.count), to: &data)
        data.append(contentsOf: body)
    }

    private static func appendString(_ string: String, to data: inout [UInt8]) {
        let utf8 = string.utf8
        appendVarint(UInt64(utf8.count), to: &data)
        data.append(contentsOf: utf8)
    }

    private static func appendVarint(_ value: UInt64, to data: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            data.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        data.append(UInt8(value))
    }

    private static func zigzag(_ value: Int64) -> UInt64 { UInt64(bitPattern: (value << 1) ^ (value >> 63)) }

    /// Reads rows from a block; bounds-checked, so a damaged blob ends the block instead of crashing.
    private struct Reader {
        let buffer: UnsafeBufferPointer<UInt8>
        var position = 0

        /// Reads the next row's length prefix; returns where the row ends, nil at the end (or on damage).
        mutating func rowEnd() -> Int? {
            guard position < buffer.count else { return nil }
            let length = Int(truncatingIfNeeded: varint())
            // Against the bytes left, so a damaged length near Int.max cannot overflow the sum.
            guard length > 0, length <= buffer.count - position else { return nil }
            return position + length
        }

        mutating func varint() -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while position < buffer.count, shift < 64 {
                let byte = buffer[position]
                position += 1
                result |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { break }
                shift += 7
            }
            return result
        }

        /// A varint length and the position of the bytes it counts, which it skips.
        mutating func span() -> (from: Int, count: Int) {
            let count = min(Int(truncatingIfNeeded: varint()), buffer.count - position)
            let from = position
            position += max(0, count)
            return (from, max(0, count))
        }

        mutating func string() -> String {
            let (from, count) = span()
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[from..<from + count]), as: UTF8.self)
        }

        mutating func date() -> Date {
            let raw = varint()
            return Statement.date(milliseconds: Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1))
        }

        /// Decodes the row starting at `position` (its flags byte).
        mutating func row() -> Suppression {
            let flags = position < buffer.count ? buffer[position] : 0
            position += 1
            let address = string()
            let scope = string()
            let original = flags & 4 != 0 ? string() : address
            // An unknown reason (written by a newer build) must still block mail.
            let reason = SuppressionReason(rawValue: string()) ?? .manual
            let detail = flags & 1 != 0 ? string() : nil
            let firstSeen = date()
            let lastSeen = date()
            let count = Int(truncatingIfNeeded: varint())
            let source = string()
            let expiresAt = flags & 2 != 0 ? date() : nil
            return Suppression(
                address: address, originalAddress: original, scope: scope, reason: reason, detail: detail,
                firstSeen: firstSeen, lastSeen: lastSeen, count: count, source: source, expiresAt: expiresAt
            )
        }
    }
}
