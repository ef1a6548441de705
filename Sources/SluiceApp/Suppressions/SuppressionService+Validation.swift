import Foundation
import SluiceCore

extension SuppressionService {
    /// Normalises an address as written (display name and brackets allowed).
    public func address(_ raw: String) throws(SuppressionServiceError) -> NormalizedAddress {
        guard raw.utf8.count <= 512, let address = normalizer.normalize(raw), address.normalized.utf8.count <= 512 else {
            if raw.utf8.count <= 512, let scalar = AddressNormalizer.invisibleScalar(in: raw) {
                let hex = String(scalar.value, radix: 16, uppercase: true)
                let code = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
                throw SuppressionServiceError(.invalidAddress, "not a valid email address: it contains the invisible character \(code) (a control, format or space character)")
            }
            throw SuppressionServiceError(.invalidAddress, "not a valid email address (expected local@domain)")
        }
        return address
    }

    /// A reason's raw value; nil or empty means `manual`.
    public func reason(_ raw: String?) throws(SuppressionServiceError) -> SuppressionReason {
        guard let raw, !raw.isEmpty else { return .manual }
        // Fast path for the common exact spelling (imports call this per row).
        if let reason = SuppressionReason(rawValue: raw) { return reason }
        let text = raw.trimmingCharacters(in: .whitespaces).lowercased()
        if text.isEmpty { return .manual }
        guard let reason = SuppressionReason(rawValue: text) else {
            throw SuppressionServiceError(.invalidReason, "reason must be one of \(SuppressionReason.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return reason
    }

    /// An RFC 3339 expiry after `now`; nil or empty means never.
    public func expiry(_ raw: String?, now: Date) throws(SuppressionServiceError) -> Date? {
        guard let raw, !raw.isEmpty else { return nil }
        let text = raw.trimmingCharacters(in: .whitespaces)
        if text.isEmpty { return nil }
        guard let date = RFC3339.parse(text) else {
            throw SuppressionServiceError(.invalidExpiry, "expires_at must be an RFC 3339 date-time such as 2026-12-31T00:00:00Z")
        }
        guard date > now else { throw SuppressionServiceError(.invalidExpiry, "expires_at is in the past") }
        return date
    }

    /// An operator note of at most `maxDetailLength` characters (code points, as the API document's
    /// maxLength counts them); nil or empty means none.
    public func detail(_ raw: String?) throws(SuppressionServiceError) -> String? {
        guard let raw, !raw.isEmpty else { return nil }
        // utf8.count bounds the code-point count from above, so counting is only needed for long text.
        guard raw.utf8.count <= Self.maxDetailLength || raw.unicodeScalars.count <= Self.maxDetailLength else {
            throw SuppressionServiceError(.invalidDetail, "detail must be at most \(Self.maxDetailLength) characters")
        }
        // Line breaks and tabs are allowed: SES diagnostics carry them and CSV exports must import back.
        guard !raw.utf8.contains(where: { $0 < 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D || $0 == 0x7F }) else {
            throw SuppressionServiceError(.invalidDetail, "detail must not contain control characters")
        }
        return raw
    }

    /// A scope: "" (all mail), `list` or `list/topic`, printable without spaces.
    public func scope(_ raw: String?) throws(SuppressionServiceError) -> String {
        guard let raw, !raw.isEmpty else { return "" }
        let text = raw.trimmingCharacters(in: .whitespaces)
        guard text.utf8.count <= Self.maxScopeBytes else {
            throw SuppressionServiceError(.invalidScope, "scope must be at most \(Self.maxScopeBytes) bytes")
        }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        // Printable ASCII only (SES contact list and topic names are ASCII): no look-alike scopes,
        // and the OpenAPI pattern `^([!-.0-~]+(/[!-.0-~]+)?)?$` says exactly this.
        let printable = text.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
        guard text.isEmpty || (parts.count <= 2 && parts.allSatisfy { !$0.isEmpty } && printable) else {
            throw SuppressionServiceError(.invalidScope, "scope must be a contact list name or list/topic, printable ASCII without spaces")
        }
        return text
    }

    /// Refuses a scope with an SES removal: SES keeps one account-wide entry per address, so deleting it
    /// while removing only a list's row here would lift the address everywhere at SES and nowhere here.
    public func checkSESRemovalScope(_ raw: String?) throws(SuppressionServiceError) {
        guard try scope(raw).isEmpty else {
            throw SuppressionServiceError(.invalidScope, "the SES removal deletes the account-wide SES entry, so it cannot be combined with a scope: remove the scoped suppression without it, or the global one with it")
        }
    }

    /// A domain filter in the store's spelling (lower-case, IDNA).
    func domain(_ raw: String) throws(SuppressionServiceError) -> String {
        let text = raw.trimmingCharacters(in: .whitespaces)
        guard text.utf8.count <= 253, !text.contains("@"), let probe = normalizer.normalize("x@\(text)") else {
            throw SuppressionServiceError(.invalidQuery, "domain must be a domain name such as example.com")
        }
        return String(probe.domain)
    }

    /// A positive page size, capped at `max`.
    func limit(_ raw: String?, default fallback: Int, max: Int) throws(SuppressionServiceError) -> Int {
        guard let raw else { return fallback }
        // `?limit=` (given but empty) is refused like any other non-number, not read as the default.
        guard let value = Int(raw), value >= 1, value <= max else {
            throw SuppressionServiceError(.invalidQuery, "limit must be an integer from 1 to \(max)")
        }
        return value
    }
}
