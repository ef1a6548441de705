/// The RDATA of a resource record, decoded for the types this client uses.
public enum DNSRecordData: Sendable, Hashable {
    /// IPv4 address, 4 bytes.
    case a([UInt8])
    /// IPv6 address, 16 bytes.
    case aaaa([UInt8])
    case mx(preference: UInt16, exchange: String)
    /// The character-strings of one TXT record, in order (each ≤ 255 bytes).
    case txt([[UInt8]])
    case cname(String)
    case ns(String)
    case soa(DNSSOA)
    /// EDNS(0) options as (code, data) pairs.
    case opt([DNSOption])
    /// Any other type: raw RDATA bytes.
    case unknown([UInt8])

    /// The TXT strings joined without separator (RFC 7208 §3.3), decoded as UTF-8 with replacement.
    public var text: String? {
        guard case .txt(let strings) = self else { return nil }
        return String(decoding: strings.joined(), as: UTF8.self)
    }
}

/// SOA RDATA (RFC 1035 §3.3.13).
public struct DNSSOA: Sendable, Hashable {
    public var mname: String
    public var rname: String
    public var serial: UInt32
    public var refresh: UInt32
    public var retry: UInt32
    public var expire: UInt32
    public var minimum: UInt32

    public init(
        mname: String, rname: String, serial: UInt32, refresh: UInt32, retry: UInt32, expire: UInt32,
        minimum: UInt32
    ) {
        self.mname = mname
        self.rname = rname
        self.serial = serial
        self.refresh = refresh
        self.retry = retry
        self.expire = expire
        self.minimum = minimum
    }
}

/// One EDNS(0) option (RFC 6891 §6.1.2).
public struct DNSOption: Sendable, Hashable {
    public var code: UInt16
    public var data: [UInt8]
    public init(code: UInt16, data: [UInt8]) {
        self.code = code
        self.data = data
    }
}

/// One resource record. For OPT, `dnsClass` is the UDP payload size and `ttl` holds the extended flags.
public struct DNSRecord: Sendable, Hashable {
    /// Owner name, lowercase ASCII without trailing dot ("" is the root).
    public var name: String
    public var type: DNSRecordType
    public var dnsClass: UInt16
    public var ttl: UInt32
    public var data: DNSRecordData

    public init(name: String, type: DNSRecordType, dnsClass: UInt16 = 1, ttl: UInt32 = 300, data: DNSRecordData) {
        self.name = name
        self.type = type
        self.dnsClass = dnsClass
        self.ttl = ttl
        self.data = data
    }
}

/// One question (RFC 1035 §4.1.2).
public struct DNSQuestion: Sendable, Hashable {
    public var name: String
    public var type: DNSRecordType
    public var dnsClass: UInt16

    public init(name: String, type: DNSRecordType, dnsClass: UInt16 = 1) {
        self.name = name
        self.type = type
        self.dnsClass = dnsClass
    }
}
