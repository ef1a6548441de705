import Foundation
import SluiceCore
import Testing

struct SNSSecurityPolicyTests {
    static let topic = "arn:aws:sns:us-east-1:123456789012:ses-feedback"
    static let good = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-7ff5318490ec183fbaddaa2a969abfda.pem"
    static let policy = SNSSecurityPolicy(allowedTopicPatterns: ["arn:aws:sns:*:123456789012:ses-*"])

    static func certCode(_ url: String, topic: String = topic, policy: SNSSecurityPolicy = policy) -> SNSMessageError.Code? {
        do {
            try policy.checkCertificateURL(url, topicArn: topic)
            return nil
        } catch {
            return error.code
        }
    }

    @Test func acceptsRealCertificateURLs() throws {
        #expect(Self.certCode(Self.good) == nil)
        #expect(Self.certCode("https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-abc.pem",
                              topic: "arn:aws-cn:sns:cn-north-1:123456789012:t") == nil)
        #expect(Self.certCode("https://sns.us-gov-west-1.amazonaws.com/SimpleNotificationService-abc.pem",
                              topic: "arn:aws-us-gov:sns:us-gov-west-1:123456789012:t") == nil)
        // Every genuine fixture's certificate URL passes for its own topic.
        for dir in ["genuine", "genuine-lambda-format"] {
            for file in AWSFixtures.list("sns/" + dir) {
                let m = try SNSMessage.parse(try AWSFixtures.bytes("sns/\(dir)/\(file)"))
                #expect(Self.certCode(m.signingCertURL, topic: m.topicArn) == nil, "\(file)")
            }
        }
    }

    @Test(arguments: [
        "http://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
        "HTTPS://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
        "https://SNS.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
        "https://sns.US-EAST-1.amazonaws.com/SimpleNotificationService-abc.pem",
        "https://sns.us-east-1.amazonaws.com.evil.example/SimpleNotificationService-abc.pem",
        "https://sns.us-east-1.amazonaws.com@evil.example/SimpleNotificationService-abc.pem",
        "https://evil.example@sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
        "https://sns.us-east-1.amazonaws.com%2eevil.example/SimpleNotificationService-abc.pem",
        "https://sns%2eus-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
        "https://sns.us-east-1.amazonaws.com/%2e%2e/SimpleNotificationService-abc.pem",
        "https://sns.us-east-1.amazonaws.com/../SimpleNotificationService-abc.pem",
        "https://sns.us-east-1.amazonaws.com\\@evil.example/SimpleNotificationService-abc.pem",
        "https://sns.us-east-1.amazonaws.com\\SimpleNotificationService-abc.pem",
        "https://sns.us-east-1.amazonaws.com./SimpleNotificationService-abc.pem",
        "https://sns.us-east-1.amazonaws.com:8443/SimpleNotificationService-abc.pem",
        "https://sns.us-east-1.amazonaws.com:443/SimpleNotificationService-abc.pem",
        "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem?x=1",
        "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem#frag",
        "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem\n",
        " https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
        "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem.evil",
        "https://sns.us-east-1.amazonaws.com/evil/SimpleNotificationService-abc.pem",
        "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-../x.pem",
        "https://sns.us-west-2.amazonaws.com/SimpleNotificationService-abc.pem",  // other region than the topic
        "https://sns.evil.amazonaws.com/SimpleNotificationService-abc.pem",
        "https://sns.us-east-1.amazonaws.com.cn/SimpleNotificationService-abc.pem",  // wrong partition
        "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem/",
        "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-ａbc.pem",  // fullwidth lookalike
        "https://snѕ.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",  // Cyrillic dze
        "https://sns.us-east-1.amazonaws.com",
        "https:///SimpleNotificationService-abc.pem",
        "//sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
        "",
    ])
    func refusesCertificateURLAttacks(_ url: String) {
        #expect(Self.certCode(url) == .certificateURLNotAllowed)
    }

    @Test func refusesCertificateURLForMalformedTopic() {
        #expect(Self.certCode(Self.good, topic: "arn:aws:sqs:us-east-1:123456789012:t") == .certificateURLNotAllowed)
        #expect(Self.certCode(Self.good, topic: "arn:aws:sns:us-east-1:123:t") == .certificateURLNotAllowed)
        #expect(Self.certCode(Self.good, topic: "arn:aws-cn:sns:us-east-1:123456789012:t") == .certificateURLNotAllowed)
    }

    @Test func customPatternAdmitsTestHostOnly() {
        let test = SNSSecurityPolicy(certURLPattern: #"^https://127\.0\.0\.1:[0-9]+/[A-Za-z0-9-]+\.pem$"#)
        #expect(Self.certCode("https://127.0.0.1:8443/cert-1.pem", policy: test) == nil)
        #expect(Self.certCode("http://127.0.0.1:8443/cert-1.pem", policy: test) == .certificateURLNotAllowed)
        #expect(Self.certCode("https://127.0.0.1:8443/x/../cert-1.pem", policy: test) == .certificateURLNotAllowed)
        #expect(Self.certCode(Self.good, policy: test) == .certificateURLNotAllowed)  // pattern still applies
        // A loose custom pattern cannot smuggle an AWS-looking host past the region rule.
        let loose = SNSSecurityPolicy(certURLPattern: #"^https://.*\.pem$"#)
        #expect(Self.certCode("https://sns.us-west-2.amazonaws.com/SimpleNotificationService-a.pem", policy: loose)
                == .certificateURLNotAllowed)
        #expect(Self.certCode("https://sns.us-east-1.amazonaws.com.evil/x.pem", policy: loose) == .certificateURLNotAllowed)
        #expect(Self.certCode(Self.good, policy: loose) == nil)
    }

    @Test func invalidPatternFailsValidationAndClosed() {
        let bad = SNSSecurityPolicy(certURLPattern: "(")
        let e = #expect(throws: SNSMessageError.self) { try bad.validate() }
        #expect(e?.code == .invalidConfiguration)
        #expect(Self.certCode(Self.good, policy: bad) == .certificateURLNotAllowed)
        #expect(throws: Never.self) { try SNSSecurityPolicy().validate() }
    }

    @Test func rejectionMessageDoesNotEchoRawInput() {
        do {
            try Self.policy.checkCertificateURL("https://evil.example/\n<script>" + String(repeating: "a", count: 3000), topicArn: Self.topic)
            Issue.record("accepted")
        } catch {
            #expect(!error.message.contains("\n"))
            #expect(!error.message.contains("<script>\n"))
            #expect(error.message.count < 300)
        }
    }

    // MARK: - SubscribeURL

    static let subscribe =
        "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:123456789012:ses-feedback&Token=2336412f37"

    static func subscribeCode(_ url: String, policy: SNSSecurityPolicy = policy, token: String? = nil) -> SNSMessageError.Code? {
        do {
            try policy.checkSubscribeURL(url, topicArn: topic, token: token)
            return nil
        } catch {
            return error.code
        }
    }

    @Test func acceptsGenuineSubscribeURL() throws {
        #expect(Self.subscribeCode(Self.subscribe) == nil)
        #expect(Self.subscribeCode(Self.subscribe, token: "2336412f37") == nil)
        #expect(Self.subscribeCode(Self.subscribe.replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: "https%3A", with: "https:")) == nil)
        let m = try SNSMessage.parse(try AWSFixtures.bytes("sns/genuine/09-subscriptionconfirmation-sv1-2018-ap-southeast-2.json"))
        try SNSSecurityPolicy().checkSubscribeURL(m.subscribeURL!, topicArn: m.topicArn, token: m.token)
    }

    @Test(arguments: [
        "http://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:123456789012:ses-feedback&Token=t",
        "https://sns.us-east-1.amazonaws.com.evil.example/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:123456789012:ses-feedback&Token=t",
        "https://sns.us-east-1.amazonaws.com@evil.example/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:123456789012:ses-feedback&Token=t",
        "https://user@sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:123456789012:ses-feedback&Token=t",
        "https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:123456789012:ses-feedback&Token=t",
        "https://sns.us-east-1.amazonaws.com:444/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:123456789012:ses-feedback&Token=t",
        "https://sns.us-east-1.amazonaws.com./?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:123456789012:ses-feedback&Token=t",
        "https://SNS.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:123456789012:ses-feedback&Token=t",
        "https://sns.us-east-1.amazonaws.com\\@evil/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:123456789012:ses-feedback&Token=t",
        "https://sns.us-east-1.amazonaws.com/x?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:123456789012:ses-feedback&Token=t",
        "https://sns.us-east-1.amazonaws.com/%2e?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:123456789012:ses-feedback&Token=t",
        "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&TopicArn=arn:aws:sns:us-east-1:123456789012:ses-feedback&Token=t",
        "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Action=Unsubscribe&TopicArn=arn:aws:sns:us-east-1:123456789012:ses-feedback&Token=t",
        "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:123456789012:other&Token=t",
        "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:123456789012:ses-feedback&TopicArn=arn:aws:sns:us-east-1:123456789012:other&Token=t",
        "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:123456789012:ses-feedback",
        "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:123456789012:ses-feedback&Token=",
        "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:123456789012:ses-feedback&Token=t%zz",
        "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:123456789012:ses-feedback&Token=t#x",
        "https://sns.us-east-1.amazonaws.com/",
        "https://127.0.0.1:8443/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:123456789012:ses-feedback&Token=t",
    ])
    func refusesSubscribeURLAttacks(_ url: String) {
        #expect(Self.subscribeCode(url) == .subscribeURLNotAllowed)
    }

    @Test func subscribeTokenMustMatchMessage() {
        #expect(Self.subscribeCode(Self.subscribe, token: "other") == .subscribeURLNotAllowed)
    }

    @Test func listedTestHostIsAcceptedForSubscribe() {
        var test = Self.policy
        test.extraSubscribeHosts = ["127.0.0.1:8443"]
        let url = "https://127.0.0.1:8443/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:123456789012:ses-feedback&Token=t"
        #expect(Self.subscribeCode(url, policy: test) == nil)
        #expect(Self.subscribeCode(url.replacingOccurrences(of: "8443", with: "8444"), policy: test) == .subscribeURLNotAllowed)
        #expect(Self.subscribeCode(Self.subscribe, policy: test) == nil)  // the real host still works
    }

    @Test func autoConfirmNeedsAllowedTopic() throws {
        let m = try SNSMessage.parse(try AWSFixtures.bytes("sns/genuine/09-subscriptionconfirmation-sv1-2018-ap-southeast-2.json"))
        let none = SNSSecurityPolicy()
        let e = #expect(throws: SNSMessageError.self) { try none.checkAutoConfirm(m) }
        #expect(e?.code == .topicNotAllowed)
        let allowed = SNSSecurityPolicy(allowedTopicPatterns: ["arn:aws:sns:ap-southeast-2:919599206538:test-example"])
        try allowed.checkAutoConfirm(m)
        let n = try SNSMessage.parse(try AWSFixtures.bytes("sns/genuine/01-notification-sv1-subject-2012-eu-west-1.json"))
        #expect(throws: SNSMessageError.self) { try allowed.checkAutoConfirm(n) }
    }

    // MARK: - Topics, versions, timestamps

    @Test(arguments: [
        ("arn:aws:sns:us-east-1:123456789012:ses-feedback", true),
        ("arn:aws:sns:eu-west-1:123456789012:ses-", true),
        ("arn:aws:sns:us-east-1:999999999999:ses-feedback", false),
        ("arn:aws:sns:us-east-1:123456789012:other", false),
        ("arn:aws:sns:us-east-1:123456789012:ses", false),
        ("xarn:aws:sns:us-east-1:123456789012:ses-feedback", false),
        ("arn:aws:sns:us-east-1:123456789012:ses-feedbackx", true),
    ])
    func topicWildcards(_ arn: String, _ allowed: Bool) {
        #expect(Self.policy.isTopicAllowed(arn) == allowed)
    }

    @Test func topicPatternEdgeCases() {
        #expect(!SNSSecurityPolicy().isTopicAllowed(Self.topic))  // empty list allows nothing
        #expect(SNSSecurityPolicy(allowedTopicPatterns: ["*"]).isTopicAllowed(Self.topic))
        #expect(SNSSecurityPolicy(allowedTopicPatterns: [Self.topic]).isTopicAllowed(Self.topic))
        #expect(!SNSSecurityPolicy(allowedTopicPatterns: [Self.topic]).isTopicAllowed(Self.topic + "2"))
        #expect(SNSSecurityPolicy(allowedTopicPatterns: ["arn:*:sns:*:*:*-feedback"]).isTopicAllowed(Self.topic))
        // `.` and `?` are literals, not regex.
        #expect(!SNSSecurityPolicy(allowedTopicPatterns: ["arn:aws:sns:us-east-1:123456789012:ses.feedback"]).isTopicAllowed(Self.topic))
        // Pathological patterns stay fast (no exponential backtracking).
        let many = String(repeating: "*a", count: 40) + "b"
        #expect(!SNSSecurityPolicy(allowedTopicPatterns: [many]).isTopicAllowed(String(repeating: "a", count: 200)))
    }

    @Test func signatureVersionPolicy() {
        #expect(throws: Never.self) { try SNSSecurityPolicy().checkSignatureVersion("1") }
        let strict = SNSSecurityPolicy(requireSignatureVersion2: true)
        #expect(throws: Never.self) { try strict.checkSignatureVersion("2") }
        let e = #expect(throws: SNSMessageError.self) { try strict.checkSignatureVersion("1") }
        #expect(e?.code == .unsupportedSignatureVersion)
    }

    static let now = Date(timeIntervalSince1970: 1_700_000_000)

    @Test(arguments: [
        (0.0, nil), (-86_400.0, nil), (-86_400.001, "stale"), (-200_000.0, "stale"),
        (300.0, nil), (300.001, "future"), (3_600.0, "future"),
    ] as [(Double, String?)])
    func timestampWindow(_ offset: Double, _ expected: String?) {
        do {
            try SNSSecurityPolicy().checkTimestamp(Self.now.addingTimeInterval(offset), now: Self.now)
            #expect(expected == nil)
        } catch {
            #expect(error.code.description == expected)
        }
    }

    @Test func envelopeCombinesChecks() throws {
        let m = try SNSMessage.parse(try AWSFixtures.bytes("sns/genuine/16-notification-sv2-subject-2022-us-east-2.json"))
        try SNSSecurityPolicy(requireSignatureVersion2: true).checkEnvelope(m, now: m.timestamp.addingTimeInterval(60))
        let e = #expect(throws: SNSMessageError.self) {
            try SNSSecurityPolicy().checkEnvelope(m, now: m.timestamp.addingTimeInterval(90_000))
        }
        #expect(e?.code == .stale)
    }

    @Test func parsesTopicARNs() {
        let arn = SNSTopicARN("arn:aws:sns:ap-southeast-2:919599206538:test-example")
        #expect(arn?.region == "ap-southeast-2")
        #expect(arn?.snsHost == "sns.ap-southeast-2.amazonaws.com")
        #expect(SNSTopicARN("arn:aws-cn:sns:cn-north-1:123456789012:t")?.snsHost == "sns.cn-north-1.amazonaws.com.cn")
        #expect(SNSTopicARN("arn:aws:sns:us-east-1:123456789012:t.fifo")?.name == "t.fifo")
        for bad in ["", "arn:aws:sns:us-east-1:123456789012", "arn:aws:sns:US-east-1:123456789012:t",
                    "arn:aws:sns:us-east-1:123456789012:t:sub", "arn:aws:sns:us-east-1:12345678901a:t",
                    "arn:aws:sns:us-east-1:123456789012:", "arn:aws:sns:us-east-1:123456789012:a.b",
                    "arn:aws:sns:us-gov-west-1:123456789012:t", "arn:aws:sns:useast1:123456789012:t"] {
            #expect(SNSTopicARN(bad) == nil, "\(bad)")
        }
    }

    @Test func onlyPatternsNamingTheAccountAllowAutoConfirm() {
        let topic = "arn:aws:sns:us-east-1:123456789012:ses-feedback"
        for (pattern, names) in [
            (topic, true), ("arn:aws:sns:*:123456789012:*", true), ("arn:*:sns:*:123456789012:ses-*", true),
            ("*", false), ("arn:aws:sns:*:*:ses-feedback", false), ("arn:aws:sns:us-east-1:1234567890*:ses-feedback", false),
            ("arn:aws:sns:*:123456789012*", false), ("arn:aws:sns:us-east-1:123456789012:ses:x", false),
            ("arn:aws:sqs:us-east-1:123456789012:ses-feedback", false), ("arn:aws:sns:us-east-1:12345678901:ses-feedback", false),
        ] {
            #expect(SNSSecurityPolicy.namesAccount(pattern) == names, "\(pattern)")
            let policy = SNSSecurityPolicy(allowedTopicPatterns: [pattern])
            #expect(policy.isTopicAllowedForAutoConfirm(topic) == (names && policy.isTopicAllowed(topic)), "\(pattern)")
        }
        // Allowed by a wildcard-account pattern, confirmed only through one that names the account.
        let mixed = SNSSecurityPolicy(allowedTopicPatterns: ["arn:aws:sns:*:*:ses-*", "arn:aws:sns:*:123456789012:ses-feedback"])
        #expect(mixed.isTopicAllowedForAutoConfirm(topic))
        #expect(mixed.isTopicAllowed("arn:aws:sns:us-east-1:666666666666:ses-feedback"))
        #expect(!mixed.isTopicAllowedForAutoConfirm("arn:aws:sns:us-east-1:666666666666:ses-feedback"))
    }
}
