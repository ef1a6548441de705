import SluiceAWS
import SluiceCore
import SluiceDNS

/// What a `GetEmailIdentity` outcome adds to a DNS check: the Easy DKIM tokens to check, the note for the
/// `dkim` warning when there are none, the `ses.identity` / `ses.dkim` checks and the report's `ses` member.
///
/// Pure (no I/O), so every answer SES can give is testable without SES. Nothing here is ever `fail` or
/// `error`: SES's opinion is advice, and only DNS results decide the exit code.
struct SESIdentityFindings: Sendable, Equatable {
    /// The result of asking SES (or why it was not asked).
    enum Outcome: Sendable {
        case answered(SESEmailIdentity)
        case failed(SESError)
        case skipped(String)
    }

    /// Tokens for the `dkim.<token>` checks (empty: none known).
    var tokens: [String] = []
    /// Replaces the advice of the `dkim` warning when `tokens` is empty; nil keeps the default advice.
    var noTokensNote: String?
    /// `ses.identity` and `ses.dkim`, appended after the DNS checks.
    var checks: [CheckResult] = []
    var report: SESIdentityReport

    /// - Parameters:
    ///   - domain: the checked name (A-label), as SES was asked for it.
    ///   - region: the region SES was asked in.
    init(domain: String, region: String, outcome: Outcome) {
        switch outcome {
        case .skipped(let reason):
            report = .skipped(reason)
        case .failed(let error) where Self.isNotFound(error):
            report = SESIdentityReport(lookup: .notFound, reason: "SES has no identity \(domain) in \(region)", region: region)
            noTokensNote = "no Easy DKIM tokens given, and \(domain) is not an SES identity in \(region): DKIM not checked"
            checks = [
                CheckResult(
                    id: "ses.identity", status: .warn,
                    message: "\(domain) is not an SES identity in \(region) (GetEmailIdentity: NotFoundException): "
                        + "create it in SES to get its Easy DKIM tokens, or check the region")
            ]
        case .failed(let error):
            let why = Self.describe(error)
            report = SESIdentityReport(lookup: .failed, reason: why, region: region)
            noTokensNote = "no Easy DKIM tokens given and none fetched from SES (see ses.identity): DKIM not checked"
            checks = [
                CheckResult(
                    id: "ses.identity", status: .warn,
                    message: "SES GetEmailIdentity failed (\(why)): DKIM tokens not fetched; pass --dkim-token (dkim_token= on the API) or try again")
            ]
        case .answered(let identity):
            report = SESIdentityReport(
                lookup: .ok, region: region, identityType: identity.identityType,
                verifiedForSending: identity.verifiedForSending, dkimOrigin: identity.dkim?.origin,
                dkimStatus: identity.dkim?.status, dkimTokens: identity.dkim?.tokens ?? [])
            checks = [Self.identityCheck(identity, domain: domain, region: region), Self.dkimCheck(identity.dkim)]
            if let dkim = identity.dkim, dkim.isEasyDKIM {
                tokens = dkim.tokens
                if tokens.isEmpty {
                    noTokensNote = "SES returned no Easy DKIM tokens for \(domain) (DKIM status \(dkim.status ?? "unknown")): DKIM not checked"
                }
            } else if let dkim = identity.dkim, dkim.origin == "EXTERNAL" {
                // BYODKIM: the key sits under a selector the owner chose; SES knows no CNAME tokens for it.
                noTokensNote = "the SES identity uses BYODKIM (DKIM origin EXTERNAL): there are no Easy DKIM CNAMEs to check; see ses.dkim for SES's view"
            } else {
                noTokensNote = "SES gave no Easy DKIM tokens for \(domain) (DKIM origin \(identity.dkim?.origin ?? "not given")): DKIM not checked"
            }
            report.tokensUsed = !tokens.isEmpty
        }
    }

    /// 404 `NotFoundException`: the account has no such identity in the region (a normal answer, not a fault).
    static func isNotFound(_ error: SESError) -> Bool {
        error.code == .service && (error.awsErrorType == "NotFoundException" || (error.awsErrorType == nil && error.httpStatus == 404))
    }

    /// What went wrong, for the report. SES's own message text is left out: it can name the caller's IAM
    /// principal and account; the status and error type say enough.
    static func describe(_ error: SESError) -> String {
        switch error.code {
        case .service:
            let type = error.awsErrorType.map { " \($0)" } ?? ""
            let throttled = error.httpStatus == 429 || error.retry == .throttled ? " (throttled)" : ""
            return "SES answered HTTP \(error.httpStatus.map(String.init) ?? "?")\(type)\(throttled)"
        case .network: return "no answer from SES: \(error.message)"
        case .credentials: return "no usable AWS credentials: \(error.message)"
        case .invalidResponse: return "unusable answer: \(error.message)"
        case .cancelled: return "cancelled"
        default: return error.message
        }
    }

    static func identityCheck(_ identity: SESEmailIdentity, domain: String, region: String) -> CheckResult {
        let id = "ses.identity"
        let kind = identity.identityType.map { " (\($0))" } ?? ""
        switch identity.verifiedForSending {
        case true?:
            return CheckResult(id: id, status: .pass, message: "\(domain) is an SES identity in \(region)\(kind), verified for sending")
        case false?:
            return CheckResult(
                id: id, status: .warn,
                message: "\(domain) is an SES identity in \(region)\(kind) but not verified for sending yet: SES verifies a domain once it finds its DKIM records")
        case nil:
            return CheckResult(id: id, status: .warn, message: "\(domain) is an SES identity in \(region)\(kind); SES did not say whether it is verified for sending")
        }
    }

    static func dkimCheck(_ dkim: SESEmailIdentity.DKIM?) -> CheckResult {
        let id = "ses.dkim"
        guard let dkim else { return CheckResult(id: id, status: .warn, message: "SES returned no DkimAttributes for the identity") }
        let origin: String
        if dkim.isEasyDKIM {
            origin = "Easy DKIM"
        } else if dkim.origin == "EXTERNAL" {
            origin = "BYODKIM (EXTERNAL): no Easy DKIM CNAMEs exist for it"
        } else {
            origin = "DKIM origin \(dkim.origin ?? "not given")"
        }
        let status = dkim.status ?? "not given"
        // Status meanings: docs.aws.amazon.com/ses/latest/APIReference-V2/API_DkimAttributes.html
        switch dkim.status {
        case "SUCCESS":
            return CheckResult(id: id, status: .pass, message: "\(origin); SES found the DKIM records (status SUCCESS)")
        case "PENDING":
            return CheckResult(id: id, status: .warn, message: "\(origin); SES has not found the DKIM records yet (status PENDING; it keeps looking for up to 72 h)")
        case "FAILED":
            return CheckResult(id: id, status: .warn, message: "\(origin); SES could not find the DKIM records (status FAILED): publish them, then restart verification in SES")
        case "TEMPORARY_FAILURE":
            return CheckResult(id: id, status: .warn, message: "\(origin); SES could not check the DKIM records for now (status TEMPORARY_FAILURE); it tries again")
        case "NOT_STARTED":
            return CheckResult(id: id, status: .warn, message: "\(origin); SES has not started DKIM verification (status NOT_STARTED)")
        default:
            return CheckResult(id: id, status: .warn, message: "\(origin); SES DKIM status \(status)")
        }
    }
}
