import Foundation
import Testing
@testable import SluiceCore

/// What each fixture must parse to, and what a deliverability engineer expects the policy to do with
/// its first recipient when nothing is known about the address yet.
struct SESFixtureExpectation: Sendable, CustomStringConvertible {
    var file: String
    var kind: EventKind
    var subtype: String?
    var recipients: [String]
    var identity: String
    var outcome: String
    var description: String { file }
}

let sesFixtureTable: [SESFixtureExpectation] = [
    .init(file: "event/Bounce-Permanent-General.awsdocs.json", kind: .hardBounce, subtype: "General",
          recipients: ["recipient@example.com"], identity: "example.com", outcome: "suppressed:hard_bounce"),
    .init(file: "event/Bounce-Permanent-General.mailbox-simulator.teamcity.json", kind: .hardBounce, subtype: "General",
          recipients: ["bounce@simulator.amazonses.com"], identity: "teamcity-nonprod.jetbrains.com",
          outcome: "suppressed:hard_bounce"),
    .init(file: "event/Click.awsdocs.json", kind: .click, subtype: nil,
          recipients: ["recipient@example.com"], identity: "example.com", outcome: "recorded"),
    .init(file: "event/Complaint.feedback-abuse.awsdocs.json", kind: .complaint, subtype: "abuse",
          recipients: ["recipient@example.com"], identity: "example.com", outcome: "suppressed:complaint"),
    // Accepted but not sent because the address is on the account suppression list: keep it blocked.
    .init(file: "event/Complaint.subtype-OnAccountSuppressionList.ope-tech.json", kind: .complaint, subtype: nil,
          recipients: ["recipient@example.com"], identity: "example.com", outcome: "suppressed:complaint"),
    .init(file: "event/Delivery.awsdocs.json", kind: .delivery, subtype: nil,
          recipients: ["recipient@example.com"], identity: "example.com", outcome: "recorded"),
    .init(file: "event/DeliveryDelay.awsdocs.json", kind: .deliveryDelay, subtype: "TransientCommunicationFailure",
          recipients: ["recipient@example.com"], identity: "example.com", outcome: "recorded"),
    .init(file: "event/Open.awsdocs.json", kind: .open, subtype: nil,
          recipients: ["recipient@example.com"], identity: "example.com", outcome: "recorded"),
    // A virus reject says nothing about the recipient.
    .init(file: "event/Reject.awsdocs.json", kind: .reject, subtype: "Bad content",
          recipients: ["sender@example.com"], identity: "example.com", outcome: "recorded"),
    .init(file: "event/RenderingFailure.awsdocs.json", kind: .renderingFailure, subtype: "MyTemplate",
          recipients: ["recipient@example.com"], identity: "example.com", outcome: "recorded"),
    .init(file: "event/Send.awsdocs.json", kind: .send, subtype: nil,
          recipients: ["recipient@example.com"], identity: "example.com", outcome: "recorded"),
    .init(file: "event/Subscription.awsdocs.json", kind: .subscription, subtype: "UnsubscribeAll",
          recipients: ["recipient@example.com"], identity: "example.com", outcome: "suppressed:unsubscribed"),
    .init(file: "notification/Bounce-Permanent-General.synthetic.cds-snc.json", kind: .hardBounce, subtype: "General",
          recipients: ["bounce@simulator.amazonses.com"], identity: "smtp_user", outcome: "suppressed:hard_bounce"),
    .init(file: "notification/Bounce-Permanent-General.with-dsn.awsdocs.json", kind: .hardBounce, subtype: "General",
          recipients: ["jane@example.com"], identity: "example.com", outcome: "suppressed:hard_bounce"),
    .init(file: "notification/Bounce-Permanent-General.without-dsn.awsdocs.json", kind: .hardBounce, subtype: "General",
          recipients: ["jane@example.com", "richard@example.com"], identity: "example.com", outcome: "suppressed:hard_bounce"),
    .init(file: "notification/Bounce-Permanent-NoEmail.synthetic.cds-snc.json", kind: .hardBounce, subtype: "NoEmail",
          recipients: ["bounce@simulator.amazonses.com"], identity: "smtp_user", outcome: "suppressed:hard_bounce"),
    .init(file: "notification/Bounce-Permanent-OnAccountSuppressionList.synthetic.cds-snc.json", kind: .hardBounce,
          subtype: "OnAccountSuppressionList", recipients: ["bounce@simulator.amazonses.com"], identity: "smtp_user",
          outcome: "suppressed:hard_bounce"),
    .init(file: "notification/Bounce-Permanent-Suppressed.mailbox-simulator.carbon.json", kind: .hardBounce,
          subtype: "Suppressed", recipients: ["hi@simulator.amazonses.com"], identity: "carbonmade.com",
          outcome: "suppressed:hard_bounce"),
    .init(file: "notification/Bounce-Permanent-Suppressed.synthetic.cds-snc.json", kind: .hardBounce, subtype: "Suppressed",
          recipients: ["bounce@simulator.amazonses.com"], identity: "smtp_user", outcome: "suppressed:hard_bounce"),
    // Message problems, not mailbox problems: recorded, never counted toward the soft-bounce limit.
    .init(file: "notification/Bounce-Transient-AttachmentRejected.synthetic.cds-snc.json", kind: .softBounce,
          subtype: "AttachmentRejected", recipients: ["bounce@simulator.amazonses.com"], identity: "smtp_user",
          outcome: "recorded:soft_bounce_attachment_rejected"),
    .init(file: "notification/Bounce-Transient-ContentRejected.synthetic.cds-snc.json", kind: .softBounce,
          subtype: "ContentRejected", recipients: ["bounce@simulator.amazonses.com"], identity: "smtp_user",
          outcome: "recorded:soft_bounce_content_rejected"),
    .init(file: "notification/Bounce-Transient-General.synthetic.cds-snc.json", kind: .softBounce, subtype: "General",
          recipients: ["bounce@simulator.amazonses.com"], identity: "smtp_user", outcome: "counted:soft_bounce 1/3"),
    .init(file: "notification/Bounce-Transient-MailboxFull.synthetic.cds-snc.json", kind: .softBounce, subtype: "MailboxFull",
          recipients: ["bounce@simulator.amazonses.com"], identity: "smtp_user",
          outcome: "counted:soft_bounce_mailbox_full 1/3"),
    .init(file: "notification/Bounce-Transient-MessageTooLarge.synthetic.cds-snc.json", kind: .softBounce,
          subtype: "MessageTooLarge", recipients: ["bounce@simulator.amazonses.com"], identity: "smtp_user",
          outcome: "recorded:soft_bounce_message_too_large"),
    .init(file: "notification/Bounce-Undetermined-Undetermined.synthetic.cds-snc.json", kind: .undeterminedBounce,
          subtype: "Undetermined", recipients: ["bounce@simulator.amazonses.com"], identity: "smtp_user",
          outcome: "recorded:undetermined_bounce"),
    .init(file: "notification/Complaint.feedback-abuse.awsdocs.json", kind: .complaint, subtype: "abuse",
          recipients: ["richard@example.com"], identity: "example.com", outcome: "suppressed:complaint"),
    .init(file: "notification/Complaint.feedback-abuse.mailbox-simulator.eff.json", kind: .complaint, subtype: "abuse",
          recipients: ["complaint@simulator.amazonses.com"], identity: "eff.org", outcome: "suppressed:complaint"),
    // The From has no '@' here, so the identity comes from sourceArn.
    .init(file: "notification/Complaint.feedback-abuse.synthetic.cds-snc.json", kind: .complaint, subtype: "abuse",
          recipients: ["recipient1@example.com"], identity: "notifications.service.gov.uk", outcome: "suppressed:complaint"),
    // No feedback report still means the recipient complained (ISPs strip reports): suppress.
    .init(file: "notification/Complaint.no-feedback-report.awsdocs.json", kind: .complaint, subtype: nil,
          recipients: ["richard@example.com"], identity: "example.com", outcome: "suppressed:complaint"),
    .init(file: "notification/Complaint.no-feedback-type.synthetic.cds-snc.json", kind: .complaint, subtype: nil,
          recipients: ["recipient1@example.com"], identity: "notifications.service.gov.uk", outcome: "suppressed:complaint"),
    .init(file: "notification/Complaint.no-feedback-type.tz-offset.carbon.json", kind: .complaint, subtype: nil,
          recipients: ["recipient1@example.com"], identity: "amazon.com", outcome: "suppressed:complaint"),
    .init(file: "notification/Complaint.subtype-OnAccountSuppressionList.synthetic.cds-snc.json", kind: .complaint,
          subtype: "abuse", recipients: ["recipient1@example.com"], identity: "notifications.service.gov.uk",
          outcome: "suppressed:complaint"),
    .init(file: "notification/Delivery.awsdocs.json", kind: .delivery, subtype: nil,
          recipients: ["jane@example.com"], identity: "example.com", outcome: "recorded"),
    .init(file: "notification/Delivery.mailbox-simulator.carbon.json", kind: .delivery, subtype: nil,
          recipients: ["success@simulator.amazonses.com"], identity: "ses-example.com", outcome: "recorded"),
]

