import Foundation
import SluiceCore
import Testing

struct SNSMessageTests {
    static let genuine = AWSFixtures.list("sns/genuine").map { "genuine/" + $0 }
    static let lambda = AWSFixtures.list("sns/genuine-lambda-format").map { "genuine-lambda-format/" + $0 }
    static let negative = AWSFixtures.list("sns/negative").map { "negative/" + $0 }

    @Test func fixturesArePresent() {
        #expect(Self.genuine.count == 16)
        #expect(Self.lambda.count == 9)
        #expect(Self.negative.count == 2)
    }

    /// Each real message parses, and its canonical string is exactly the §1.3 key list built independently
    /// from the JSON with JSONSerialization.
    @Test(arguments: genuine + lambda + negative)
    func parsesAndBuildsCanonicalString(_ file: String) throws {
        let body = try AWSFixtures.bytes("sns/" + file)
        let message = try SNSMessage.parse(body)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])

        #expect(message.type.rawValue == json["Type"] as? String)
        #expect(message.messageId == json["MessageId"] as? String)
        #expect(message.topicArn == json["TopicArn"] as? String)
        #expect(message.message == json["Message"] as? String)
        #expect(message.timestampString == json["Timestamp"] as? String)
        #expect(message.signingCertURL == (json["SigningCertURL"] ?? json["SigningCertUrl"]) as? String)
        #expect(message.signature.count == 128 || message.signature.count == 256)
        #expect(message.subject == json["Subject"] as? String)

        let keys: [String]
        if message.type == .notification {
            keys = ["Message", "MessageId"] + (json["Subject"] is String ? ["Subject"] : []) + [
                "Timestamp", "TopicArn", "Type",
            ]
            #expect(message.unsubscribeURL == (json["UnsubscribeURL"] ?? json["UnsubscribeUrl"]) as? String)
        } else {
            keys = ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"]
        }
        var expected = ""
        for key in keys { expected += key + "\n" + (json[key] as! String) + "\n" }
        #expect(message.canonicalString() == Array(expected.utf8))
        #expect(message.signedPairs.map(\.0) == keys)
    }

    @Test func canonicalStringOfSubjectNullNotification() throws {
        let message = try SNSMessage.parse(
            try AWSFixtures.bytes("sns/genuine-lambda-format/l06-notification-sv1-subject-null-2022.json"))
        #expect(message.subject == nil)
        #expect(message.signatureAlgorithm == .rsaSHA1)
        let expected =
            "Message\nHello world\nMessageId\n792cda85-518f-5dd3-9163-81d851212f3a\nTimestamp\n2022-07-28T21:23:58.317Z\n"
            + "TopicArn\narn:aws:sns:us-east-2:295079676684:publish-and-verify-892f85fe-4836-424d-8188-ab85bef0f362\n"
            + "Type\nNotification\n"
        #expect(String(decoding: message.canonicalString(), as: UTF8.self) == expected)
        #expect(message.timestamp == Date(timeIntervalSince1970: 1_659_043_438.317))
    }

    @Test func canonicalStringOfSubscriptionConfirmation() throws {
        let message = try SNSMessage.parse(
            try AWSFixtures.bytes("sns/genuine/09-subscriptionconfirmation-sv1-2018-ap-southeast-2.json"))
        #expect(message.type == .subscriptionConfirmation)
        let text = String(decoding: message.canonicalString(), as: UTF8.self)
        #expect(text.hasPrefix("Message\nYou have chosen to subscribe to the topic arn:aws:sns:ap-southeast-2:919599206538:test-example.\nTo confirm"))
        #expect(text.contains("\nSubscribeURL\nhttps://sns.ap-southeast-2.amazonaws.com/?Action=ConfirmSubscription&"))
        #expect(text.hasSuffix("\nTopicArn\narn:aws:sns:ap-southeast-2:919599206538:test-example\nType\nSubscriptionConfirmation\n"))
    }

    /// The HTTP and Lambda spellings of the same signed message give the same canonical bytes.
    @Test(arguments: [
        ("genuine/13-notification-sv1-nosubject-2022-us-east-2.json", "genuine-lambda-format/l04-notification-sv1-nosubject-2022.json"),
        ("genuine/14-notification-sv2-nosubject-2022-us-east-2.json", "genuine-lambda-format/l05-notification-sv2-nosubject-2022.json"),
    ])
    func spellingsAgree(_ http: String, _ lambda: String) throws {
        let a = try SNSMessage.parse(try AWSFixtures.bytes("sns/" + http))
        let b = try SNSMessage.parse(try AWSFixtures.bytes("sns/" + lambda))
        #expect(a.canonicalString() == b.canonicalString())
        #expect(a.signingCertURL == b.signingCertURL)
        #expect(a.signature == b.signature)
    }

    @Test func signatureVersion2MapsToSHA256() throws {
        let message = try SNSMessage.parse(
            try AWSFixtures.bytes("sns/genuine/16-notification-sv2-subject-2022-us-east-2.json"))
        #expect(message.signatureVersion == "2")
        #expect(message.signatureAlgorithm == .rsaSHA256)
    }

    @Test(arguments: ["subscription-confirmation", "unsubscribe-confirmation", "notification"])
    func parsesDocsExampleBodies(_ name: String) throws {
        let text = try AWSFixtures.text("sns/docs-examples/\(name).http")
        let body = try #require(text.range(of: "\n\n").map { String(text[$0.upperBound...]) })
        // The docs print placeholder signatures ("EXAMPLEHXgJm..."): swap in valid base64 to parse the rest.
        var json = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        json["Signature"] = "AAAA"
        let message = try SNSMessage.parse(Array(try JSONSerialization.data(withJSONObject: json)))
        #expect(message.topicArn == "arn:aws:sns:us-west-2:123456789012:MyTopic")
        if message.type == .unsubscribeConfirmation {
            #expect(message.signedPairs.map(\.0).contains("Token"))
        }
    }

    // MARK: - Refusals

    static func body(_ fields: [String: Any?]) -> [UInt8] {
        var base: [String: Any] = [
            "Type": "Notification", "MessageId": "m-1", "TopicArn": "arn:aws:sns:us-east-1:123456789012:t",
            "Message": "hi", "Timestamp": "2024-01-01T00:00:00.000Z", "SignatureVersion": "1",
            "Signature": "AAAA", "SigningCertURL": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
        ]
        for (k, v) in fields {
            if let v { base[k] = v } else { base.removeValue(forKey: k) }
        }
        return Array(try! JSONSerialization.data(withJSONObject: base))
    }

    static func code(_ body: [UInt8]) -> (SNSMessageError.Code?, String?) {
        do {
            _ = try SNSMessage.parse(body)
            return (nil, nil)
        } catch {
            return (error.code, error.field)
        }
    }

    @Test(arguments: ["Type", "MessageId", "TopicArn", "Message", "Timestamp", "SignatureVersion", "Signature", "SigningCertURL"])
    func missingRequiredFieldIsNamed(_ field: String) {
        let (code, named) = Self.code(Self.body([field: nil]))
        #expect(code == .missingField)
        #expect(named == field)
    }

    @Test(arguments: ["SubscribeURL", "Token"])
    func confirmationsNeedSubscribeURLAndToken(_ field: String) {
        var fields: [String: Any?] = ["Type": "SubscriptionConfirmation", "SubscribeURL": "https://x/", "Token": "t"]
        fields[field] = .some(nil)
        let (code, named) = Self.code(Self.body(fields))
        #expect(code == .missingField)
        #expect(named == field)
        #expect(Self.code(Self.body(["Type": "SubscriptionConfirmation", "SubscribeURL": "https://x/", "Token": "t"])).0 == nil)
    }

    @Test func wrongTypesAreRefused() {
        #expect(Self.code(Self.body(["Message": 5])).0 == .wrongFieldType)
        #expect(Self.code(Self.body(["Subject": ["a"]])).1 == "Subject")
        #expect(Self.code(Self.body(["Signature": true])).0 == .wrongFieldType)
        // JSON null counts as absent.
        #expect(Self.code(Self.body(["Subject": NSNull()])).0 == nil)
        #expect(Self.code(Self.body(["MessageId": NSNull()])).0 == .missingField)
    }

    @Test func malformedBodiesAreRefused() {
        for body in ["", "[]", "\"x\"", "{", "{\"Type\":\"Notification\"", "null"] {
            #expect(Self.code(Array(body.utf8)).0 == .malformed, "\(body)")
        }
        #expect(Self.code([0xFF, 0xFE]).0 == .malformed)
        #expect(Self.code(Self.body(["Signature": "not base64!"])).0 == .malformed)
        #expect(Self.code(Self.body(["Signature": ""])).0 == .malformed)
        #expect(Self.code(Self.body(["Timestamp": "yesterday"])).1 == "Timestamp")
        #expect(Self.code(Self.body(["Timestamp": "2024-02-30T00:00:00Z"])).0 == .malformed)
    }

    @Test func duplicateKeysAreRefused() {
        let base = String(decoding: Self.body([:]), as: UTF8.self)
        for extra in [#""Message":"evil","#, #""Mess\u0061ge":"evil","#, #""Foo":1,"Foo":2,"#] {
            let body = "{" + extra + base.dropFirst()
            #expect(Self.code(Array(body.utf8)).0 == .malformed, "\(extra)")
        }
        // Nested objects may reuse top-level names, and odd but valid spacing parses.
        let nested = "{ \"MessageAttributes\" : {\"Message\":{\"Type\":\"String\",\"Value\":\"[}\\\"\"}} ,"
            + base.dropFirst()
        #expect(Self.code(Array(nested.utf8)).0 == nil)
        #expect(Self.code(Self.body([:]) + Array(" x".utf8)).0 == .malformed)
    }

    @Test func messageBytesAreTheUnescapedMessage() throws {
        let payload = "{\"a\":\"é\\n😀\"}\u{0}\t\u{2028}"
        let message = try SNSMessage.parse(Self.body(["Message": payload, "Subject": "s\u{e9}"]))
        #expect(message.messageBytes == Array(payload.utf8))
        #expect(message.message == payload)
        #expect(message.subject == "s\u{e9}")
        var copy = message
        copy.message = "x"
        #expect(copy.messageBytes == [UInt8(ascii: "x")])
        #expect(SNSMessage(type: .notification, messageId: "m", topicArn: "t", message: payload, timestamp: Date(), timestampString: "", signatureVersion: "1", signature: [1], signingCertURL: "u").messageBytes == Array(payload.utf8))
    }

    @Test func escapedEnvelopeKeysAreRead() throws {
        let base = String(decoding: Self.body(["Type": nil, "MessageId": nil]), as: UTF8.self)
        let body = #"{"T\u0079pe":"Notification","\u004dessageId":"m-2","# + base.dropFirst()
        let message = try SNSMessage.parse(Array(body.utf8))
        #expect(message.type == .notification)
        #expect(message.messageId == "m-2")
        // A non-string value for an escaped known key is refused like the plain spelling.
        let wrong = #"{"T\u0079pe":1,"\u004dessageId":"m-2","# + base.dropFirst()
        #expect(Self.code(Array(wrong.utf8)).0 == .wrongFieldType)
    }

    @Test func unknownTypeAndVersionAreRefused() {
        #expect(Self.code(Self.body(["Type": "Notification2"])).0 == .unsupportedMessageType)
        #expect(Self.code(Self.body(["SignatureVersion": "3"])).0 == .unsupportedSignatureVersion)
        #expect(Self.code(Self.body(["SignatureVersion": ""])).0 == .unsupportedSignatureVersion)
        #expect(throws: SNSMessageError.self) { try SNSMessage.signatureAlgorithm(forVersion: "1 ") }
    }

    @Test func lambdaSpellingsMustAgree() {
        let url = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem"
        #expect(Self.code(Self.body(["SigningCertURL": nil, "SigningCertUrl": url])).0 == nil)
        #expect(Self.code(Self.body(["SigningCertUrl": url + "x"])).0 == .malformed)
    }

    @Test func subjectIsSignedOnlyWhenPresent() throws {
        let with = try SNSMessage.parse(Self.body(["Subject": "S"]))
        let without = try SNSMessage.parse(Self.body([:]))
        #expect(String(decoding: with.canonicalString(), as: UTF8.self).contains("\nSubject\nS\n"))
        #expect(!String(decoding: without.canonicalString(), as: UTF8.self).contains("Subject"))
        // Unknown keys (MessageAttributes, future fields) are ignored and never signed.
        let extra = try SNSMessage.parse(Self.body(["MessageAttributes": ["a": ["Type": "String", "Value": "v"]], "Foo": 1]))
        #expect(extra.canonicalString() == without.canonicalString())
    }

    @Test func escapedControlCharactersAreRestored() throws {
        let message = try SNSMessage.parse(Self.body(["Message": "a\n\"b\"\u{1}\u{e9}"]))
        #expect(message.message == "a\n\"b\"\u{1}\u{e9}")
        #expect(String(decoding: message.canonicalString(), as: UTF8.self).hasPrefix("Message\na\n\"b\"\u{1}\u{e9}\nMessageId"))
    }

    @Test func headersMustMatchBody() throws {
        let message = try SNSMessage.parse(Self.body([:]))
        try message.checkHeaders(messageType: "Notification", messageId: "m-1", topicArn: "arn:aws:sns:us-east-1:123456789012:t")
        try message.checkHeaders(messageType: nil, messageId: nil, topicArn: nil)
        let e = #expect(throws: SNSMessageError.self) {
            try message.checkHeaders(messageType: "SubscriptionConfirmation", messageId: nil, topicArn: nil)
        }
        #expect(e?.code == .typeHeaderMismatch)
        let f = #expect(throws: SNSMessageError.self) { try message.checkHeaders(messageType: nil, messageId: "m-2", topicArn: nil) }
        #expect(f?.code == .headerMismatch)
    }

    @Test func errorMessagesEscapeInput() {
        let quoted = SNSMessageError.quote("a\"b\\c\n\u{202E}" + String(repeating: "x", count: 200), limit: 20)
        #expect(quoted.hasPrefix("\"a\\\"b\\\\c\\u{a}\\u{202e}"))
        #expect(quoted.hasSuffix("…\""))
        #expect(!quoted.contains("\n"))
        let (code, _) = Self.code(Self.body(["Type": "<script>\n" + String(repeating: "A", count: 5000)]))
        #expect(code == .unsupportedMessageType)
        do {
            _ = try SNSMessage.parse(Self.body(["Type": "<x>\n" + String(repeating: "A", count: 5000)]))
            Issue.record("a message with an unknown Type parsed")
        } catch {
            #expect(error.message.count < 200)
            #expect(!error.message.contains("\n"))
        }
    }
}
