extension SNSSecurityPolicy {
    /// Checks `SigningCertURL` before anything is fetched: the configured regex on the whole string,
    /// a strict structural parse (https, no user info, no query or fragment, lowercase host, no `%`
    /// or backslash, no dot segments) and the SNS host/region rule described on the type.
    public func checkCertificateURL(_ url: String, topicArn: String) throws(SNSMessageError) {
        func refuse(_ reason: String) -> SNSMessageError {
            SNSMessageError(
                .certificateURLNotAllowed, "SigningCertURL \(SNSMessageError.quote(url)) refused: \(reason)",
                field: "SigningCertURL")
        }
        let parsed: SNSStrictURL
        switch SNSStrictURL.parse(url) {
        case .success(let p): parsed = p
        case .failure(let refusal): throw refuse(refusal.reason)
        }
        guard parsed.query == nil else { throw refuse("URL has a query") }
        guard parsed.path.hasSuffix(".pem"), parsed.path.count > 5 else { throw refuse("path does not end in .pem") }
        guard (try? compiledPattern().wholeMatch(in: url)) != nil else {
            throw refuse("URL does not match certURLPattern")
        }
        // With the default pattern only SNS hosts get this far; a custom pattern may admit a test host.
        let custom = certURLPattern != Self.defaultCertURLPattern
        if let reason = snsHostRefusal(parsed, topicArn: topicArn, allowOtherHost: custom) { throw refuse(reason) }
    }

    /// Checks `SubscribeURL` before it is visited: https to the topic's regional SNS host (or a listed
    /// test host), path `/`, query with `Action=ConfirmSubscription`, `TopicArn` equal to the message's
    /// and a non-empty `Token` (equal to `token` when given); repeated parameters are refused.
    public func checkSubscribeURL(_ url: String, topicArn: String, token: String? = nil) throws(SNSMessageError) {
        func refuse(_ reason: String) -> SNSMessageError {
            SNSMessageError(
                .subscribeURLNotAllowed, "SubscribeURL \(SNSMessageError.quote(url)) refused: \(reason)",
                field: "SubscribeURL")
        }
        let parsed: SNSStrictURL
        switch SNSStrictURL.parse(url) {
        case .success(let p): parsed = p
        case .failure(let refusal): throw refuse(refusal.reason)
        }
        let listed = extraSubscribeHosts.contains(parsed.authority)
        if let reason = snsHostRefusal(parsed, topicArn: topicArn, allowOtherHost: listed) { throw refuse(reason) }
        guard parsed.path == "/" else { throw refuse("path is not /") }
        guard let query = parsed.query, !query.isEmpty else { throw refuse("URL has no query") }

        var params: [String: String] = [:]
        for pair in query.split(separator: "&", omittingEmptySubsequences: false) {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard kv.count == 2, let name = SigV4Encoding.percentDecode(String(kv[0])),
                let value = SigV4Encoding.percentDecode(String(kv[1]))
            else { throw refuse("query is malformed") }
            guard params[name] == nil else { throw refuse("query repeats a parameter") }
            params[name] = value
        }
        guard params["Action"] == "ConfirmSubscription" else { throw refuse("Action is not ConfirmSubscription") }
        guard params["TopicArn"] == topicArn else { throw refuse("TopicArn differs from the message's TopicArn") }
        guard let urlToken = params["Token"], !urlToken.isEmpty else { throw refuse("Token is missing") }
        if let token, token != urlToken { throw refuse("Token differs from the message's Token") }
    }

    /// nil when the host is acceptable; otherwise why not.
    func snsHostRefusal(_ url: SNSStrictURL, topicArn: String, allowOtherHost: Bool) -> String? {
        if allowOtherHost && !url.host.contains("amazonaws") {
            return nil  // a test host the operator configured explicitly
        }
        guard let arn = SNSTopicARN(topicArn) else { return "TopicArn is not an SNS topic ARN" }
        guard url.host == arn.snsHost else { return "host is not the SNS endpoint of the topic's region" }
        if let port = url.port, port != 443 { return "port is not 443" }
        return nil
    }
}
