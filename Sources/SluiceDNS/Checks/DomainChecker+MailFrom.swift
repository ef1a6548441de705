import SluiceCore

extension DomainChecker {
    /// mailfrom.mx and mailfrom.spf for a custom MAIL FROM domain; nothing without one.
    func mailFromChecks(_ context: Context) async -> [CheckResult] {
        guard let mailFrom = context.mailFrom else { return [] }
        async let mx = mailFromMXCheck(mailFrom, context: context)
        async let spf = mailFromSPFCheck(mailFrom)
        return [await mx, await spf]
    }

    func mailFromMXCheck(_ mailFrom: String, context: Context) async -> CheckResult {
        let id = "mailfrom.mx"
        let expected = context.mailFromMX
        let fix = Fix.mx(mailFrom, expected)
        guard AWSRegionName.isValid(context.region) else {
            return CheckResult(
                id: id, status: .fail, message: "'\(context.region)' is not an AWS region name (e.g. eu-west-1): cannot tell the expected MX")
        }
        let result: DNSLookupResult
        do {
            result = try await lookup.lookup(mailFrom, .mx)
        } catch {
            return lookupFailure(id, error)
        }
        let records: [(UInt16, String)] = result.records.compactMap {
            if case .mx(let preference, let exchange) = $0 { return (preference, DNSName.normalized(exchange)) }
            return nil
        }
        guard !records.isEmpty else {
            return CheckResult(
                id: id, status: .fail,
                message: "\(mailFrom) has no MX record: SES cannot use it as MAIL FROM (bounces need it)", fix: fix)
        }
        let found = records.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
        if records.count == 1, records[0].0 == 10, records[0].1 == expected {
            return CheckResult(id: id, status: .pass, found: found, message: "\(mailFrom) MX is 10 \(expected)")
        }
        let message: String
        if records.count > 1 {
            message = "\(mailFrom) has \(records.count) MX records; SES needs exactly one: 10 \(expected)"
        } else if records[0].1 == expected {
            message = "\(mailFrom) MX has preference \(records[0].0); SES expects 10"
        } else {
            message = "\(mailFrom) MX points at \(records[0].1), expected \(expected) (region \(context.region))"
        }
        return CheckResult(id: id, status: .fail, found: found, message: message, fix: fix)
    }

    func mailFromSPFCheck(_ mailFrom: String) async -> CheckResult {
        let id = "mailfrom.spf"
        switch await mailFromSPF(mailFrom, evaluator: SPFEvaluator(lookup: lookup)) {
        case .temporary(let error):
            return lookupFailure(id, error)
        case .invalid(let check, _):
            return check
        case .valid(let record, let evaluation):
            guard evaluation.authorizesAmazonSES else {
                return CheckResult(
                    id: id, status: .fail, found: record.text, message: Self.sesNotAuthorized(mailFrom, evaluation),
                    fix: Fix.txt(mailFrom, Self.addingSESInclude(to: record.text)))
            }
            return CheckResult(
                id: id, status: .pass, found: record.text,
                message: "\(mailFrom) SPF includes amazonses.com (\(evaluation.lookupCount) DNS lookups)")
        }
    }
}
