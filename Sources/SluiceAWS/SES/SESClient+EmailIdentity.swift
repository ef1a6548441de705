import SluiceCore

extension SESClient {
    /// `GetEmailIdentity` (`GET /v2/email/identities/{EmailIdentity}`): verification and DKIM state of one
    /// identity. SES answers 404 `NotFoundException` when the account has no such identity in this region.
    /// - Parameter identity: a domain (A-label) or an address; percent-encoded here as one path segment.
    public func getEmailIdentity(_ identity: String) async throws(SESError) -> SESEmailIdentity {
        let response = try await perform(
            operation: "GetEmailIdentity", method: "GET", path: "/v2/email/identities/" + SigV4Encoding.uriEncode(identity))
        return try SESEmailIdentity.decode(response.body)
    }
}
