/// What walking an SPF record tree found: lookup counts, SES authorisation, permanent problems.
public struct SPFEvaluation: Sendable, Equatable {
    /// RFC 7208 §4.6.4: at most 10 mechanisms/modifiers that cause DNS lookups.
    public static let lookupLimit = 10
    /// RFC 7208 §4.6.4: at most 2 lookups returning NXDOMAIN or no answers.
    public static let voidLookupLimit = 2

    /// Lookup-causing terms seen (stops counting just past the limit).
    public var lookupCount = 0
    /// NXDOMAIN/NODATA answers to those lookups.
    public var voidLookupCount = 0
    /// `include:amazonses.com` reached, directly or through includes/redirects, with the pass qualifier on
    /// every include along the way (and no non-pass path to it tested first): SES mail passes SPF.
    public var authorizesAmazonSES = false
    /// When amazonses.com is reached only below an include without the pass qualifier (`~include:`,
    /// `-include:`, `?include:`): that include, as "term at domain". Nil otherwise.
    public var nonPassingSESInclude: String?
    /// Whether a path to amazonses.com already decided the top record's result for SES mail.
    var sesDecided = false
    /// Where an `all` mechanism is published.
    public struct AllSource: Sendable, Equatable {
        /// The domain whose record holds it.
        public var domain: String
        /// That record's text.
        public var record: String
    }

    /// The `all` qualifier in effect: the record's own, else its redirect target's, recursively.
    public var effectiveAll: SPFRecord.Qualifier?
    /// The record that `effectiveAll` comes from (a fix for it goes there).
    public var effectiveAllSource: AllSource?
    /// Permanent errors below the top record (nested syntax errors, include targets without SPF...).
    public var problems: [String] = []
    /// Set when a lookup failed temporarily: counts and verdicts are then incomplete.
    public var temporaryError: DNSError?
    /// The chain of domains where the lookup limit was crossed, for the message.
    public var limitExceededAt: String?

    public init() {}

    public var exceedsLookupLimit: Bool { lookupCount > SPFEvaluation.lookupLimit }
    public var exceedsVoidLimit: Bool { voidLookupCount > SPFEvaluation.voidLookupLimit }
    /// The record evaluates to permerror for every sender (RFC 7208 §2.6.7).
    public var isPermError: Bool { exceedsLookupLimit || exceedsVoidLimit || !problems.isEmpty }

    /// Compares everything; temporary errors only by presence (DNSError is not Equatable).
    public static func == (lhs: SPFEvaluation, rhs: SPFEvaluation) -> Bool {
        lhs.lookupCount == rhs.lookupCount && lhs.voidLookupCount == rhs.voidLookupCount
            && lhs.authorizesAmazonSES == rhs.authorizesAmazonSES && lhs.nonPassingSESInclude == rhs.nonPassingSESInclude
            && lhs.effectiveAll == rhs.effectiveAll && lhs.effectiveAllSource == rhs.effectiveAllSource
            && lhs.problems == rhs.problems && lhs.limitExceededAt == rhs.limitExceededAt
            && (lhs.temporaryError == nil) == (rhs.temporaryError == nil)
    }
}