struct SESEventParserTests {
    let normalizer = AddressNormalizer()

    @Test func tableCoversEveryFixtureFileAndTheIndex() throws {
        let files = try SESFixtures.allEventFiles()
        #expect(files == sesFixtureTable.map(\.file).sorted())
        let indexed = try SESFixtures.index().map(\.file).sorted()
        #expect(indexed == files)
    }

    @Test(arguments: sesFixtureTable)
    func parsesFixture(_ expected: SESFixtureExpectation) throws {
        let event = try SESEventParser.parse(try SESFixtures.bytes(expected.file), normalizer: normalizer)
        #expect(event.kind == expected.kind)
        #expect(event.identity == expected.identity)
        #expect(event.invalidAddresses.isEmpty)
        #expect(event.recipientEvents.map(\.address) == expected.recipients)
        #expect(!event.messageId.isEmpty)
        for recipient in event.recipientEvents {
            #expect(recipient.kind == expected.kind)
            #expect(recipient.subtype == expected.subtype)
            #expect(recipient.sesMessageId == event.messageId)
            #expect(recipient.timestamp == event.timestamp)
            #expect(recipient.identity == expected.identity)
            #expect(recipient.rawType == event.rawType)
        }
        #expect(event.format == (expected.file.hasPrefix("event/") ? .eventPublishing : .identityNotification))
    }

