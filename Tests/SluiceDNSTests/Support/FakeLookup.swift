@testable import SluiceDNS

/// An in-memory `DNSLookup`: records per (name, type); names with no records are NXDOMAIN unless
/// listed in `existing`; names in `failing` throw a temporary error; names DNS cannot carry throw `.invalidName`.
struct FakeLookup: DNSLookup {
    var records: [String: [DNSRecordType: [DNSRecordData]]] = [:]
    var existing: Set<String> = []
    var failing: Set<String> = []

    mutating func txt(_ name: String, _ texts: String...) {
        records[name, default: [:]][.txt, default: []] += texts.map { .txt([Array($0.utf8)]) }
    }

    mutating func add(_ name: String, _ type: DNSRecordType, _ data: DNSRecordData) {
        records[name, default: [:]][type, default: []].append(data)
    }

    func lookup(_ name: String, _ type: DNSRecordType) async throws(DNSError) -> DNSLookupResult {
        let name = DNSName.normalized(name)
        // As the resolver does when it encodes the query: a name over 255 bytes cannot be asked.
        _ = try DNSName.labels(of: name)
        if failing.contains(name) { throw DNSError(.timeout, "fake timeout for \(name)") }
        guard let byType = records[name] else {
            return DNSLookupResult(status: existing.contains(name) ? .noData : .nxdomain)
        }
        guard let found = byType[type], !found.isEmpty else { return DNSLookupResult(status: .noData) }
        return DNSLookupResult(status: .found, records: found)
    }
}
