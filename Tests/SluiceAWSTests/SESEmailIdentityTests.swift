import Testing
@testable import SluiceAWS

/// `SESEmailIdentity.decode`: the GetEmailIdentity body, without sockets.
struct SESEmailIdentityTests {
    /// The shape of a real Easy DKIM answer (docs.aws.amazon.com/ses/latest/APIReference-V2/API_GetEmailIdentity.html).
    static let easyDKIM = """
        {"IdentityType":"DOMAIN","FeedbackForwardingStatus":true,"VerifiedForSendingStatus":true,
         "DkimAttributes":{"SigningEnabled":true,"Status":"SUCCESS",
           "Tokens":["4p4ve6dnbh2bmyxkyd3r7vbxtj6rfpxa","kqf2cr33eirbmsnuwdtjnlouyfxv2xjc","cbvi5n6hdbjyvaqu3luwfxnpwrvsleiw"],
           "SigningAttributesOrigin":"AWS_SES","NextSigningKeyLength":"RSA_2048_BIT","CurrentSigningKeyLength":"RSA_2048_BIT",
           "LastKeyGenerationTimestamp":1.7e9},
         "MailFromAttributes":{"MailFromDomain":"mail.example.com","MailFromDomainStatus":"SUCCESS","BehaviorOnMxFailure":"USE_DEFAULT_VALUE"},
         "Policies":{},"Tags":[],"VerificationStatus":"SUCCESS","VerificationInfo":{}}
        """

    static func decode(_ text: String) throws(SESError) -> SESEmailIdentity {
        try SESEmailIdentity.decode(Array(text.utf8))
    }

    @Test func easyDKIMAnswerGivesTokensStatusAndVerification() throws {
        let identity = try Self.decode(Self.easyDKIM)
        #expect(identity.identityType == "DOMAIN")
        #expect(identity.verifiedForSending == true)
        let dkim = try #require(identity.dkim)
        #expect(dkim.origin == "AWS_SES")
        #expect(dkim.isEasyDKIM)
        #expect(dkim.status == "SUCCESS")
        #expect(dkim.signingEnabled == true)
        #expect(dkim.tokens == ["4p4ve6dnbh2bmyxkyd3r7vbxtj6rfpxa", "kqf2cr33eirbmsnuwdtjnlouyfxv2xjc", "cbvi5n6hdbjyvaqu3luwfxnpwrvsleiw"])
    }

    @Test func byodkimAnswerHasNoTokens() throws {
        let identity = try Self.decode("""
            {"IdentityType":"DOMAIN","VerifiedForSendingStatus":false,
             "DkimAttributes":{"SigningEnabled":true,"Status":"PENDING","SigningAttributesOrigin":"EXTERNAL"}}
            """)
        let dkim = try #require(identity.dkim)
        #expect(dkim.origin == "EXTERNAL")
        #expect(!dkim.isEasyDKIM)
        #expect(dkim.status == "PENDING")
        #expect(dkim.tokens.isEmpty)
        #expect(identity.verifiedForSending == false)
    }

    /// Deterministic Easy DKIM copies another region's keys; its CNAMEs have the Easy DKIM form.
    @Test func regionalEasyDKIMOriginCountsAsEasyDKIM() throws {
        let identity = try Self.decode(#"{"DkimAttributes":{"SigningAttributesOrigin":"AWS_SES_EU_WEST_1","Tokens":["abc"]}}"#)
        #expect(identity.dkim?.isEasyDKIM == true)
        #expect(identity.dkim?.tokens == ["abc"])
    }

    @Test(arguments: [
        (#"{"IdentityType":"DOMAIN"}"#, false),
        (#"{"IdentityType":"DOMAIN","DkimAttributes":null,"VerifiedForSendingStatus":null}"#, false),
        (#"{"IdentityType":"DOMAIN","DkimAttributes":{}}"#, true),
        (#"{"Unknown":{"nested":[1,2]}}"#, false),
    ])
    func missingMembersStayNil(json: String, hasDKIM: Bool) throws {
        let identity = try Self.decode(json)
        #expect(identity.verifiedForSending == nil)
        #expect((identity.dkim != nil) == hasDKIM)
        #expect(identity.dkim?.origin == nil)
        #expect(identity.dkim?.status == nil)
        #expect(identity.dkim?.tokens ?? [] == [])
    }

    @Test(arguments: [
        "",
        "not json",
        "<ErrorResponse><Error><Code>x</Code></Error></ErrorResponse>",
        "[1,2,3]",
        "\"DOMAIN\"",
        "{\"IdentityType\":",
        "null",
    ])
    func garbageIsAnInvalidResponse(body: String) {
        let error = #expect(throws: SESError.self) { try Self.decode(body) }
        #expect(error?.code == .invalidResponse)
    }

    @Test(arguments: [
        (#"{"IdentityType":7}"#, "IdentityType"),
        (#"{"VerifiedForSendingStatus":"yes"}"#, "VerifiedForSendingStatus"),
        (#"{"DkimAttributes":"SUCCESS"}"#, "DkimAttributes"),
        (#"{"DkimAttributes":{"Tokens":"abc"}}"#, "Tokens"),
        (#"{"DkimAttributes":{"Tokens":["abc",7]}}"#, "Tokens"),
        (#"{"DkimAttributes":{"Status":["SUCCESS"]}}"#, "Status"),
        (#"{"DkimAttributes":{"SigningAttributesOrigin":{}}}"#, "SigningAttributesOrigin"),
    ])
    func wrongTypesAreInvalidResponsesNamingTheMember(json: String, member: String) {
        let error = #expect(throws: SESError.self) { try Self.decode(json) }
        #expect(error?.code == .invalidResponse)
        #expect(error?.message.contains(member) == true)
    }

    /// A token becomes a DNS label: anything else would make the check query a name SES never meant.
    @Test(arguments: ["", "a.b", "evil._domainkey.other.example", "tok en", "tök", String(repeating: "a", count: 64)])
    func tokenThatIsNotALabelIsRefusedWithoutEchoingIt(token: String) {
        let body = #"{"DkimAttributes":{"SigningAttributesOrigin":"AWS_SES","Tokens":["good1","\#(token)"]}}"#
        let error = #expect(throws: SESError.self) { try Self.decode(body) }
        #expect(error?.code == .invalidResponse)
        if !token.isEmpty { #expect(error?.message.contains(token) == false) }
    }

    @Test func moreTokensThanSESMakesIsRefused() {
        let tokens = (0..<11).map { "\"t\($0)\"" }.joined(separator: ",")
        let error = #expect(throws: SESError.self) { try Self.decode(#"{"DkimAttributes":{"Tokens":[\#(tokens)]}}"#) }
        #expect(error?.code == .invalidResponse)
    }
}