    @Test(arguments: sesFixtureTable)
    func fixtureGetsTheExpectedPolicyDecision(_ expected: SESFixtureExpectation) throws {
        let event = try SESEventParser.parse(try SESFixtures.bytes(expected.file), normalizer: normalizer)
        let first = try #require(event.recipientEvents.first)
        let decision = SuppressionPolicy().decide(first, state: RecipientState())
        #expect(decision.outcome == expected.outcome)
        if expected.outcome.hasPrefix("suppressed:") {
            guard case .upsert(let suppression) = try #require(decision.suppressionChanges.first) else {
                Issue.record("expected an upsert")
                return
            }
            #expect(suppression.address == first.address)
            #expect(suppression.source == event.messageId)
            #expect(suppression.firstSeen == first.timestamp)
        } else {
            #expect(decision.suppressionChanges.isEmpty)
        }
    }

    @Test func fixtureKindsAgreeWithTheIndex() throws {
        for entry in try SESFixtures.index() {
            let event = try SESEventParser.parse(try SESFixtures.bytes(entry.file), normalizer: normalizer)
            #expect(event.rawType == entry.type, "\(entry.file)")
            #expect(event.format == (entry.format == "eventType" ? .eventPublishing : .identityNotification))
            if let bounceSubType = entry.bounceSubType {
                #expect(event.recipientEvents.first?.subtype == bounceSubType, "\(entry.file)")
            }
            if entry.type == "Complaint" {
                #expect(event.recipientEvents.first?.subtype == entry.complaintFeedbackType, "\(entry.file)")
                #expect(event.recipientEvents.first?.detail == entry.complaintSubType, "\(entry.file)")
            }
        }
    }

    @Test func keepsTopLevelFields() throws {
        let event = try SESEventParser.parse(try SESFixtures.bytes("event/Bounce-Permanent-General.awsdocs.json"), normalizer: normalizer)
        #expect(event.rawType == "Bounce")
        #expect(event.messageId == "EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000")
        #expect(event.configurationSet == "ConfigSet")
        #expect(event.source == "Sender Name <sender@example.com>")
        #expect(event.from == ["Sender Name <sender@example.com>"])
        #expect(event.tags["ses:source-ip"] == ["192.0.2.0"])
        // The bounce's own timestamp, not mail.timestamp.
        #expect(event.timestamp == Date(timeIntervalSince1970: 1_501_893_662.669))
        #expect(event.mailTimestamp == Date(timeIntervalSince1970: 1_501_893_602.012))
        let recipient = try #require(event.recipientEvents.first)
        #expect(recipient.detail == "smtp; 550 5.1.1 user unknown")
        #expect(recipient.scope == "")
    }

    @Test func readsTimezoneOffsets() throws {
        let event = try SESEventParser.parse(
            try SESFixtures.bytes("notification/Complaint.no-feedback-type.tz-offset.carbon.json"), normalizer: normalizer
        )
        // 2012-05-25T14:59:38.613-07:00 == 2012-05-25T21:59:38.613Z
        let expected = Date(timeIntervalSince1970: 1_337_983_178.613)
        let timestamp = try #require(event.timestamp)
        #expect(abs(timestamp.timeIntervalSince(expected)) < 0.0005)
    }

    @Test func subscriptionScopeIsTheContactList() throws {
        let event = try SESEventParser.parse(try SESFixtures.bytes("event/Subscription.awsdocs.json"), normalizer: normalizer)
        let recipient = try #require(event.recipientEvents.first)
        #expect(recipient.scope == "ContactListName")
        #expect(recipient.detail == "UnsubscribeHeader")
    }

    @Test func everyBouncedRecipientCounts() throws {
        let json = #"""
        {"notificationType":"Bounce","bounce":{"bounceType":"Transient","bounceSubType":"MailboxFull",
         "bouncedRecipients":[{"emailAddress":"A@Example.com"},{"emailAddress":"\"Bob\" <bob@EXAMPLE.org>"},
         {"emailAddress":"not an address"},{"emailAddress":"a@example.COM"},{"emailAddress":"c@bücher.example"}],
         "timestamp":"2024-02-29T23:59:59Z"},
         "mail":{"messageId":"m-1","timestamp":"2024-02-29T23:59:58.5+01:00","source":"x@sender.test",
         "destination":["a@example.com","bob@example.org","c@bücher.example"]}}
        """#
        let event = try SESEventParser.parse(json, normalizer: normalizer)
        #expect(event.kind == .softBounce)
        // The duplicate (case-insensitive) is one event; the invalid one is reported, not fatal.
        #expect(event.recipientEvents.map(\.address) == ["a@example.com", "bob@example.org", "c@xn--bcher-kva.example"])
        #expect(event.recipientEvents.map(\.originalAddress) == ["A@Example.com", "bob@EXAMPLE.org", "c@bücher.example"])
        #expect(event.invalidAddresses == ["not an address"])
        #expect(event.identity == "sender.test")
        #expect(event.timestamp == Date(timeIntervalSince1970: 1_709_251_199))
    }

    @Test func subscriptionOptOutsYieldOneEventPerTopicAndRecipient() throws {
        let json = #"""
        {"eventType":"Subscription","mail":{"messageId":"m-2","timestamp":"2022-01-12T01:00:14.340Z",
         "source":"s@example.com","destination":["one@example.com","two@example.com"]},
         "subscription":{"contactList":"News","timestamp":"2022-01-12T01:00:17.910Z","source":"UnsubscribeHeader",
          "newTopicPreferences":{"unsubscribeAll":false,"topicSubscriptionStatus":[
           {"topicName":"Weekly","subscriptionStatus":"OptOut"},{"topicName":"Offers","subscriptionStatus":"OptIn"},
           {"topicName":"Daily","subscriptionStatus":"OptOut"}]}}}
        """#
        let event = try SESEventParser.parse(json, normalizer: normalizer)
        let pairs = event.recipientEvents.map { "\($0.address) \($0.scope) \($0.subtype ?? "-")" }
        #expect(pairs == [
            "one@example.com News/Weekly OptOut", "one@example.com News/Daily OptOut",
            "two@example.com News/Weekly OptOut", "two@example.com News/Daily OptOut",
        ])
    }

    @Test func subscriptionWithoutOptOutIsAnOptIn() throws {
        let json = #"""
        {"eventType":"Subscription","mail":{"messageId":"m-3","timestamp":"2022-01-12T01:00:14Z","destination":["one@example.com"]},
         "subscription":{"contactList":"News","timestamp":"2022-01-12T01:00:17Z",
          "newTopicPreferences":{"unsubscribeAll":false,"topicSubscriptionStatus":[{"topicName":"Weekly","subscriptionStatus":"OptIn"}]}}}
        """#
        let event = try SESEventParser.parse(json, normalizer: normalizer)
        #expect(event.recipientEvents.map(\.subtype) == ["OptIn"])
        #expect(event.recipientEvents.map(\.scope) == ["News"])
    }

    @Test func unsubscribedRecipientBounceTakesScopeFromTags() throws {
        let json = #"""
        {"eventType":"Bounce","bounce":{"bounceType":"Permanent","bounceSubType":"UnsubscribedRecipient",
         "bouncedRecipients":[{"emailAddress":"u@example.com"}],"timestamp":"2023-01-01T00:00:00.000Z"},
         "mail":{"messageId":"m-4","timestamp":"2023-01-01T00:00:00.000Z",
          "tags":{"sluice-contact-list":["News"],"sluice-topic":["Weekly"],"ses:from-domain":["Mail.Example.com"]}}}
        """#
        let event = try SESEventParser.parse(json, normalizer: normalizer)
        #expect(event.recipientEvents.map(\.scope) == ["News/Weekly"])
        #expect(event.identity == "mail.example.com")
    }

    @Test func unknownTypeIsKeptNotRejected() throws {
        let json = #"{"eventType":"Teleport","mail":{"messageId":"m-5","timestamp":"2030-01-01T00:00:00Z","destination":["a@example.com"]},"teleport":{"x":1}}"#
        let event = try SESEventParser.parse(json, normalizer: normalizer)
        #expect(event.kind == .unknown)
        #expect(event.rawType == "Teleport")
        #expect(event.recipientEvents.map(\.rawType) == ["Teleport"])
        #expect(event.recipientEvents.map(\.kind) == [.unknown])
    }

    @Test func subscriptionSucceededNoticeWithoutMailIsUnknown() throws {
        let json = #"{"notificationType":"AmazonSnsSubscriptionSucceeded","message":"You have successfully subscribed your Amazon SNS topic"}"#
        let event = try SESEventParser.parse(json, normalizer: normalizer)
        #expect(event.kind == .unknown)
        #expect(event.format == .identityNotification)
        #expect(event.recipientEvents.isEmpty)
        #expect(event.timestamp == nil)
    }

    @Test func unknownFieldsAreIgnored() throws {
        let json = #"""
        {"eventType":"Delivery","futureField":{"nested":[1,2,{"a":null}]},
         "mail":{"messageId":"m-6","timestamp":"2030-01-01T00:00:00Z","newThing":true,"destination":["a@example.com"]},
         "delivery":{"timestamp":"2030-01-01T00:00:01Z","recipients":["a@example.com"],"processingTimeMillis":5,"extra":"x"}}
        """#
        let event = try SESEventParser.parse(json, normalizer: normalizer)
        #expect(event.kind == .delivery)
        #expect(event.recipientEvents.count == 1)
    }

    @Test func renderingFailureWithoutDestinationStillRecords() throws {
        let json = #"{"eventType":"Rendering Failure","mail":{"messageId":"m-7","timestamp":"2018-01-22T18:43:06.197Z"},"failure":{"templateName":"T","errorMessage":"boom"}}"#
        let event = try SESEventParser.parse(json, normalizer: normalizer)
        #expect(event.recipientEvents.count == 1)
        #expect(event.recipientEvents.first?.address == "")
        #expect(event.recipientEvents.first?.detail == "boom")
    }

    static let garbage: [(String, SESEventError.Code)] = [
        ("", .notJSON),
        ("not json", .notJSON),
        ("[1,2,3]", .notJSON),
        ("\"Bounce\"", .notJSON),
        (#"{"mail":{"messageId":"x","timestamp":"2020-01-01T00:00:00Z"}}"#, .missingType),
        (#"{"notificationType":"Bounce","bounce":{"bounceType":"Permanent"}}"#, .missingMail),
        (#"{"eventType":"Send","mail":{"timestamp":"2020-01-01T00:00:00Z"}}"#, .missingMessageId),
        (#"{"eventType":"Send","mail":{"messageId":"x","timestamp":"yesterday"}}"#, .invalidTimestamp),
        (#"{"eventType":"Bounce","mail":{"messageId":"x","timestamp":"2020-01-01T00:00:00Z"},"bounce":{"bouncedRecipients":"oops"}}"#, .notJSON),
    ]

    @Test(arguments: garbage)
    func rejectsGarbage(_ input: String, _ code: SESEventError.Code) {
        let error = #expect(throws: SESEventError.self) { try SESEventParser.parse(input, normalizer: normalizer) }
        #expect(error?.code == code)
    }

    @Test func rejectsOversizedInput() {
        let big = [UInt8](repeating: UInt8(ascii: " "), count: SESEventParser.maxMessageBytes + 1)
        let error = #expect(throws: SESEventError.self) { try SESEventParser.parse(big, normalizer: normalizer) }
        #expect(error?.code == .tooLarge)
    }

    @Test func typeNamesAreMatchedCaseInsensitivelyAsBefore() {
        #expect(SESEventParser.kind(of: "BOUNCE", bounceType: "PERMANENT") == .hardBounce)
        #expect(SESEventParser.kind(of: "Bounce", bounceType: "Transient") == .softBounce)
        #expect(SESEventParser.kind(of: "bounce", bounceType: "Undetermined") == .undeterminedBounce)
        #expect(SESEventParser.kind(of: "bounce", bounceType: nil) == .undeterminedBounce)
        #expect(SESEventParser.kind(of: "DeliveryDelay", bounceType: nil) == .deliveryDelay)
        #expect(SESEventParser.kind(of: "Rendering Failure", bounceType: nil) == .renderingFailure)
        // Unicode lower-casing is kept for non-ASCII spellings: KELVIN SIGN lower-cases to "k".
        #expect(SESEventParser.kind(of: "clic\u{212A}", bounceType: nil) == .click)
        #expect(SESEventParser.kind(of: "Bounced", bounceType: nil) == .unknown)
    }

    @Test func duplicatesAreDroppedBeforeAndAfterTheListTurnsIntoASet() throws {
        // 20 distinct recipients, each named twice (the first one also in upper case at the very end):
        // the first pair, the short list and the set must all see the repeats.
        var names = (0..<20).map { "r\($0)@example.com" }
        names += names.reversed()
        names.append("R0@EXAMPLE.COM")
        let list = names.map { #"{"emailAddress":"\#($0)"}"# }.joined(separator: ",")
        let json = #"{"notificationType":"Bounce","bounce":{"bounceType":"Permanent","bouncedRecipients":["#
            + list + #"],"timestamp":"2024-02-29T23:59:59Z"},"mail":{"messageId":"m-1","timestamp":"2024-02-29T23:59:58Z","#
            + #""source":"x@sender.test","tags":{"ses:from-domain":["Sender.Example"]}}}"#
        let event = try SESEventParser.parse(json, normalizer: normalizer)
        #expect(event.recipientEvents.map(\.address) == (0..<20).map { "r\($0)@example.com" })
        #expect(event.identity == "sender.example")
    }
}
