/// A parsed DMARC record (RFC 7489 §6.3). Parsing never throws: problems are collected per tag.
public struct DMARCRecord: Sendable, Hashable {
    /// What receivers do with failing mail (`p=`, `sp=`).
    public enum Policy: String, Sendable, Hashable {
        case none, quarantine, reject
    }

    /// Identifier alignment (`adkim=`, `aspf=`): relaxed = same organisational domain, strict = equal.
    public enum AlignmentMode: String, Sendable, Hashable {
        case relaxed = "r"
        case strict = "s"
    }

    /// One invalid tag: its name ("" for record-level problems) and why.
    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        public var tag: String
        public var message: String
        public var description: String { message }
    }

    /// The record as published.
    public var text: String
    /// `p`, nil when missing or invalid.
    public var policy: Policy?
    /// `sp`; when absent receivers apply `p` to subdomains.
    public var subdomainPolicy: Policy?
    /// `pct`, default 100.
    public var percentage = 100
    /// `rua` URIs.
    public var aggregateReportURIs: [String] = []
    /// `ruf` URIs.
    public var failureReportURIs: [String] = []
    /// `adkim`, default relaxed.
    public var dkimAlignment = AlignmentMode.relaxed
    /// `aspf`, default relaxed.
    public var spfAlignment = AlignmentMode.relaxed
    /// `fo`, default ["0"].
    public var failureOptions = ["0"]
    /// `ri` in seconds, default 86400.
    public var reportInterval: UInt32 = 86400
    /// Every tag as lowercased name → value (first occurrence).
    public var tags: [String: String] = [:]
    /// Every invalid tag; empty for a valid record.
    public var problems: [Problem] = []

    public var isValid: Bool { problems.isEmpty }

    /// Whether a TXT string is a DMARC record: it starts with "v=DMARC1" (RFC 7489 §6.6.3).
    public static func isDMARC(_ text: String) -> Bool {
        guard let first = text.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first else { return false }
        let parts = first.split(separator: "=", maxSplits: 1)
        return parts.count == 2 && parts[0].trimmed == "v" && parts[1].trimmed == "DMARC1"
    }

    /// Parses `text`, collecting problems instead of throwing.
    public init(parsing text: String) {
        self.text = text
        var seen: Set<String> = []
        let pieces = text.split(separator: ";", omittingEmptySubsequences: false).map(\.trimmed)
        for (index, piece) in pieces.enumerated() {
            if piece.isEmpty { continue }
            let parts = piece.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else {
                problems.append(Problem(tag: piece, message: "'\(piece)' is not a tag=value pair"))
                continue
            }
            let name = parts[0].trimmed.lowercased()
            let value = parts[1].trimmed
            guard seen.insert(name).inserted else {
                problems.append(Problem(tag: name, message: "tag \(name) appears more than once"))
                continue
            }
            tags[name] = value
            if index == 0 {
                if name != "v" || value != "DMARC1" {
                    problems.append(Problem(tag: "v", message: "the record must start with v=DMARC1"))
                }
                continue
            }
            parseTag(name, value)
        }
        if !seen.contains("v") && problems.isEmpty {
            problems.append(Problem(tag: "v", message: "the record must start with v=DMARC1"))
        }
        if tags["p"] == nil {
            problems.append(Problem(tag: "p", message: "required tag p is missing (p=none|quarantine|reject)"))
        }
    }

    private mutating func parseTag(_ name: String, _ value: String) {
        func invalid(_ expected: String) {
            problems.append(Problem(tag: name, message: "invalid value '\(value)' for tag \(name): expected \(expected)"))
        }
        switch name {
        case "v":
            problems.append(Problem(tag: "v", message: "v=DMARC1 must be the first tag"))
        case "p", "sp", "np":
            guard let policy = Policy(rawValue: value.lowercased()) else { return invalid("none, quarantine or reject") }
            if name == "p" { self.policy = policy } else if name == "sp" { subdomainPolicy = policy }
        case "pct":
            guard value.count <= 3, value.allSatisfy(\.isASCIIDigit), let number = Int(value), number <= 100 else {
                return invalid("an integer 0-100")
            }
            percentage = number
        case "rua", "ruf":
            let uris = value.split(separator: ",", omittingEmptySubsequences: false).map(\.trimmed)
            for uri in uris where !DMARCRecord.isValidReportURI(uri) {
                return invalid("comma-separated URIs (mailto:reports@example.com)")
            }
            if name == "rua" { aggregateReportURIs = uris } else { failureReportURIs = uris }
        case "adkim", "aspf":
            guard let mode = AlignmentMode(rawValue: value.lowercased()) else { return invalid("r or s") }
            if name == "adkim" { dkimAlignment = mode } else { spfAlignment = mode }
        case "fo":
            let options = value.split(separator: ":", omittingEmptySubsequences: false).map { $0.trimmed.lowercased() }
            guard options.allSatisfy({ ["0", "1", "d", "s"].contains($0) }) else { return invalid("0, 1, d or s separated by ':'") }
            failureOptions = options
        case "rf":
            let formats = value.split(separator: ":", omittingEmptySubsequences: false).map { $0.trimmed.lowercased() }
            guard formats.allSatisfy({ $0 == "afrf" }) else { return invalid("afrf") }
        case "ri":
            guard !value.isEmpty, value.count <= 10, value.allSatisfy(\.isASCIIDigit), let seconds = UInt32(value) else {
                return invalid("a number of seconds")
            }
            reportInterval = seconds
        default:
            break  // RFC 7489 §6.3: unknown tags MUST be ignored.
        }
    }

    /// A report URI with an optional `!size[kmgt]` limit (RFC 7489 §6.4: `URI [ "!" 1*DIGIT [ "k" / "m" /
    /// "g" / "t" ] ]`). Any scheme is allowed; a `mailto:` one must hold an address at a valid host name.
    static func isValidReportURI(_ uri: String) -> Bool {
        var address = Substring(uri)
        // RFC 7489 §6.4: "!" and "," inside the URI itself must be %-encoded, so the last "!" starts the size.
        if let bang = address.lastIndex(of: "!") {
            var size = address[address.index(after: bang)...]
            if let unit = size.last, "kmgtKMGT".contains(unit) { size = size.dropLast() }
            guard !size.isEmpty, size.allSatisfy(\.isASCIIDigit) else { return false }
            address = address[..<bang]
        }
        guard let colon = address.firstIndex(of: ":") else { return false }
        let scheme = address[..<colon]
        let rest = address[address.index(after: colon)...]
        // RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
        guard let first = scheme.first, first.isASCII, first.isLetter,
            scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) }),
            !rest.isEmpty, rest.allSatisfy(isURICharacter)
        else { return false }
        guard scheme.lowercased() == "mailto" else { return true }
        let parts = rest.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty else { return false }
        return DNSName.isValidHostName(String(parts[1]))
    }

    /// RFC 3986 §2 unreserved, reserved and "%" characters, without the "!" and "," DMARC reserves.
    private static func isURICharacter(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || "-._~:/?#[]@$&'()*+;=%".contains(character))
    }

    /// Whether a report URI sends reports by email, the only way receivers send aggregate reports in practice.
    static func isMailto(_ uri: String) -> Bool {
        uri.lowercased().hasPrefix("mailto:")
    }

    /// The domain of a `mailto:` URI's address, lowercased (for external-destination checks); nil for
    /// other schemes.
    static func domain(ofReportURI uri: String) -> String? {
        guard isMailto(uri), let at = uri.lastIndex(of: "@") else { return nil }
        var domain = uri[uri.index(after: at)...]
        if let bang = domain.firstIndex(of: "!") { domain = domain[..<bang] }
        return DNSName.normalized(String(domain))
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    var trimmed: String {
        String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
