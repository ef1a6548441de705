import Foundation
import SluiceCore
import SluiceCrypto

/// Adds RFC 8058 one-click unsubscribe headers to a bulk message at accept time:
/// `List-Unsubscribe: <base/u/TOKEN>, <mailto:addr?subject=unsubscribe%20TOKEN>` and
/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click`. When the caller supplied both headers they are
/// kept as is; a lone caller header is replaced (two `List-Unsubscribe` headers would confuse receivers).
enum UnsubscribeHeaders {
    static let listUnsubscribe = "List-Unsubscribe"
    static let listUnsubscribePost = "List-Unsubscribe-Post"
    static let oneClick = "List-Unsubscribe=One-Click"

    /// Stamps `message` when it is bulk; non-bulk messages are returned unchanged.
    static func apply(to message: OutboundMessage, settings: UnsubscribeSettings, now: Date) throws(SendValidationError) -> OutboundMessage {
        guard settings.isBulk(message) else { return message }
        if let raw = message.raw {
            let names = RawMIMEHeaders.names(in: raw)
            if names.contains(listUnsubscribe.lowercased()), names.contains(listUnsubscribePost.lowercased()) { return message }
        } else {
            let names = Set(message.headers.map { $0.name.lowercased() })
            if names.contains(listUnsubscribe.lowercased()), names.contains(listUnsubscribePost.lowercased()) { return message }
        }
        guard settings.isEnabled, let codec = settings.codec else {
            throw SendValidationError(.invalidUnsubscribe, field: "bulk", "bulk mail needs unsubscribe.base_url and unsubscribe.keys configured (or both List-Unsubscribe headers supplied)")
        }
        guard message.recipients.count == 1, let recipient = message.recipients.first else {
            throw SendValidationError(.invalidUnsubscribe, field: "to", "bulk mail goes to exactly one recipient: the unsubscribe link names it")
        }
        let token: String
        do {
            token = try codec.issue(UnsubscribeToken(recipient: recipient, list: message.list, issuedAt: now))
        } catch {
            throw SendValidationError(.invalidUnsubscribe, field: "to", "cannot issue an unsubscribe token: \(error.message)")
        }
        let value = headerValue(token: token, settings: settings)
        guard value.utf8.count + listUnsubscribe.utf8.count <= 996 else {
            throw SendValidationError(.invalidUnsubscribe, field: "to", "the unsubscribe link would exceed SES's header length limit")
        }
        var stamped = message
        let ours = [OutboundMessage.Header(name: listUnsubscribe, value: value), .init(name: listUnsubscribePost, value: oneClick)]
        if let raw = message.raw {
            stamped.raw = RawMIMEHeaders.replacing([listUnsubscribe, listUnsubscribePost], with: ours, in: raw)
        } else {
            let drop: Set<String> = [listUnsubscribe.lowercased(), listUnsubscribePost.lowercased()]
            stamped.headers.removeAll { drop.contains($0.name.lowercased()) }
            guard stamped.headers.count + 2 <= MessageRequestValidator.maxHeaders else {
                throw SendValidationError(.invalidHeader, field: "headers", "bulk mail gets two unsubscribe headers; give at most \(MessageRequestValidator.maxHeaders - 2) others")
            }
            stamped.headers += ours
        }
        return stamped
    }

    /// The `List-Unsubscribe` value; the mailto part is left out when it would make the header too long.
    static func headerValue(token: String, settings: UnsubscribeSettings) -> String {
        let https = "<\(settings.baseURL)/u/\(token)>"
        guard !settings.mailto.isEmpty else { return https }
        let both = https + ", <mailto:\(settings.mailto)?subject=unsubscribe%20\(token)>"
        return both.utf8.count + listUnsubscribe.utf8.count <= 996 ? both : https
    }
}
