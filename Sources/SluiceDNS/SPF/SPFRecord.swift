import Foundation

/// A parsed SPF record (RFC 7208 §4.6, §12). Macros are syntax-checked, never expanded.
public struct SPFRecord: Sendable, Hashable {
    /// The result a matching mechanism gives (RFC 7208 §4.6.2).
    public enum Qualifier: String, Sendable, Hashable {
        case pass = "+"
        case fail = "-"
        case softfail = "~"
        case neutral = "?"
    }

    /// A mechanism and its argument (RFC 7208 §5).
    public enum Mechanism: Sendable, Hashable {
        case all
        case include(String)
        /// Domain spec (nil: the current domain).
        case a(String?)
        case mx(String?)
        case ptr(String?)
        case ip4(String)
        case ip6(String)
        case exists(String)

        /// Whether evaluating this mechanism costs a DNS lookup (RFC 7208 §4.6.4).
        public var countsAsLookup: Bool {
            switch self {
            case .include, .a, .mx, .ptr, .exists: true
            case .all, .ip4, .ip6: false
            }
        }
    }

    /// A qualifier plus mechanism, as one term of the record.
    public struct Directive: Sendable, Hashable {
        public var qualifier: Qualifier
        public var mechanism: Mechanism
        /// The term as written.
        public var text: String
    }

    /// The mechanisms in order.
    public var directives: [Directive]
    /// The `redirect=` domain spec, if any.
    public var redirect: String?
    /// The `exp=` domain spec, if any.
    public var explanation: String?
    /// The record text as published.
    public var text: String

    /// The qualifier of the `all` mechanism, or nil when the record has none.
    public var allQualifier: Qualifier? {
        directives.first { $0.mechanism == .all }?.qualifier
    }

    /// The directives a receiver can test: those up to and including the first `all` (RFC 7208 §5.1).
    public var directivesUpToAll: ArraySlice<Directive> {
        guard let all = directives.firstIndex(where: { $0.mechanism == .all }) else { return directives[...] }
        return directives[...all]
    }

    /// Terms after the first `all`, never tested (RFC 7208 §5.1); empty when there are none.
    public var deadTerms: [String] {
        directives.dropFirst(directivesUpToAll.count).map(\.text)
    }

    /// Whether a term is a `name=value` modifier rather than a mechanism.
    public static func isModifier(_ term: String) -> Bool {
        (try? modifier(term)) != nil
    }

    /// Whether a TXT string is an SPF record: exactly "v=spf1" then a space or the end (RFC 7208 §4.5).
    public static func isSPF(_ text: String) -> Bool {
        let lower = text.lowercased()
        return lower == "v=spf1" || lower.hasPrefix("v=spf1 ")
    }

    /// Parses a record.
    /// - Throws: `SPFSyntaxError` naming the first offending term.
    public init(parsing text: String) throws(SPFSyntaxError) {
        self.text = text
        guard SPFRecord.isSPF(text) else { throw SPFSyntaxError(term: text, reason: "does not start with v=spf1") }
        directives = []
        let terms = text.split(separator: " ", omittingEmptySubsequences: true).dropFirst()
        for raw in terms {
            let term = String(raw)
            if let modifier = try SPFRecord.modifier(term) {
                switch modifier.name {
                case "redirect":
                    guard redirect == nil else { throw SPFSyntaxError(term: term, reason: "redirect= appears twice") }
                    redirect = modifier.value
                case "exp":
                    guard explanation == nil else { throw SPFSyntaxError(term: term, reason: "exp= appears twice") }
                    explanation = modifier.value
                default:
                    break  // Unknown modifiers are ignored (RFC 7208 §6).
                }
                continue
            }
            directives.append(try SPFRecord.directive(term))
        }
    }

