import Foundation
import SluiceCore
import Testing

struct CredentialsTests {
    static let credentialsFile = """
        # shared credentials
        [default]
        aws_access_key_id = AKIDDEFAULT
        aws_secret_access_key = secretDefault/+=
        
        ; a comment
        [work]
        aws_access_key_id=AKIDWORK
        aws_secret_access_key=secretWork  # inline comment
        aws_session_token = tokenWork
        region = eu-west-1

        [  spaced  ]
          aws_access_key_id = AKIDSPACED
        Aws_Secret_Access_Key = secret#notacomment
        """

    static let configFile = """
        [default]
        region = us-east-1
        output = json

        [profile work]
        region = eu-central-1
        s3 =
          max_concurrent_requests = 20
          region = nested-should-be-ignored

        [profile cfgonly]
        aws_access_key_id = AKIDCFG
        aws_secret_access_key = secretCfg
        region = ap-southeast-2

        [profile web]
        role_arn = arn:aws:iam::123456789012:role/sluice
        web_identity_token_file = /var/run/secrets/token
        role_session_name = sluice-1

        [work]
        region = wrong-spelling-in-config
        """

    @Test(arguments: [
        ("default", "AKIDDEFAULT", "secretDefault/+=", nil, "us-east-1"),
        ("work", "AKIDWORK", "secretWork", "tokenWork", "eu-central-1"),
        ("spaced", "AKIDSPACED", "secret#notacomment", nil, nil),
        ("cfgonly", "AKIDCFG", "secretCfg", nil, "ap-southeast-2"),
    ] as [(String, String, String, String?, String?)])
    func resolvesProfiles(_ profile: String, _ keyId: String, _ secret: String, _ token: String?, _ region: String?) throws {
        let resolved = try AWSProfileResolver.resolve(
            profile: profile, credentialsFile: Self.credentialsFile, configFile: Self.configFile)
        #expect(resolved.credentials == AWSCredentials(accessKeyId: keyId, secretAccessKey: secret, sessionToken: token))
        #expect(resolved.region == region)
    }

    @Test func missingProfilesAndFiles() throws {
        #expect(try AWSProfileResolver.credentials(profile: "nope", credentialsFile: Self.credentialsFile, configFile: Self.configFile) == nil)
        #expect(try AWSProfileResolver.credentials(credentialsFile: nil, configFile: nil) == nil)
        // `[work]` in the config file is not the config spelling of profile "work"; `[profile default]` is accepted.
        let r = try AWSProfileResolver.resolve(profile: "default", credentialsFile: nil, configFile: "[profile default]\nregion=us-west-2\n")
        #expect(r.region == "us-west-2")
        #expect(r.credentials == nil)
    }

    @Test func webIdentitySettings() throws {
        let r = try AWSProfileResolver.resolve(profile: "web", credentialsFile: nil, configFile: Self.configFile)
        #expect(r.roleArn == "arn:aws:iam::123456789012:role/sluice")
        #expect(r.webIdentityTokenFile == "/var/run/secrets/token")
        #expect(r.roleSessionName == "sluice-1")
        #expect(r.credentials == nil)
    }

