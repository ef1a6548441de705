extension DomainChecker {
    /// dkim.<token>: `<token>._domainkey.<domain>` must be a CNAME to `<token>.dkim.amazonses.com`.
    func dkimChecks(_ context: Context) async -> [CheckResult] {
        guard !context.dkimTokens.isEmpty else {
            return [
                CheckResult(
                    id: "dkim", status: .warn,
                    message: context.noTokensNote
                        ?? "no Easy DKIM tokens given: DKIM not checked (get them from SES GetEmailIdentity DkimAttributes.Tokens)")
            ]
        }
        return await withTaskGroup(of: (Int, CheckResult).self) { group in
            for (index, token) in context.dkimTokens.enumerated() {
                group.addTask { (index, await dkimCheck(token: token, domain: context.domain)) }
            }
            var results: [(Int, CheckResult)] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    func dkimCheck(token rawToken: String, domain: String) async -> CheckResult {
        let token = rawToken.trimmed.lowercased()
        let id = "dkim.\(token)"
        guard !token.isEmpty, token.count <= 63, token.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        else {
            return CheckResult(id: id, status: .fail, message: "'\(rawToken)' is not a valid DKIM token")
        }
        let name = "\(token)._domainkey.\(domain)"
        let expected = "\(token).dkim.amazonses.com"
        let fix = Fix.cname(name, expected)
        let result: DNSLookupResult
        do {
            result = try await lookup.lookup(name, .cname)
        } catch {
            return lookupFailure(id, error)
        }
        guard result.status == .found, case .cname(let rawTarget)? = result.records.first else {
            let why = result.status == .nxdomain ? "does not exist" : "has no CNAME record"
            return CheckResult(id: id, status: .fail, message: "\(name) \(why)", fix: fix)
        }
        let target = DNSName.normalized(rawTarget)
        if target == expected {
            return CheckResult(id: id, status: .pass, found: target, message: "\(name) is a CNAME to \(expected)")
        }
        // DNS web UIs often append the zone to a name entered with its own domain.
        let hint = target == "\(expected).\(domain)" ? " (your DNS provider appended the zone: enter the target with a trailing dot)" : ""
        return CheckResult(
            id: id, status: .fail, found: target,
            message: "\(name) points at \(target), expected \(expected)\(hint)", fix: fix)
    }
}
