import Foundation

extension SESSendEmailRequest {
    /// The rest-json body (member names from the SES v2 model; empty lists and nil members omitted).
    func jsonBody() throws(SESError) -> [UInt8] {
        var object: [String: Any] = ["FromEmailAddress": fromEmailAddress, "Content": content.jsonObject]
        var dest: [String: Any] = [:]
        if !destination.to.isEmpty { dest["ToAddresses"] = destination.to }
        if !destination.cc.isEmpty { dest["CcAddresses"] = destination.cc }
        if !destination.bcc.isEmpty { dest["BccAddresses"] = destination.bcc }
        if !dest.isEmpty { object["Destination"] = dest }
        if !replyToAddresses.isEmpty { object["ReplyToAddresses"] = replyToAddresses }
        if !emailTags.isEmpty { object["EmailTags"] = emailTags.map { ["Name": $0.name, "Value": $0.value] } }
        if let configurationSetName { object["ConfigurationSetName"] = configurationSetName }
        if let feedbackForwardingEmailAddress { object["FeedbackForwardingEmailAddress"] = feedbackForwardingEmailAddress }
        if let options = listManagementOptions {
            var o: [String: Any] = ["ContactListName": options.contactListName]
            if let topic = options.topicName { o["TopicName"] = topic }
            object["ListManagementOptions"] = o
        }
        return try SESJSON.encode(object)
    }
}

extension SESEmailContent {
    var jsonObject: [String: Any] {
        switch self {
        case .raw(let bytes):
            return ["Raw": ["Data": Data(bytes).base64EncodedString()]]
        case .simple(let simple):
            var body: [String: Any] = [:]
            if let text = simple.text { body["Text"] = text.jsonObject }
            if let html = simple.html { body["Html"] = html.jsonObject }
            var message: [String: Any] = ["Subject": simple.subject.jsonObject, "Body": body]
            if !simple.headers.isEmpty { message["Headers"] = simple.headers.map { ["Name": $0.name, "Value": $0.value] } }
            return ["Simple": message]
        }
    }
}

extension SESEmailContent.Text {
    var jsonObject: [String: Any] {
        ["Data": data, "Charset": charset ?? "UTF-8"]
    }
}

/// JSON helpers over `JSONSerialization` (sorted keys, so bodies are deterministic for tests and signing).
enum SESJSON {
    static func encode(_ object: [String: Any]) throws(SESError) -> [UInt8] {
        do {
            return Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
        } catch {
            throw SESError(.invalidRequest, "request body cannot be encoded as JSON", retry: .permanent)
        }
    }

    /// The body as a JSON object; an empty body counts as `{}`.
    static func decodeObject(_ body: [UInt8], operation: String) throws(SESError) -> [String: Any] {
        if body.isEmpty { return [:] }
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            throw SESError(.invalidResponse, "\(operation): response is not a JSON object", retry: .permanent)
        }
        return object
    }

    /// Numbers arrive as NSNumber; accept Int or Double.
    static func double(_ value: Any?) -> Double? {
        if let d = value as? Double { return d }
        if let i = value as? Int { return Double(i) }
        return nil
    }
}
