/// SES v2 `GetAccount` output (the parts the gate uses).
public struct SESAccount: Sendable, Equatable {
    /// `SendQuota`; doubles as in the API.
    public struct SendQuota: Sendable, Equatable {
        /// Recipients per rolling 24 h; `-1` means unlimited.
        public var max24HourSend: Double
        /// Recipients per second.
        public var maxSendRate: Double
        public var sentLast24Hours: Double
        public init(max24HourSend: Double, maxSendRate: Double, sentLast24Hours: Double) {
            self.max24HourSend = max24HourSend
            self.maxSendRate = maxSendRate
            self.sentLast24Hours = sentLast24Hours
        }
    }

    /// nil when SES omitted it.
    public var sendQuota: SendQuota?
    public var sendingEnabled: Bool
    /// false = sandbox.
    public var productionAccessEnabled: Bool
    /// `HEALTHY`, `PROBATION` or `SHUTDOWN`.
    public var enforcementStatus: String?
    /// `SuppressionAttributes.SuppressedReasons` (`BOUNCE`, `COMPLAINT`).
    public var suppressedReasons: [String]

    public init(
        sendQuota: SendQuota?, sendingEnabled: Bool, productionAccessEnabled: Bool, enforcementStatus: String?,
        suppressedReasons: [String] = []
    ) {
        self.sendQuota = sendQuota
        self.sendingEnabled = sendingEnabled
        self.productionAccessEnabled = productionAccessEnabled
        self.enforcementStatus = enforcementStatus
        self.suppressedReasons = suppressedReasons
    }

    /// Parses the `GetAccount` JSON object.
    init(json object: [String: Any]) {
        if let quota = object["SendQuota"] as? [String: Any] {
            sendQuota = SendQuota(
                max24HourSend: SESJSON.double(quota["Max24HourSend"]) ?? 0,
                maxSendRate: SESJSON.double(quota["MaxSendRate"]) ?? 0,
                sentLast24Hours: SESJSON.double(quota["SentLast24Hours"]) ?? 0)
        }
        sendingEnabled = object["SendingEnabled"] as? Bool ?? false
        productionAccessEnabled = object["ProductionAccessEnabled"] as? Bool ?? false
        enforcementStatus = object["EnforcementStatus"] as? String
        suppressedReasons = (object["SuppressionAttributes"] as? [String: Any])?["SuppressedReasons"] as? [String] ?? []
    }
}
