import SluiceCore

/// The Public Suffix List (publicsuffix.org) as RFC 7489 §3.2 uses it: the organisational domain of a name
/// is its public suffix plus one label. Rules are held in A-label form (Unicode rules are converted), so
/// they match the lower-case ASCII names the checks use.
///
/// Matching follows publicsuffix.org's algorithm: an exception rule (`!www.ck`) prevails; otherwise the
/// matching rule with the most labels, a wildcard (`*.ck`) matching any one label in its place; a name no
/// rule matches has its last label as the public suffix (the implicit `*` rule). Both sections count
/// (ICANN and private): a domain under `github.io` is its own organisation, as DMARC receivers see it.
/// (Outside `DMARC/`: the `dns-message` fuzz target compiles that folder on its own, without SluiceCore.)
public struct PublicSuffixList: Sendable, Equatable {
    /// The largest list file read (the list is about 250 KB).
    public static let maxBytes = 4 * 1024 * 1024

    private var rules: Set<String> = []
    /// `*.ck` is kept as `ck`.
    private var wildcards: Set<String> = []
    /// `!www.ck` is kept as `www.ck`.
    private var exceptions: Set<String> = []

    /// Rules read (normal, wildcard and exception).
    public var count: Int { rules.count + wildcards.count + exceptions.count }

    /// Parses the list's text: one rule per line, the first whitespace-separated word; `//` comments and
    /// blank lines skipped. A rule that cannot be converted to ASCII is skipped (it could never match).
    public init(text: String) {
        for line in text.split(whereSeparator: \.isNewline) {
            guard let word = line.split(whereSeparator: \.isWhitespace).first, !word.hasPrefix("//") else { continue }
            if word.hasPrefix("!") {
                if let rule = Self.ascii(word.dropFirst()) { exceptions.insert(rule) }
            } else if word.hasPrefix("*.") {
                if let rule = Self.ascii(word.dropFirst(2)) { wildcards.insert(rule) }
            } else if let rule = Self.ascii(word) {
                rules.insert(rule)
            }
        }
    }

    /// The public suffix of `domain` (lower-case ASCII, no trailing dot): the whole name when it is one.
    public func publicSuffix(of domain: String) -> String {
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count > 1 else { return domain }
        let suffixes = (0..<labels.count).map { labels[$0...].joined(separator: ".") }
        // An exception rule names a registrable domain: its suffix is the rule without its first label.
        for i in suffixes.indices where exceptions.contains(suffixes[i]) {
            return i + 1 < suffixes.count ? suffixes[i + 1] : suffixes[i]
        }
        for i in suffixes.indices {
            if rules.contains(suffixes[i]) { return suffixes[i] }
            if i + 1 < suffixes.count, wildcards.contains(suffixes[i + 1]) { return suffixes[i] }
        }
        return suffixes[suffixes.count - 1]
    }

    /// The public suffix plus one label; `domain` itself when it is a public suffix (it has no organisation
    /// above it).
    public func organizationalDomain(of domain: String) -> String {
        let suffix = publicSuffix(of: domain)
        guard domain.count > suffix.count else { return domain }
        let above = domain.dropLast(suffix.count + 1)
        let label = above.split(separator: ".", omittingEmptySubsequences: false).last.map(String.init) ?? String(above)
        return label + "." + suffix
    }

    private static func ascii(_ rule: Substring) -> String? {
        guard !rule.isEmpty else { return nil }
        if rule.allSatisfy({ $0.isASCII }) { return rule.lowercased() }
        return DomainNameASCII.convert(String(rule))
    }
}
