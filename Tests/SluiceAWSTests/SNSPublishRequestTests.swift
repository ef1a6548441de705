import Foundation
import SluiceCore
import Testing
@testable import SluiceAWS

/// The Publish form and the limits SNS puts on Subject and Message; pure.
struct SNSPublishRequestTests {
    static let topic = SNSTopicARN("arn:aws:sns:eu-west-1:123456789012:sluice-alerts")!

    @Test func formCarriesActionVersionTopicMessageAndSubjectPercentEncoded() {
        let request = SNSPublishRequest(topic: Self.topic, message: #"{"a":"b c&d=e+f/é~"}"#, subject: "[Sluice] critical bounce_rate firing")
        let body = String(decoding: SNSPublishRequest.formBody(request.formParameters), as: UTF8.self)
        #expect(body == "Action=Publish&Version=2010-03-31"
            + "&TopicArn=arn%3Aaws%3Asns%3Aeu-west-1%3A123456789012%3Asluice-alerts"
            + "&Message=%7B%22a%22%3A%22b%20c%26d%3De%2Bf%2F%C3%A9~%22%7D"
            + "&Subject=%5BSluice%5D%20critical%20bounce_rate%20firing")
    }

    @Test func optionalFieldsAreLeftOutOrAppended() {
        let plain = SNSPublishRequest(topic: Self.topic, message: "m", subject: " \r\n ")
        #expect(plain.formParameters.map(\.0) == ["Action", "Version", "TopicArn", "Message"])
        let fifo = SNSPublishRequest(
            topic: SNSTopicARN("arn:aws:sns:eu-west-1:123456789012:a.fifo")!, message: "m", messageGroupId: "g", messageDeduplicationId: "d")
        #expect(fifo.formParameters.suffix(2).map { "\($0.0)=\($0.1)" } == ["MessageGroupId=g", "MessageDeduplicationId=d"])
    }

    @Test(arguments: [
        ("[Sluice] critical bounce_rate firing", "[Sluice] critical bounce_rate firing"),
        ("line one\r\nline two\tend", "line one line two end"),
        ("  leading and trailing  ", "leading and trailing"),
        ("Café naïve", "Cafe naive"),
        ("alert 🚨 now", "alert ? now"),
        ("$+~ price", "price"),
        ("\u{0}\u{1B}[31mred", "[31mred"),
        ("a\u{85}b\u{2028}c", "a b c"),
    ])
    func subjectBecomesOneLineOfPrintableASCII(input: String, expected: String) {
        #expect(SNSPublishRequest.sanitizedSubject(input) == expected)
    }

    @Test func subjectStaysUnder100CharactersAndBlankMeansNone() throws {
        let words = String(repeating: "ab ", count: 60)
        let long = try #require(SNSPublishRequest.sanitizedSubject(words))
        // Cut before the space that would have been character 99: no trailing space.
        #expect(long.count == 98)
        #expect(words.hasPrefix(long))
        #expect(long.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F })
        #expect(SNSPublishRequest.sanitizedSubject(String(repeating: "x", count: 500))?.count == 99)
        #expect(SNSPublishRequest.sanitizedSubject("") == nil)
        #expect(SNSPublishRequest.sanitizedSubject("\n\t \u{7F}") == nil)
    }

    @Test func messageIsCutAtAUTF8BoundaryWithinTheLimit() {
        #expect(SNSPublishRequest.truncatedMessage("short") == "short")
        // "é" is 2 bytes, "€" 3, "🚨" 4: a cut inside any of them backs up to its first byte.
        for (text, limit, expected) in [("aé", 2, "a"), ("a€", 3, "a"), ("a🚨", 4, "a"), ("a🚨", 5, "a🚨"), ("é", 1, "")] {
            #expect(SNSPublishRequest.truncatedMessage(text, maxBytes: limit) == expected, "\(text) @ \(limit)")
        }
        let big = String(repeating: "é", count: SNSPublishRequest.maxMessageBytes)  // 2 × the limit in bytes
        let cut = SNSPublishRequest.truncatedMessage(big + "x")
        #expect(cut.utf8.count == SNSPublishRequest.maxMessageBytes)
        #expect(cut.unicodeScalars.allSatisfy { $0 == "é" })
        let odd = SNSPublishRequest.truncatedMessage("a" + big)
        #expect(odd.utf8.count == SNSPublishRequest.maxMessageBytes - 1)
    }

    @Test func endpointFollowsTheRegionOrTheOverride() throws {
        let aws = SNSPublisherConfiguration(
            credentials: StaticCredentialProvider(.init(accessKeyId: "a", secretAccessKey: "s")), httpClient: try AWSTestSupport.httpClient())
        #expect(aws.resolvedEndpoint(region: "eu-west-1") == "https://sns.eu-west-1.amazonaws.com/")
        #expect(aws.resolvedEndpoint(region: "cn-north-1") == "https://sns.cn-north-1.amazonaws.com.cn/")
        var local = aws
        local.endpoint = URL(string: "http://127.0.0.1:4566")
        #expect(local.resolvedEndpoint(region: "eu-west-1") == "http://127.0.0.1:4566/")
    }
}
