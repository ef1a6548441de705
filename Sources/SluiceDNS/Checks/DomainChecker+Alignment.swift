extension DomainChecker {
    /// Whether Easy DKIM gives an aligned signature, as far as the dkim.<token> checks tell.
    enum DKIMAlignment: Sendable, Equatable {
        /// No tokens given: the CNAMEs were not looked at.
        case notChecked
        /// Every dkim.<token> check passed: SES signs with d=<domain>.
        case aligned
        /// A CNAME is missing or wrong: SES cannot sign with d=<domain>.
        case missing
        /// A CNAME could not be read (temporary DNS error).
        case unknown

        init(tokens: [String], results: [CheckResult]) {
            let dkim = results.filter { $0.id.hasPrefix("dkim.") }
            if tokens.isEmpty || dkim.isEmpty {
                self = .notChecked
            } else if dkim.allSatisfy({ $0.status == .pass }) {
                self = .aligned
            } else if dkim.contains(where: { $0.status == .fail }) {
                self = .missing
            } else {
                self = .unknown
            }
        }
    }

    /// Whether SES mail passes SPF with the custom MAIL FROM, as far as the mailfrom.mx and mailfrom.spf
    /// checks tell. Only then can SPF align: with a broken MX SES falls back to its amazonses.com MAIL FROM
    /// (or rejects the mail), and with a broken SPF record the MAIL FROM fails SPF.
    enum MailFromState: Sendable, Equatable {
        /// No custom MAIL FROM: SES uses amazonses.com.
        case sesDefault
        /// mailfrom.mx and mailfrom.spf passed: SES mail passes SPF for the custom MAIL FROM.
        case working
        /// A mailfrom check failed (or is missing).
        case broken
        /// A mailfrom check could not be made (temporary DNS error).
        case unknown

        init(mailFrom: String?, results: [CheckResult]) {
            guard mailFrom != nil else {
                self = .sesDefault
                return
            }
            let checks = ["mailfrom.mx", "mailfrom.spf"].map { id in results.first { $0.id == id } }
            if checks.allSatisfy({ $0?.status == .pass }) {
                self = .working
            } else if checks.contains(where: { $0 == nil || $0?.status == .fail || $0?.status == .warn }) {
                self = .broken
            } else {
                self = .unknown
            }
        }
    }

    /// dmarc.alignment: DKIM (d= the domain, Easy DKIM, only when its CNAMEs check out) and SPF (the custom
    /// MAIL FROM, only when its MX and SPF check out) identifiers vs the From domain.
    func alignmentCheck(_ context: Context, basis: AlignmentBasis, dkim: DKIMAlignment, mailFrom: MailFromState) -> CheckResult {
        let id = "dmarc.alignment"
        let record: DMARCRecord?
        switch basis {
        case .unreadable(let error): return lookupFailure(id, error)
        case .record(let found): record = found
        }
        let adkim = record?.dkimAlignment ?? .relaxed
        let aspf = record?.spfAlignment ?? .relaxed
        // Easy DKIM signs with d=<domain> itself, aligned in either mode.
        let dkimAligned = dkim == .aligned && organisational.aligned(context.domain, context.domain, mode: adkim)
        let customMailFrom = context.mailFrom ?? SPFEvaluator.amazonSESDomain
        let spfAligned = mailFrom == .working && organisational.aligned(customMailFrom, context.domain, mode: aspf)
        let modes = "adkim=\(adkim.rawValue), aspf=\(aspf.rawValue)"
        let dkimText: String
        switch dkim {
        case .aligned: dkimText = "DKIM d=\(context.domain) aligned"
        case .missing: dkimText = "Easy DKIM CNAMEs missing or wrong (no aligned DKIM)"
        case .notChecked: dkimText = "DKIM not checked"
        case .unknown: dkimText = "DKIM CNAMEs unreadable (temporary DNS error)"
        }
        let spfText: String
        switch mailFrom {
        case .sesDefault: spfText = "SPF MAIL FROM \(SPFEvaluator.amazonSESDomain) not aligned"
        case .working: spfText = "SPF MAIL FROM \(customMailFrom) \(spfAligned ? "aligned" : "not aligned")"
        case .broken: spfText = "custom MAIL FROM \(customMailFrom) fails mailfrom.mx or mailfrom.spf (no aligned SPF)"
        case .unknown: spfText = "custom MAIL FROM \(customMailFrom) unreadable (temporary DNS error)"
        }
        let summary = "\(dkimText); \(spfText) (\(modes))"
        if dkimAligned && spfAligned {
            return CheckResult(id: id, status: .pass, message: summary)
        }
        // A side that could not be read is unknown, not absent: no verdict on it. An error when the other
        // side gives no aligned identifier either (DMARC may fail or pass), else a warning.
        if mailFrom == .unknown {
            let status: CheckStatus = dkimAligned ? .warn : .error
            return CheckResult(id: id, status: status, message: "\(summary): try again later to check SPF alignment")
        }
        if dkim == .notChecked || dkim == .unknown {
            let advice =
                dkim == .notChecked
                ? "pass --dkim-token (dkim_token= on the API) with the identity's Easy DKIM tokens (SES GetEmailIdentity DkimAttributes.Tokens) to check DKIM alignment"
                : "try again later to check DKIM alignment"
            if !spfAligned && dkim == .unknown {
                return CheckResult(id: id, status: .error, message: "\(summary): \(advice)")
            }
            return CheckResult(id: id, status: .warn, message: "\(summary): \(advice)")
        }
        if dkimAligned || spfAligned {
            let advice: String
            if spfAligned {
                advice = "DMARC passes through SPF only; publish the Easy DKIM CNAMEs"
            } else if mailFrom == .working {
                advice = "aspf=s needs the MAIL FROM to equal \(context.domain): use aspf=r"
            } else if mailFrom == .broken {
                advice = "DMARC passes through DKIM only; fix the mailfrom.mx and mailfrom.spf failures for SPF alignment"
            } else {
                advice = "DMARC passes through DKIM only; a custom MAIL FROM adds SPF alignment"
            }
            return CheckResult(id: id, status: .warn, message: "\(summary): \(advice)")
        }
        let mailFromAdvice = mailFrom == .broken ? "fix the custom MAIL FROM" : "set a custom MAIL FROM"
        return CheckResult(
            id: id, status: .fail,
            message: "\(summary): DMARC fails for all SES mail; publish the Easy DKIM CNAMEs or \(mailFromAdvice)")
    }
}
