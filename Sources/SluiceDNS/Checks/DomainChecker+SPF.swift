extension DomainChecker {
    /// spf.record, spf.lookup_limit, spf.all on the From domain, and spf.ses_authorized.
    func spfChecks(_ context: Context) async -> [CheckResult] {
        let domain = context.domain
        let evaluator = SPFEvaluator(lookup: lookup)
        var checks: [CheckResult] = []
        let fetched: [String]
        do {
            fetched = try await evaluator.records(at: domain).spf
        } catch {
            checks.append(lookupFailure("spf.record", error))
            checks.append(await sesAuthorized(context, evaluator: evaluator))
            return checks
        }
        let (recordCheck, parsed) = Self.recordCheck(id: "spf.record", fetched, at: domain)
        guard let parsed else {
            checks.append(recordCheck)
            checks.append(await sesAuthorized(context, evaluator: evaluator))
            return checks
        }
        let evaluation = await evaluator.evaluate(parsed, at: domain)
        if !evaluation.problems.isEmpty {
            checks.append(
                CheckResult(
                    id: "spf.record", status: .fail, found: parsed.text,
                    message: "the record evaluates to permerror: " + evaluation.problems.joined(separator: "; ")))
        } else {
            checks.append(recordCheck)
        }
        checks.append(Self.lookupLimitCheck(id: "spf.lookup_limit", evaluation, record: parsed))
        checks.append(Self.allCheck(evaluation, record: parsed, at: domain))
        checks.append(await sesAuthorized(context, evaluator: evaluator))
        return checks
    }

    /// "Exactly one syntactically valid v=spf1 record"; returns the parsed record when there is one.
    static func recordCheck(id: String, _ records: [String], at name: String) -> (CheckResult, SPFRecord?) {
        guard !records.isEmpty else {
            return (
                CheckResult(
                    id: id, status: .fail, message: "no SPF record (TXT \"v=spf1 ...\") at \(name)",
                    fix: Fix.txt(name, Fix.defaultSPF)), nil
            )
        }
        guard records.count == 1 else {
            return (
                CheckResult(
                    id: id, status: .fail, found: records.joined(separator: " | "),
                    message: "\(records.count) SPF records at \(name): receivers return permerror; merge them into one",
                    fix: Fix.txt(name, merged(records))), nil
            )
        }
        do {
            let record = try SPFRecord(parsing: records[0])
            return (CheckResult(id: id, status: .pass, found: records[0], message: "one valid SPF record at \(name)"), record)
        } catch {
            let repaired = records[0].split(separator: " ").filter { $0 != Substring(error.term) }.joined(separator: " ")
            return (
                CheckResult(
                    id: id, status: .fail, found: records[0], message: "\(error.description) (receivers return permerror)",
                    fix: Fix.txt(name, repaired)), nil
            )
        }
    }

    static func lookupLimitCheck(id: String, _ evaluation: SPFEvaluation, record: SPFRecord) -> CheckResult {
        if let error = evaluation.temporaryError { return lookupFailure(id, error, found: record.text) }
        let counts = "DNS lookups \(evaluation.lookupCount) of 10, void lookups \(evaluation.voidLookupCount) of 2"
        if evaluation.exceedsLookupLimit {
            return CheckResult(
                id: id, status: .fail, found: record.text,
                message: "more than \(SPFEvaluation.lookupLimit) DNS lookups (limit crossed at \(evaluation.limitExceededAt ?? "?")): receivers return permerror",
                fix: "remove unused include:/a/mx/ptr/exists terms or replace them with ip4:/ip6: ranges until at most 10 lookups remain")
        }
        if evaluation.exceedsVoidLimit {
            return CheckResult(
                id: id, status: .fail, found: record.text,
                message: "\(counts): more than \(SPFEvaluation.voidLookupLimit) void lookups (NXDOMAIN/no data): receivers return permerror",
                fix: "remove the terms that point at names without records")
        }
        return CheckResult(id: id, status: .pass, found: record.text, message: counts)
    }

    static func allCheck(_ evaluation: SPFEvaluation, record: SPFRecord, at name: String) -> CheckResult {
        let id = "spf.all"
        if let error = evaluation.temporaryError, evaluation.effectiveAll == nil, record.redirect != nil {
            // The all in effect lives behind a redirect that could not be read.
            return lookupFailure(id, error, found: record.text)
        }
        // The all in effect may sit in a redirect target (or its target...): the fix goes on that record.
        let source = evaluation.effectiveAllSource ?? SPFEvaluation.AllSource(domain: name, record: record.text)
        let origin = source.domain == name ? "" : " (in \(source.domain), reached through redirect=)"
        switch evaluation.effectiveAll {
        case .fail?, .softfail?:
            let term = evaluation.effectiveAll == .fail ? "-all" : "~all"
            if !record.deadTerms.isEmpty {
                // RFC 7208 §5.1: receivers stop at all; what follows only misleads whoever edits the record.
                let terms = record.text.split(separator: " ").map(String.init)
                let all = terms.firstIndex { ["all", "+all", "-all", "~all", "?all"].contains($0.lowercased()) } ?? terms.count - 1
                // Modifiers (exp=) after all still apply; only mechanisms are dropped.
                let live = terms[...all] + terms[(all + 1)...].filter { SPFRecord.isModifier($0) }
                return CheckResult(
                    id: id, status: .warn, found: record.text,
                    message: "ends with \(term), but \(record.deadTerms.joined(separator: " ")) after it are never tested",
                    fix: Fix.txt(name, live.joined(separator: " ")))
            }
            return CheckResult(id: id, status: .pass, found: record.text, message: "ends with \(term)\(origin): other senders fail SPF")
        case let qualifier?:
            let term = qualifier == .pass ? "+all" : "?all"
            let fixed = source.record.split(separator: " ").map { term in
                term.lowercased().hasSuffix("all") && term.count <= 4 ? "~all" : String(term)
            }.joined(separator: " ")
            return CheckResult(
                id: id, status: .fail, found: record.text,
                message: "\(term)\(origin) lets any host pass or stay neutral: SPF protects nothing",
                fix: Fix.txt(source.domain, fixed))
        case nil:
            return CheckResult(
                id: id, status: .warn, found: record.text,
                message: "no all mechanism: mail from unlisted hosts gets neutral",
                fix: record.redirect == nil ? Fix.txt(name, record.text + " ~all") : nil)
        }
    }

    /// Whether SES's MAIL FROM passes SPF and with which alignment.
    func sesAuthorized(_ context: Context, evaluator: SPFEvaluator) async -> CheckResult {
        let id = "spf.ses_authorized"
        guard let mailFrom = context.mailFrom else {
            return CheckResult(
                id: id, status: .warn,
                message: "no custom MAIL FROM: SES uses an amazonses.com MAIL FROM, which passes SPF but is not aligned with \(context.domain), so DMARC relies on DKIM alone",
                fix: "set a custom MAIL FROM (e.g. mail.\(context.domain)) and publish \(Fix.mx("mail.\(context.domain)", context.mailFromMX)) and \(Fix.txt("mail.\(context.domain)", Fix.defaultSPF))"
            )
        }
        let result = await mailFromSPF(mailFrom, evaluator: evaluator)
        switch result {
        case .temporary(let error):
            return lookupFailure(id, error)
        case .invalid(_, let record):
            return CheckResult(
                id: id, status: .fail, found: record,
                message: "the MAIL FROM domain \(mailFrom) has no usable SPF record, so SES mail fails SPF",
                fix: Fix.txt(mailFrom, Fix.defaultSPF))
        case .valid(let record, let evaluation):
            if evaluation.authorizesAmazonSES {
                return CheckResult(
                    id: id, status: .pass, found: record.text,
                    message: "\(mailFrom) authorises SES (include:amazonses.com) and SPF is aligned with the MAIL FROM")
            }
            return CheckResult(
                id: id, status: .fail, found: record.text,
                message: "\(Self.sesNotAuthorized(mailFrom, evaluation)), so SES mail fails SPF",
                fix: Fix.txt(mailFrom, Self.addingSESInclude(to: record.text)))
        }
    }

    /// The SPF state of the MAIL FROM domain, shared by spf.ses_authorized and mailfrom.spf.
    enum MailFromSPF: Sendable {
        case temporary(DNSError)
        case invalid(CheckResult, record: String?)
        case valid(SPFRecord, SPFEvaluation)
    }

    func mailFromSPF(_ mailFrom: String, evaluator: SPFEvaluator) async -> MailFromSPF {
        let fetched: [String]
        do {
            fetched = try await evaluator.records(at: mailFrom).spf
        } catch {
            return .temporary(error)
        }
        let (check, parsed) = Self.recordCheck(id: "mailfrom.spf", fetched, at: mailFrom)
        guard let parsed else { return .invalid(check, record: fetched.first) }
        let evaluation = await evaluator.evaluate(parsed, at: mailFrom)
        if let error = evaluation.temporaryError { return .temporary(error) }
        if evaluation.isPermError {
            let limit = Self.lookupLimitCheck(id: "mailfrom.spf", evaluation, record: parsed)
            let message = evaluation.problems.isEmpty ? limit.message : "permerror: " + evaluation.problems.joined(separator: "; ")
            return .invalid(
                CheckResult(id: "mailfrom.spf", status: .fail, found: parsed.text, message: message, fix: limit.fix),
                record: parsed.text)
        }
        return .valid(parsed, evaluation)
    }

    /// Why `evaluation` does not authorise SES: no include of amazonses.com, or one without the pass qualifier.
    static func sesNotAuthorized(_ mailFrom: String, _ evaluation: SPFEvaluation) -> String {
        guard let include = evaluation.nonPassingSESInclude else { return "\(mailFrom) SPF does not include amazonses.com" }
        return "\(mailFrom) SPF reaches amazonses.com only through \(include), which does not give SES mail a pass"
    }

    /// `v=spf1 include:amazonses.com <rest>`; a `~`/`-`/`?include:amazonses.com` already there loses its qualifier
    /// instead (a second include would cost a lookup).
    static func addingSESInclude(to record: String) -> String {
        var terms = record.split(separator: " ").map(String.init)
        let qualified = ["~", "-", "?"].map { "\($0)include:\(SPFEvaluator.amazonSESDomain)" }
        if let index = terms.firstIndex(where: { qualified.contains(DNSName.normalized($0)) }) {
            terms[index] = "include:\(SPFEvaluator.amazonSESDomain)"
        } else {
            terms.insert("include:\(SPFEvaluator.amazonSESDomain)", at: min(1, terms.count))
        }
        return terms.joined(separator: " ")
    }

    /// One record from several: the union of their terms, `all` last.
    static func merged(_ records: [String]) -> String {
        var terms: [String] = []
        var all: String?
        for record in records {
            for term in record.split(separator: " ").dropFirst().map(String.init) {
                if term.lowercased().hasSuffix("all") && term.count <= 4 {
                    all = all ?? term
                } else if !terms.contains(term) {
                    terms.append(term)
                }
            }
        }
        if !terms.contains(where: { $0.lowercased() == "include:amazonses.com" }) { terms.insert("include:amazonses.com", at: 0) }
        return (["v=spf1"] + terms + [all ?? "~all"]).joined(separator: " ")
    }

    func lookupFailure(_ id: String, _ error: DNSError, found: String? = nil) -> CheckResult {
        Self.lookupFailure(id, error, found: found)
    }

    /// A check whose lookup failed: an error (no verdict) when asking again may help; a failure when the
    /// name cannot be asked at all (over 255 bytes on the wire once a prefix such as `_dmarc.` is added).
    static func lookupFailure(_ id: String, _ error: DNSError, found: String? = nil) -> CheckResult {
        if error.code == .invalidName {
            return CheckResult(id: id, status: .fail, found: found, message: "the name to look up is not a valid DNS name: \(error.message)")
        }
        if error.isTemporary {
            return CheckResult(id: id, status: .error, found: found, message: "temporary DNS error, try again later: \(error.message)")
        }
        return CheckResult(id: id, status: .error, found: found, message: "DNS error: \(error.message)")
    }
}