    @Test func partialCredentialsAreAnError() {
        let e = #expect(throws: CredentialsError.self) {
            try AWSProfileResolver.resolve(credentialsFile: "[default]\naws_access_key_id = AKID\n", configFile: nil)
        }
        #expect(e?.code == .partialCredentials)
        #expect(e?.message.contains("AKID") == false)
    }

    @Test func iniEdgeCases() {
        let ini = AWSINIFile("key = outside\r\n[a]\r\nx = 1\r\nx = 2\r\n[b\nbroken\n[c] \n=novalue\ny = a = b\n\tcontinued = no\n")
        #expect(ini["a"] == ["x": "2"])
        #expect(ini["b"] == nil)
        #expect(ini["c"] == ["y": "a = b"])
        #expect(ini.sections.count == 2)
    }

    // MARK: - Payloads

    @Test func parsesContainerAndIMDSJSON() throws {
        let imds = """
            {"Code":"Success","LastUpdated":"2024-05-01T10:00:00Z","Type":"AWS-HMAC","AccessKeyId":"ASIAIMDS",
             "SecretAccessKey":"s3cr3t","Token":"tok==","Expiration":"2024-05-01T16:00:00Z"}
            """
        let c = try CredentialPayload.parseJSON(Array(imds.utf8))
        #expect(c.accessKeyId == "ASIAIMDS")
        #expect(c.secretAccessKey == "s3cr3t")
        #expect(c.sessionToken == "tok==")
        #expect(c.expiration == AWSTimestamp.parseISO8601("2024-05-01T16:00:00Z"))
        let container = #"{"AccessKeyId":"ASIAC","SecretAccessKey":"x","Token":"t","Expiration":"2024-05-01T16:00:00.123Z","AccountId":"123456789012"}"#
        #expect(try CredentialPayload.parseJSON(Array(container.utf8)).expiration == Date(timeIntervalSince1970: 1_714_579_200.123))
    }

    @Test(arguments: [
        (#"{"SecretAccessKey":"x"}"#, "missingField"),
        (#"{"AccessKeyId":"A"}"#, "missingField"),
        (#"{"AccessKeyId":"A","SecretAccessKey":"x","Expiration":"tomorrow"}"#, "malformed"),
        (#"{"Code":"AssumeRoleUnauthorizedAccess","Message":"no"}"#, "serviceError"),
        (#"[1]"#, "malformed"),
        (#"not json"#, "malformed"),
        (#"{"AccessKeyId":5,"SecretAccessKey":"x"}"#, "missingField"),
    ])
    func rejectsBadJSON(_ body: String, _ code: String) {
        let e = #expect(throws: CredentialsError.self) { try CredentialPayload.parseJSON(Array(body.utf8)) }
        #expect(e?.code.description == code)
    }

    static let stsResponse = """
        <AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
          <AssumeRoleWithWebIdentityResult>
            <SubjectFromWebIdentityToken>amzn1.account.AF6RHO7KZU5XRVQJGXK6HB56KR2A</SubjectFromWebIdentityToken>
            <Audience>client.5498841531868486423.1548@apps.example.com</Audience>
            <AssumedRoleUser>
              <Arn>arn:aws:sts::123456789012:assumed-role/FederatedWebIdentityRole/app1</Arn>
              <AssumedRoleId>AROACLKWSDQRAOEXAMPLE:app1</AssumedRoleId>
            </AssumedRoleUser>
            <Credentials>
              <SessionToken>AQoDYXdzEE0a8ANXXXXXXXXNO1ewxE5TijQyp+IEXAMPLE&amp;x</SessionToken>
              <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
              <Expiration>2014-10-24T23:00:23Z</Expiration>
              <AccessKeyId>ASgeIAIOSFODNN7EXAMPLE</AccessKeyId>
            </Credentials>
            <SourceIdentity>SourceIdentityValue</SourceIdentity>
            <Provider>www.amazon.com</Provider>
          </AssumeRoleWithWebIdentityResult>
          <ResponseMetadata>
            <RequestId>ad4156e9-bce1-11e2-82e6-6b6efEXAMPLE</RequestId>
          </ResponseMetadata>
        </AssumeRoleWithWebIdentityResponse>
        """

    @Test func parsesSTSWebIdentityResponse() throws {
        let c = try CredentialPayload.parseSTSXML(Array(Self.stsResponse.utf8))
        #expect(c.accessKeyId == "ASgeIAIOSFODNN7EXAMPLE")
        #expect(c.secretAccessKey == "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY")
        #expect(c.sessionToken == "AQoDYXdzEE0a8ANXXXXXXXXNO1ewxE5TijQyp+IEXAMPLE&x")
        #expect(c.expiration == AWSTimestamp.parseISO8601("2014-10-24T23:00:23Z"))
    }

    @Test(arguments: [
        ("InvalidIdentityToken", false), ("ExpiredTokenException", false), ("IDPCommunicationError", true),
    ])
    func stsErrorsCarryTheirCode(_ code: String, _ retryable: Bool) {
        let body = """
            <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
              <Error><Type>Sender</Type><Code>\(code)</Code><Message>nope</Message></Error>
              <RequestId>x</RequestId>
            </ErrorResponse>
            """
        let e = #expect(throws: CredentialsError.self) { try CredentialPayload.parseSTSXML(Array(body.utf8)) }
        #expect(e?.code == .serviceError)
        #expect(e?.serviceCode == code)
        #expect(e?.isRetryable == retryable)
    }

    @Test func stsMissingMembersAreRefused() {
        let noToken = Self.stsResponse.replacingOccurrences(of: "<SessionToken>", with: "<SessionTokenX>")
        let e = #expect(throws: CredentialsError.self) { try CredentialPayload.parseSTSXML(Array(noToken.utf8)) }
        #expect(e?.code == .missingField)
        #expect(throws: CredentialsError.self) { try CredentialPayload.parseSTSXML(Array("<html>502</html>".utf8)) }
    }

    // MARK: - Refresh and redaction

    static let now = Date(timeIntervalSince1970: 1_700_000_000)

    @Test(arguments: [
        (nil, false, false), (3600.0, false, false), (15 * 60.0, false, false), (15 * 60 - 1.0, true, false),
        (10 * 60.0, true, false), (10 * 60 - 1.0, true, true), (0.0, true, true), (-60.0, true, true),
    ] as [(Double?, Bool, Bool)])
    func refreshWindows(_ left: Double?, _ should: Bool, _ must: Bool) {
        let c = AWSCredentials(accessKeyId: "A", secretAccessKey: "S", expiration: left.map { Self.now.addingTimeInterval($0) })
        #expect(c.shouldRefresh(now: Self.now) == should)
        #expect(c.mustRefresh(now: Self.now) == must)
        #expect(AWSCredentials.shouldRefresh(expiration: c.expiration, now: Self.now) == should)
    }

    @Test func descriptionRedactsSecrets() {
        let c = AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI", sessionToken: "TOKEN123",
                               expiration: Self.now)
        for text in [c.description, c.debugDescription, "\(c)", String(reflecting: c)] {
            #expect(text.contains("AKIDEXAMPLE"))
            #expect(!text.contains("wJalrXUtnFEMI"))
            #expect(!text.contains("TOKEN123"))
        }
        #expect(c.description.contains("2023-11-14T22:13:20Z"))
    }
}
