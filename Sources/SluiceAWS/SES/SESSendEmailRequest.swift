/// SES v2 `SendEmail` input (`POST /v2/email/outbound-emails`).
public struct SESSendEmailRequest: Sendable, Equatable {
    /// Recipients; SES allows 50 in total.
    public struct Destination: Sendable, Equatable {
        public var to: [String]
        public var cc: [String]
        public var bcc: [String]
        public init(to: [String] = [], cc: [String] = [], bcc: [String] = []) {
            self.to = to
            self.cc = cc
            self.bcc = bcc
        }
    }

    /// An `EmailTags` entry (`[A-Za-z0-9_-]`, ≤ 256 characters each), echoed in event notifications.
    public struct Tag: Sendable, Equatable {
        public var name: String
        public var value: String
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// Makes SES add `List-Unsubscribe` headers for a contact list (single-recipient sends only).
    public struct ListManagementOptions: Sendable, Equatable {
        public var contactListName: String
        public var topicName: String?
        public init(contactListName: String, topicName: String? = nil) {
            self.contactListName = contactListName
            self.topicName = topicName
        }
    }

    /// A verified identity, optionally `Name <addr>`.
    public var fromEmailAddress: String
    public var destination: Destination
    public var replyToAddresses: [String]
    public var content: SESEmailContent
    public var emailTags: [Tag]
    public var configurationSetName: String?
    public var listManagementOptions: ListManagementOptions?
    /// Where bounces and complaints are forwarded by email (`FeedbackForwardingEmailAddress`).
    public var feedbackForwardingEmailAddress: String?

    public init(
        fromEmailAddress: String, destination: Destination = Destination(), replyToAddresses: [String] = [],
        content: SESEmailContent, emailTags: [Tag] = [], configurationSetName: String? = nil,
        listManagementOptions: ListManagementOptions? = nil, feedbackForwardingEmailAddress: String? = nil
    ) {
        self.fromEmailAddress = fromEmailAddress
        self.destination = destination
        self.replyToAddresses = replyToAddresses
        self.content = content
        self.emailTags = emailTags
        self.configurationSetName = configurationSetName
        self.listManagementOptions = listManagementOptions
        self.feedbackForwardingEmailAddress = feedbackForwardingEmailAddress
    }
}

/// SES v2 `SendEmail` output.
public struct SESSendEmailResponse: Sendable, Equatable {
    /// The SES message id (also `mail.messageId` in later events); nil when SES's JSON answer had none.
    public var messageId: String?
    public init(messageId: String?) { self.messageId = messageId }
}
