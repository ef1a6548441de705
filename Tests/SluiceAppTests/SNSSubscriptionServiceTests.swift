import SluiceCore
import Testing
@testable import SluiceApp

/// Which SubscribeURL hosts a custom certificate-URL pattern admits.
struct SNSSubscriptionServiceTests {
    static let custom = SNSSecurityPolicy(certURLPattern: #"^https://127\.0\.0\.1:[0-9]+/SimpleNotificationService-[a-zA-Z0-9]+\.pem$"#)

    @Test func aHostThePatternAdmitsForCertificatesMayServeSubscribeURLs() {
        let policy = SNSSubscriptionService.policy(Self.custom, forSubscribeURL: "https://127.0.0.1:8443/?Action=ConfirmSubscription")
        #expect(policy.extraSubscribeHosts == ["127.0.0.1:8443"])
    }

    @Test(arguments: [
        "https://evil.example/?Action=ConfirmSubscription", "http://127.0.0.1:8443/?x", "https://127.0.0.1/?x",
        "https://user@127.0.0.1:8443/?x", "https://127.0.0.1:8443@evil.example/?x", "https://127.0.0.1.evil:8443/?x",
        "https://sns.us-east-1.amazonaws.com/?x", "",
    ])
    func otherHostsAreNotAdded(_ url: String) {
        #expect(SNSSubscriptionService.policy(Self.custom, forSubscribeURL: url).extraSubscribeHosts.isEmpty)
    }

    @Test func theDefaultPatternNeverAddsHosts() {
        let policy = SNSSubscriptionService.policy(SNSSecurityPolicy(), forSubscribeURL: "https://127.0.0.1:8443/?x")
        #expect(policy.extraSubscribeHosts.isEmpty)
    }
}