    /// A `name=value` modifier, or nil if `term` is a mechanism.
    private static func modifier(_ term: String) throws(SPFSyntaxError) -> (name: String, value: String)? {
        guard let equals = term.firstIndex(of: "=") else { return nil }
        let name = term[..<equals]
        // A ':' or '/' before '=' means a mechanism whose argument contains '=' (e.g. a macro literal).
        guard !name.contains(":"), !name.contains("/") else { return nil }
        guard let first = name.first, first.isASCII, first.isLetter,
            name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) })
        else { throw SPFSyntaxError(term: term, reason: "invalid modifier name") }
        let lowered = name.lowercased()
        let value = String(term[term.index(after: equals)...])
        if lowered == "redirect" || lowered == "exp" {
            if let reason = SPFDomainSpec.problem(value) { throw SPFSyntaxError(term: term, reason: reason) }
        } else if let reason = SPFDomainSpec.macroStringProblem(value) {
            throw SPFSyntaxError(term: term, reason: reason)
        }
        return (lowered, value)
    }

    private static func directive(_ term: String) throws(SPFSyntaxError) -> Directive {
        var body = Substring(term)
        var qualifier = Qualifier.pass
        if let first = body.first, let explicit = Qualifier(rawValue: String(first)) {
            qualifier = explicit
            body = body.dropFirst()
        }
        let nameEnd = body.firstIndex(where: { $0 == ":" || $0 == "/" }) ?? body.endIndex
        let name = body[..<nameEnd].lowercased()
        let rest = body[nameEnd...]
        let argument: String? = rest.hasPrefix(":") ? String(rest.dropFirst()) : nil
        func fail(_ reason: String) -> SPFSyntaxError { SPFSyntaxError(term: term, reason: reason) }
        func requireDomain(_ value: String?) throws(SPFSyntaxError) -> String {
            guard let value, !value.isEmpty else { throw fail("\(name) needs a domain (\(name):example.com)") }
            if let reason = SPFDomainSpec.problem(value) { throw fail(reason) }
            return value
        }
        let mechanism: Mechanism
        switch name {
        case "all":
            guard rest.isEmpty else { throw fail("all takes no argument") }
            mechanism = .all
        case "include":
            mechanism = .include(try requireDomain(argument))
        case "exists":
            mechanism = .exists(try requireDomain(argument))
        case "ptr":
            if rest.hasPrefix("/") { throw fail("ptr takes no CIDR length") }
            mechanism = .ptr(argument == nil ? nil : try requireDomain(argument))
        case "a", "mx":
            // a[:domain][/ip4-cidr][//ip6-cidr]: the domain ends at the first '/'.
            var domain: String?
            var cidr = Substring(rest)
            if rest.hasPrefix(":") {
                let afterColon = rest.dropFirst()
                let slash = afterColon.firstIndex(of: "/") ?? afterColon.endIndex
                domain = try requireDomain(String(afterColon[..<slash]))
                cidr = afterColon[slash...]
            }
            if let reason = SPFRecord.dualCIDRProblem(cidr) { throw fail(reason) }
            mechanism = name == "a" ? .a(domain) : .mx(domain)
        case "ip4":
            guard let argument else { throw fail("ip4 needs an address (ip4:192.0.2.0/24)") }
            guard IPAddressSyntax.isIPv4Network(argument) else { throw fail("invalid IPv4 network '\(argument)'") }
            mechanism = .ip4(argument)
        case "ip6":
            guard let argument else { throw fail("ip6 needs an address (ip6:2001:db8::/32)") }
            guard IPAddressSyntax.isIPv6Network(argument) else { throw fail("invalid IPv6 network '\(argument)'") }
            mechanism = .ip6(argument)
        default:
            throw fail("unknown mechanism '\(name)'")
        }
        return Directive(qualifier: qualifier, mechanism: mechanism, text: term)
    }

    /// Checks "", "/n", "//m" or "/n//m" with n ≤ 32, m ≤ 128.
    private static func dualCIDRProblem(_ text: Substring) -> String? {
        if text.isEmpty { return nil }
        let bad = "invalid CIDR length '\(text)'"
        func length(_ digits: Substring, max: Int) -> Bool {
            guard !digits.isEmpty, digits.count <= 3, digits.allSatisfy(\.isASCII), let value = Int(digits) else { return false }
            // RFC 7208 ABNF: no leading zeros.
            return value <= max && !(digits.count > 1 && digits.hasPrefix("0"))
        }
        var rest = text
        if rest.hasPrefix("//") {
            return length(rest.dropFirst(2), max: 128) ? nil : bad
        }
        guard rest.hasPrefix("/") else { return bad }
        rest = rest.dropFirst()
        let end = rest.range(of: "//")?.lowerBound ?? rest.endIndex
        guard length(rest[..<end], max: 32) else { return bad }
        if end == rest.endIndex { return nil }
        return length(rest[end...].dropFirst(2), max: 128) ? nil : bad
    }
}

/// A syntax error in an SPF record: the offending term and why.
public struct SPFSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    public var term: String
    public var reason: String
    public init(term: String, reason: String) {
        self.term = term
        self.reason = reason
    }
    public var description: String { "syntax error in term '\(term)': \(reason)" }
}
