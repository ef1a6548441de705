/// Appends DNS wire-format fields to a byte buffer, compressing names (RFC 1035 §4.1.4).
struct DNSWireWriter {
    private(set) var bytes: [UInt8] = []
    /// Offsets of name suffixes already written, keyed by their lowercase presentation form.
    private var suffixOffsets: [String: Int] = [:]

    mutating func u8(_ value: UInt8) { bytes.append(value) }

    mutating func u16(_ value: UInt16) {
        bytes.append(UInt8(value >> 8))
        bytes.append(UInt8(value & 0xFF))
    }

    mutating func u32(_ value: UInt32) {
        u16(UInt16(value >> 16))
        u16(UInt16(value & 0xFFFF))
    }

    /// Writes a name, pointing at an earlier copy of its longest known suffix.
    mutating func name(_ name: String) throws(DNSError) {
        let labels = try DNSName.labels(of: name)
        for index in labels.indices {
            let suffix = DNSName.presentation(of: labels[index...]).lowercased()
            if let offset = suffixOffsets[suffix] {
                u16(0xC000 | UInt16(offset))
                return
            }
            // Pointers carry 14 bits: only offsets below 0x4000 can be targets.
            if bytes.count < 0x4000 { suffixOffsets[suffix] = bytes.count }
            u8(UInt8(labels[index].count))
            bytes.append(contentsOf: labels[index])
        }
        u8(0)
    }

    /// Writes a name without compression (RDATA of types unknown to the reader must not point).
    mutating func uncompressedName(_ name: String) throws(DNSError) {
        for label in try DNSName.labels(of: name) {
            u8(UInt8(label.count))
            bytes.append(contentsOf: label)
        }
        u8(0)
    }

    mutating func record(_ record: DNSRecord) throws(DNSError) {
        try name(record.name)
        u16(record.type.rawValue)
        u16(record.dnsClass)
        u32(record.ttl)
        let lengthOffset = bytes.count
        u16(0)
        let start = bytes.count
        switch record.data {
        case .a(let address):
            guard address.count == 4 else { throw DNSError(.malformed, "A record needs 4 bytes") }
            bytes.append(contentsOf: address)
        case .aaaa(let address):
            guard address.count == 16 else { throw DNSError(.malformed, "AAAA record needs 16 bytes") }
            bytes.append(contentsOf: address)
        case .mx(let preference, let exchange):
            u16(preference)
            try name(exchange)
        case .txt(let strings):
            for string in strings {
                guard string.count <= 255 else { throw DNSError(.malformed, "TXT string longer than 255 bytes") }
                u8(UInt8(string.count))
                bytes.append(contentsOf: string)
            }
        case .cname(let target), .ns(let target):
            try name(target)
        case .soa(let soa):
            try name(soa.mname)
            try name(soa.rname)
            for value in [soa.serial, soa.refresh, soa.retry, soa.expire, soa.minimum] { u32(value) }
        case .opt(let options):
            for option in options {
                guard option.data.count <= Int(UInt16.max) else { throw DNSError(.malformed, "EDNS option too long") }
                u16(option.code)
                u16(UInt16(option.data.count))
                bytes.append(contentsOf: option.data)
            }
        case .unknown(let raw):
            bytes.append(contentsOf: raw)
        }
        let length = bytes.count - start
        guard length <= Int(UInt16.max) else { throw DNSError(.malformed, "RDATA longer than 65535 bytes") }
        bytes[lengthOffset] = UInt8(length >> 8)
        bytes[lengthOffset + 1] = UInt8(length & 0xFF)
    }
}
