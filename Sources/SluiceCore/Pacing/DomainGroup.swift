import Foundation

/// Recipient domains paced together (one mailbox provider) at `ratePerSecond` recipients per second.
public struct DomainGroup: Sendable, Equatable {
    /// The name used in logs and metrics (the first domain unless given).
    public var name: String
    /// Lower-case domains, matched exactly (`gmail.com` does not match `mail.gmail.com`).
    public var domains: [String]
    public var ratePerSecond: Double

    public init(name: String, domains: [String], ratePerSecond: Double) {
        self.name = name
        self.domains = domains.map { $0.lowercased() }
        self.ratePerSecond = ratePerSecond
    }

    /// Parses `[name:]domain[+domain…]=rate`, e.g. `gmail:gmail.com+googlemail.com=10`.
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let equals = trimmed.lastIndex(of: "="), let rate = Double(trimmed[trimmed.index(after: equals)...].trimmingCharacters(in: .whitespaces)),
            rate > 0, rate.isFinite
        else { return nil }
        var spec = Substring(trimmed[..<equals].trimmingCharacters(in: .whitespaces))
        var name: String?
        if let colon = spec.firstIndex(of: ":") {
            name = String(spec[..<colon])
            spec = spec[spec.index(after: colon)...]
        }
        let domains = spec.split(separator: "+").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard !domains.isEmpty, domains.allSatisfy({ !$0.isEmpty && !$0.contains("@") && !$0.contains(" ") }) else { return nil }
        if let name, name.isEmpty { return nil }
        self.init(name: name ?? domains[0], domains: domains, ratePerSecond: rate)
    }
}
