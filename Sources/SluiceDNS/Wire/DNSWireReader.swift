/// Reads DNS wire-format fields with bounds checks on every access.
struct DNSWireReader {
    private let bytes: [UInt8]
    private(set) var offset = 0
    /// Reads stop here (the end of the message, or of an RDATA field while decoding it).
    private var limit: Int

    /// Compression pointers followed per name; a 255-byte name has at most 127 labels.
    static let maxPointerJumps = 128

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.limit = bytes.count
    }

    var remaining: Int { limit - offset }

    mutating func u8() throws(DNSError) -> UInt8 {
        guard offset < limit else { throw DNSError(.malformed, "message ends early") }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u16() throws(DNSError) -> UInt16 {
        let high = try u8()
        return UInt16(high) << 8 | UInt16(try u8())
    }

    mutating func u32() throws(DNSError) -> UInt32 {
        let high = try u16()
        return UInt32(high) << 16 | UInt32(try u16())
    }

    mutating func take(_ count: Int) throws(DNSError) -> [UInt8] {
        guard count >= 0, count <= remaining else { throw DNSError(.malformed, "length runs past the end") }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    /// Reads a possibly compressed name. Pointers must point strictly backwards, which with the jump
    /// cap makes loops impossible; labels may be read from anywhere before the message end.
    mutating func name() throws(DNSError) -> String {
        var labels: [ArraySlice<UInt8>] = []
        var wireLength = 1
        var position = offset
        var jumps = 0
        var resumeAt: Int?
        var lowestSeen = offset
        while true {
            // Labels reached through a pointer may lie anywhere in the message, not just before `limit`.
            let end = resumeAt == nil ? limit : bytes.count
            guard position < end else { throw DNSError(.malformed, "name runs past the end") }
            let length = Int(bytes[position])
            switch length & 0xC0 {
            case 0x00:
                if length == 0 {
                    if resumeAt == nil { resumeAt = position + 1 }
                    offset = resumeAt!
                    return DNSName.presentation(of: labels).lowercased()
                }
                guard position + 1 + length <= end else { throw DNSError(.malformed, "label runs past the end") }
                wireLength += length + 1
                guard wireLength <= 255 else { throw DNSError(.malformed, "name longer than 255 bytes") }
                labels.append(bytes[(position + 1)..<(position + 1 + length)])
                position += 1 + length
            case 0xC0:
                guard position + 1 < end else { throw DNSError(.malformed, "pointer runs past the end") }
                let target = (length & 0x3F) << 8 | Int(bytes[position + 1])
                jumps += 1
                guard jumps <= Self.maxPointerJumps, target < lowestSeen else {
                    throw DNSError(.malformed, "compression pointer loop or forward pointer")
                }
                if resumeAt == nil { resumeAt = position + 2 }
                lowestSeen = target
                position = target
            default:
                // 0x40 / 0x80: extended label types (RFC 6891 §5) are obsolete and unsupported.
                throw DNSError(.malformed, "unsupported label type")
            }
        }
    }

    mutating func record() throws(DNSError) -> DNSRecord {
        let name = try name()
        let type = DNSRecordType(rawValue: try u16())
        let dnsClass = try u16()
        let ttl = try u32()
        let length = Int(try u16())
        guard length <= remaining else { throw DNSError(.malformed, "RDATA runs past the end") }
        let end = offset + length
        let savedLimit = limit
        limit = end
        defer { limit = savedLimit }
        let data = try rdata(type: type, length: length)
        guard offset == end else { throw DNSError(.malformed, "RDATA length does not match its \(type) content") }
        return DNSRecord(name: name, type: type, dnsClass: dnsClass, ttl: ttl, data: data)
    }

    private mutating func rdata(type: DNSRecordType, length: Int) throws(DNSError) -> DNSRecordData {
        switch type {
        case .a:
            guard length == 4 else { throw DNSError(.malformed, "A RDATA is not 4 bytes") }
            return .a(try take(4))
        case .aaaa:
            guard length == 16 else { throw DNSError(.malformed, "AAAA RDATA is not 16 bytes") }
            return .aaaa(try take(16))
        case .mx:
            let preference = try u16()
            return .mx(preference: preference, exchange: try name())
        case .txt:
            var strings: [[UInt8]] = []
            while remaining > 0 { strings.append(try take(Int(try u8()))) }
            return .txt(strings)
        case .cname:
            return .cname(try name())
        case .ns:
            return .ns(try name())
        case .soa:
            let mname = try name()
            let rname = try name()
            return .soa(
                DNSSOA(
                    mname: mname, rname: rname, serial: try u32(), refresh: try u32(), retry: try u32(),
                    expire: try u32(), minimum: try u32()))
        case .opt:
            var options: [DNSOption] = []
            while remaining > 0 {
                let code = try u16()
                options.append(DNSOption(code: code, data: try take(Int(try u16()))))
            }
            return .opt(options)
        default:
            return .unknown(try take(length))
        }
    }
}
