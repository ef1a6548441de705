extension DomainChecker {
    /// The DMARC record that applies to a domain, and where it was found.
    struct DMARCLookup: Sendable {
        /// The `_dmarc` name the record was found at (or first asked).
        var location: String
        var records: [String]
        /// Found at the organisational domain rather than the domain itself (RFC 7489 §6.6.3).
        var inherited: Bool
    }

    /// What dmarc.alignment is judged on once the DKIM and MAIL FROM checks are in: the record (nil: DMARC
    /// defaults), or the error that kept the record from being read.
    enum AlignmentBasis: Sendable {
        case record(DMARCRecord?)
        case unreadable(DNSError)
    }

    /// dmarc.record, dmarc.policy, dmarc.rua; dmarc.alignment is made from `alignment` and the DKIM and
    /// MAIL FROM results by `alignmentCheck`, so the DNS lookups of all sections still run at once.
    func dmarcChecks(_ context: Context) async -> (checks: [CheckResult], alignment: AlignmentBasis) {
        let domain = context.domain
        let location = "_dmarc.\(domain)"
        let found: DMARCLookup
        do {
            found = try await dmarcLookup(domain)
        } catch {
            // adkim/aspf are unknown without the record: alignment cannot be judged either.
            return ([lookupFailure("dmarc.record", error)], .unreadable(error))
        }
        let defaultRecord = "v=DMARC1; p=none; rua=mailto:dmarc-reports@\(domain)"
        guard found.records.count == 1 else {
            let check =
                found.records.isEmpty
                ? CheckResult(
                    id: "dmarc.record", status: .fail, message: "no DMARC record at \(location)",
                    fix: Fix.txt(location, defaultRecord))
                : CheckResult(
                    id: "dmarc.record", status: .fail, found: found.records.joined(separator: " | "),
                    message: "\(found.records.count) DMARC records at \(found.location): receivers ignore them all",
                    fix: Fix.txt(location, found.records[0]))
            return ([check], .record(nil))
        }
        let record = DMARCRecord(parsing: found.records[0])
        let origin = found.inherited ? " (inherited from the organisational domain \(found.location))" : ""
        var checks: [CheckResult] = []
        if record.isValid {
            checks.append(
                CheckResult(id: "dmarc.record", status: .pass, found: record.text, message: "one valid DMARC record\(origin)"))
        } else {
            let names = record.problems.map(\.tag).filter { !$0.isEmpty }
            checks.append(
                CheckResult(
                    id: "dmarc.record", status: .fail, found: record.text,
                    message: "invalid DMARC record\(origin) (tag \(names.joined(separator: ", "))): "
                        + record.problems.map(\.message).joined(separator: "; "),
                    fix: Fix.txt(found.location, Self.repaired(record, domain: domain))))
        }
        checks.append(policyCheck(record, inherited: found.inherited, location: found.location, domain: domain))
        checks.append(await ruaCheck(record, location: found.location, domain: domain))
        return (checks, .record(record))
    }

    /// `_dmarc.<domain>`, else `_dmarc.<organisational domain>`.
    func dmarcLookup(_ domain: String) async throws(DNSError) -> DMARCLookup {
        let own = "_dmarc.\(domain)"
        let records = try await lookup.lookup(own, .txt).texts.filter(DMARCRecord.isDMARC)
        let organisationalDomain = organisational.of(domain)
        guard records.isEmpty, organisationalDomain != domain else {
            return DMARCLookup(location: own, records: records, inherited: false)
        }
        let parent = "_dmarc.\(organisationalDomain)"
        let inherited = try await lookup.lookup(parent, .txt).texts.filter(DMARCRecord.isDMARC)
        if inherited.isEmpty { return DMARCLookup(location: own, records: [], inherited: false) }
        return DMARCLookup(location: parent, records: inherited, inherited: true)
    }

    func policyCheck(_ record: DMARCRecord, inherited: Bool, location: String, domain: String) -> CheckResult {
        let id = "dmarc.policy"
        // A subdomain inheriting the organisational record gets sp= when present (RFC 7489 §6.3).
        let applied = inherited ? (record.subdomainPolicy ?? record.policy) : record.policy
        let tag = inherited && record.subdomainPolicy != nil ? "sp" : "p"
        guard let applied else {
            return CheckResult(
                id: id, status: .fail, found: record.text, message: "no valid p= policy",
                fix: Fix.txt(location, Self.repaired(record, domain: domain)))
        }
        switch applied {
        case .none:
            return CheckResult(
                id: id, status: .warn, found: record.text,
                message: "\(tag)=none: monitoring only, receivers take no action on failing mail (meets the Gmail/Yahoo bulk-sender minimum)",
                fix: Fix.txt(location, Self.replacing(tag, with: "quarantine", in: record)))
        case .quarantine, .reject:
            if record.percentage < 100 {
                return CheckResult(
                    id: id, status: .warn, found: record.text,
                    message: "\(tag)=\(applied.rawValue) applies to only \(record.percentage)% of failing mail",
                    fix: Fix.txt(location, Self.replacing("pct", with: "100", in: record)))
            }
            return CheckResult(id: id, status: .pass, found: record.text, message: "\(tag)=\(applied.rawValue)")
        }
    }

    /// rua present with a mailto: URI; mailto: destinations outside the organisational domain must authorise
    /// us with `<domain>._report._dmarc.<destination>` (RFC 7489 §7.1).
    func ruaCheck(_ record: DMARCRecord, location: String, domain: String) async -> CheckResult {
        let id = "dmarc.rua"
        guard !record.aggregateReportURIs.isEmpty else {
            return CheckResult(
                id: id, status: .warn, found: record.text,
                message: "no rua=: you get no aggregate reports showing who sends as \(domain)",
                fix: Fix.txt(location, Self.replacing("rua", with: "mailto:dmarc-reports@\(domain)", in: record)))
        }
        guard record.aggregateReportURIs.contains(where: DMARCRecord.isMailto) else {
            // RFC 7489 §6.4 allows any URI, but receivers send aggregate reports by email only.
            let uris = ["mailto:dmarc-reports@\(domain)"] + record.aggregateReportURIs
            return CheckResult(
                id: id, status: .warn, found: record.text,
                message: "rua= has no mailto: URI: receivers send aggregate reports by email only, so none will arrive",
                fix: Fix.txt(location, Self.replacing("rua", with: uris.joined(separator: ","), in: record)))
        }
        let policyDomain = String(location.dropFirst("_dmarc.".count))
        for uri in record.aggregateReportURIs {
            guard let destination = DMARCRecord.domain(ofReportURI: uri),
                organisational.of(destination) != organisational.of(policyDomain)
            else { continue }
            let authorisation = "\(policyDomain)._report._dmarc.\(destination)"
            do {
                let texts = try await lookup.lookup(authorisation, .txt).texts
                if !texts.contains(where: DMARCRecord.isDMARC) {
                    return CheckResult(
                        id: id, status: .warn, found: record.text,
                        message: "\(destination) has not authorised reports for \(policyDomain): receivers will not send them",
                        fix: Fix.txt(authorisation, "v=DMARC1"))
                }
            } catch {
                return lookupFailure(id, error, found: record.text)
            }
        }
        return CheckResult(
            id: id, status: .pass, found: record.text,
            message: "aggregate reports go to \(record.aggregateReportURIs.joined(separator: ", "))")
    }

    /// The record with invalid tags dropped and p= defaulted, keeping valid tags in order.
    static func repaired(_ record: DMARCRecord, domain: String) -> String {
        let bad = Set(record.problems.map(\.tag))
        var parts = ["v=DMARC1"]
        var hasPolicy = false
        for piece in record.text.split(separator: ";").map(\.trimmed) where !piece.isEmpty {
            let name = piece.split(separator: "=", maxSplits: 1).first.map { $0.trimmed.lowercased() } ?? ""
            if name == "rua" || name == "ruf", bad.contains(name) {
                // The usual mistake is a bare address: add the scheme rather than drop the reports.
                let value = piece.split(separator: "=", maxSplits: 1).last.map(\.trimmed) ?? ""
                let uris = value.split(separator: ",").map(\.trimmed).map { $0.contains(":") ? $0 : "mailto:" + $0 }
                if uris.allSatisfy(DMARCRecord.isValidReportURI) { parts.append("\(name)=\(uris.joined(separator: ","))") }
                continue
            }
            if name == "v" || bad.contains(name) || bad.contains(piece) { continue }
            if name == "p" { hasPolicy = true }
            parts.append(piece)
        }
        if !hasPolicy { parts.insert("p=none", at: 1) }
        return parts.joined(separator: "; ")
    }

    /// The record with `tag` set to `value` (added at the end when absent).
    static func replacing(_ tag: String, with value: String, in record: DMARCRecord) -> String {
        var replaced = false
        var parts: [String] = []
        for piece in record.text.split(separator: ";").map(\.trimmed) where !piece.isEmpty {
            let name = piece.split(separator: "=", maxSplits: 1).first.map { $0.trimmed.lowercased() } ?? ""
            if name == tag {
                parts.append("\(tag)=\(value)")
                replaced = true
            } else {
                parts.append(piece)
            }
        }
        if !replaced { parts.append("\(tag)=\(value)") }
        return parts.joined(separator: "; ")
    }
}
