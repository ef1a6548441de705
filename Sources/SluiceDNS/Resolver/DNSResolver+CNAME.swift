/// What one answer says about a name after following the CNAMEs it contains.
enum CNAMEOutcome: Sendable, Hashable {
    case records([DNSRecordData])
    case nxdomain
    case noData
    /// The chain ends at a name the answer says nothing about: ask for it.
    case pending(String)
}

extension DNSResolver {
    /// Follows CNAMEs inside one answer message from `name` (pure; loops and long chains stop early).
    static func follow(_ message: DNSMessage, from name: String, type: DNSRecordType) -> (chain: [String], outcome: CNAMEOutcome) {
        var current = DNSName.normalized(name)
        var chain: [String] = []
        var seen: Set<String> = [current]
        while true {
            let here = message.answers.filter { DNSName.normalized($0.name) == current }
            let matching = here.filter { $0.type == type }.map(\.data)
            if !matching.isEmpty { return (chain, .records(matching)) }
            guard type != .cname, let link = here.first(where: { $0.type == .cname }),
                case .cname(let target) = link.data
            else { break }
            let next = DNSName.normalized(target)
            // A loop, or a chain longer than the answer itself, cannot lead anywhere.
            guard seen.insert(next).inserted, chain.count < message.answers.count else { break }
            chain.append(next)
            current = next
        }
        // RFC 6604: with CNAMEs, RCODE describes the last name of the chain.
        if message.responseCode == .nameError { return (chain, .nxdomain) }
        // `query` has already turned referrals and answers from non-recursive servers into server failures:
        // an empty answer here is NODATA.
        let negative = message.authority.contains { $0.type == .soa }
        if chain.isEmpty || negative { return (chain, .noData) }
        return (chain, .pending(current))
    }
}
