extension DNSResolver {
    /// Why a NOERROR answer without answer records says nothing about the name, or nil when it is a genuine
    /// NODATA. A stub resolver needs a recursive server's final word; two kinds of empty answer are not that:
    /// - a referral (RFC 2308 §2.2: NS records in the authority section and no SOA): the server sent us to
    ///   other servers instead of asking them;
    /// - an answer from a server that does not recurse (RA clear) and is not authoritative (AA clear): it
    ///   only told what it happens to hold.
    /// Taking either as NODATA would report a record as missing; they are server failures instead.
    static func unusableAnswerProblem(_ message: DNSMessage) -> String? {
        guard message.responseCode == .noError, message.answers.isEmpty else { return nil }
        // A truncated answer kept without its records (TCP fallback off) says nothing about the name.
        if message.isTruncated { return "answered truncated, without records" }
        let hasSOA = message.authority.contains { $0.type == .soa }
        if !hasSOA && message.authority.contains(where: { $0.type == .ns }) {
            return "answered with a referral instead of recursing"
        }
        // An authoritative answer is definitive for its zone even from a server that does not recurse.
        if !message.recursionAvailable && !message.isAuthoritative {
            return "answered without recursion (RA not set)"
        }
        return nil
    }
}
