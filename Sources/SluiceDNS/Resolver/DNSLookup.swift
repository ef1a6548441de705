/// Something that answers "records of this type at this name": the resolver, or a test double.
public protocol DNSLookup: Sendable {
    /// Looks `name` up for `type`, following CNAMEs unless `type` is `.cname`.
    /// - Throws: a temporary `DNSError` (timeout, SERVFAIL, network) when no answer could be had.
    func lookup(_ name: String, _ type: DNSRecordType) async throws(DNSError) -> DNSLookupResult
}

/// The outcome of one lookup: records, or which kind of empty (RFC 2308 NXDOMAIN vs NODATA).
public struct DNSLookupResult: Sendable, Hashable {
    /// Found, NXDOMAIN or NODATA.
    public enum Status: String, Sendable, Hashable {
        /// At least one record of the asked type.
        case found
        /// The name does not exist (RCODE 3).
        case nxdomain
        /// The name exists but has no record of the asked type.
        case noData
    }

    public var status: Status
    /// Records of the asked type at the end of the CNAME chain.
    public var records: [DNSRecordData]
    /// The names passed through while following CNAMEs, in order, without the queried name.
    public var cnameChain: [String]

    public init(status: Status, records: [DNSRecordData] = [], cnameChain: [String] = []) {
        self.status = status
        self.records = records
        self.cnameChain = cnameChain
    }

    /// True for NXDOMAIN and NODATA: an RFC 7208 §4.6.4 "void lookup".
    public var isVoid: Bool { status != .found }

    /// TXT records joined per record (RFC 7208 §3.3: strings of one record concatenate).
    public var texts: [String] { records.compactMap(\.text) }
}
