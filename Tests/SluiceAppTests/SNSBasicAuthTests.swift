import Foundation
import SluiceHTTP
import Testing
@testable import SluiceApp

struct SNSBasicAuthTests {
    static let auth = SNSBasicAuth(user: "sns", password: "pa:ss word")

    static func headers(_ value: String?) -> HTTPHeaders {
        value.map { HTTPHeaders([("Authorization", $0)]) } ?? HTTPHeaders()
    }

    static func basic(_ text: String) -> String { "Basic " + Data(text.utf8).base64EncodedString() }

    @Test func acceptsOnlyTheConfiguredCredentials() {
        #expect(Self.auth.isAuthorized(Self.headers(Self.basic("sns:pa:ss word"))))
        #expect(Self.auth.isAuthorized(Self.headers("basic " + Data("sns:pa:ss word".utf8).base64EncodedString())))
    }

    @Test(arguments: [
        nil, "", "Basic", "Basic ", "Bearer c25zOnBhOnNzIHdvcmQ=", "Basic not-base64!", "Basic " + Data("sns:pa:ss wor".utf8).base64EncodedString(),
        "Basic " + Data("SNS:pa:ss word".utf8).base64EncodedString(), "Basic " + Data("sns:pa:ss word ".utf8).base64EncodedString(),
        "Basic " + String(repeating: "A", count: 5000),
    ])
    func refusesAnythingElse(_ value: String?) {
        #expect(!Self.auth.isAuthorized(Self.headers(value)))
    }

    @Test func challengeNamesTheRealm() {
        let response = SNSBasicAuth.challenge()
        #expect(response.status == .unauthorized)
        #expect(response.headers["WWW-Authenticate"] == #"Basic realm="sluice-sns""#)
    }
}
