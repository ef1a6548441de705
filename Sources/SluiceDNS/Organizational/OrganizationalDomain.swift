/// The RFC 7489 §3.2 organisational domain: from the Public Suffix List when one was loaded
/// (`PublicSuffixList`, `dns.public_suffix_list`), else an approximation: the last two labels, or the last
/// three when the last two are a well-known two-level public suffix (co.uk, com.au...). The approximation is
/// wrong for private suffixes (github.io) and rarer public ones (co.at, ac.in): a subdomain there would be
/// judged against `_dmarc.<suffix>` and miss its organisation's record.
public struct OrganizationalDomain: Sendable, Equatable {
    /// Two-label public suffixes common enough to matter for sending domains (the approximation).
    static let twoLevelSuffixes: Set<String> = [
        "co.uk", "org.uk", "me.uk", "ltd.uk", "plc.uk", "net.uk", "ac.uk", "gov.uk", "sch.uk",
        "com.au", "net.au", "org.au", "edu.au", "gov.au", "asn.au", "id.au",
        "co.nz", "net.nz", "org.nz", "ac.nz", "govt.nz",
        "co.jp", "ne.jp", "or.jp", "ac.jp", "go.jp",
        "co.za", "org.za", "net.za", "co.in", "net.in", "org.in", "co.kr", "or.kr", "co.il", "co.id", "co.th",
        "com.br", "net.br", "org.br", "com.cn", "net.cn", "org.cn", "com.mx", "com.ar", "com.sg", "com.hk",
        "com.tw", "com.tr", "com.my", "com.ph", "com.vn", "com.ua", "com.pl", "com.co", "com.pe", "com.es",
    ]

    /// The list, or nil for the approximation.
    public let publicSuffixes: PublicSuffixList?

    public init(publicSuffixes: PublicSuffixList?) {
        self.publicSuffixes = publicSuffixes
    }

    /// Without a Public Suffix List.
    public static let approximate = OrganizationalDomain(publicSuffixes: nil)

    /// The organisational domain of `domain` (normalised, lowercase).
    public func of(_ domain: String) -> String {
        let name = DNSName.normalized(domain)
        if let publicSuffixes { return publicSuffixes.organizationalDomain(of: name) }
        let labels = name.split(separator: ".")
        guard labels.count > 2 else { return labels.joined(separator: ".") }
        let lastTwo = labels.suffix(2).joined(separator: ".")
        let keep = Self.twoLevelSuffixes.contains(lastTwo) ? 3 : 2
        return labels.suffix(keep).joined(separator: ".")
    }

    /// RFC 7489 §3.1: relaxed = same organisational domain; strict = identical names.
    public func aligned(_ a: String, _ b: String, mode: DMARCRecord.AlignmentMode) -> Bool {
        let left = DNSName.normalized(a)
        let right = DNSName.normalized(b)
        return mode == .strict ? left == right : of(left) == of(right)
    }
}
