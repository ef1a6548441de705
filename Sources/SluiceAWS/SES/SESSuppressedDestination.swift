import Foundation

/// Why an address is on the SES account-level suppression list.
public enum SESSuppressionReason: String, Sendable, CaseIterable {
    case bounce = "BOUNCE"
    case complaint = "COMPLAINT"
}

/// One `SuppressedDestinationSummaries` entry.
public struct SESSuppressedDestination: Sendable, Equatable {
    public var emailAddress: String
    /// The raw reason (`BOUNCE` / `COMPLAINT`), kept as text so new values do not break parsing.
    public var reason: String
    public var lastUpdateTime: Date?

    public init(emailAddress: String, reason: String, lastUpdateTime: Date?) {
        self.emailAddress = emailAddress
        self.reason = reason
        self.lastUpdateTime = lastUpdateTime
    }
}

/// One page of `ListSuppressedDestinations`.
public struct SESSuppressedDestinationPage: Sendable, Equatable {
    public var destinations: [SESSuppressedDestination]
    /// Pass to the next call; nil on the last page.
    public var nextToken: String?

    public init(destinations: [SESSuppressedDestination], nextToken: String?) {
        self.destinations = destinations
        self.nextToken = nextToken
    }

    init(json object: [String: Any]) {
        let items = object["SuppressedDestinationSummaries"] as? [[String: Any]] ?? []
        destinations = items.compactMap { item in
            guard let address = item["EmailAddress"] as? String else { return nil }
            // JSON timestamps in rest-json are epoch seconds.
            let time = SESJSON.double(item["LastUpdateTime"]).map { Date(timeIntervalSince1970: $0) }
            return SESSuppressedDestination(emailAddress: address, reason: item["Reason"] as? String ?? "", lastUpdateTime: time)
        }
        nextToken = (object["NextToken"] as? String).flatMap { $0.isEmpty ? nil : $0 }
    }
}
