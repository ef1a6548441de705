import Testing
@testable import SluiceAWS

/// The bounded XML text extractor used for ConfirmSubscription responses (pure).
struct SNSXMLTextTests {
    static let path = ["ConfirmSubscriptionResponse", "ConfirmSubscriptionResult", "SubscriptionArn"]

    @Test func extractsNestedText() {
        let xml = Array(SNSTestKit.confirmationResponse("arn:aws:sns:us-east-1:1:t:abc").utf8)
        #expect(SNSXMLText.first(path: Self.path, in: xml) == "arn:aws:sns:us-east-1:1:t:abc")
    }

    @Test func requiresThePath() {
        let flat = Array("<SubscriptionArn>x</SubscriptionArn>".utf8)
        #expect(SNSXMLText.first(path: Self.path, in: flat) == nil)
        let prefixed = Array("<ConfirmSubscriptionResponseX><ConfirmSubscriptionResult><SubscriptionArn>x</SubscriptionArn></ConfirmSubscriptionResult></ConfirmSubscriptionResponseX>".utf8)
        #expect(SNSXMLText.first(path: Self.path, in: prefixed) == nil)
        let unclosed = Array("<ConfirmSubscriptionResponse><ConfirmSubscriptionResult><SubscriptionArn>x".utf8)
        #expect(SNSXMLText.first(path: Self.path, in: unclosed) == nil)
    }

    @Test func decodesEntitiesAndRefusesMarkupAndOversize() {
        let escaped = Array("<a><b>x&amp;y&lt;</b></a>".utf8)
        #expect(SNSXMLText.first(path: ["a", "b"], in: escaped) == "x&y<")
        let markup = Array("<a><b>x<c/></b></a>".utf8)
        #expect(SNSXMLText.first(path: ["a", "b"], in: markup) == nil)
        let big = Array("<a><b>".utf8) + Array(repeating: UInt8(ascii: "x"), count: 100) + Array("</b></a>".utf8)
        #expect(SNSXMLText.first(path: ["a", "b"], in: big, limit: 64) == nil)
        #expect(SNSXMLText.first(path: ["a", "b"], in: Array("<a><b/></a>".utf8)) == "")
    }
}
