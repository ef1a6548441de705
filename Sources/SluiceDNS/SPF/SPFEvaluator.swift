/// Walks an SPF record and everything it includes, counting DNS lookups the way RFC 7208 §4.6.4
/// does for a receiver that evaluates every term. No sender IP is involved: this checks the
/// record's health, not a message.
public struct SPFEvaluator: Sendable {
    /// The include target that authorises Amazon SES.
    public static let amazonSESDomain = "amazonses.com"

    private let lookup: any DNSLookup

    public init(lookup: any DNSLookup) {
        self.lookup = lookup
    }

    /// Fetches the SPF records at `domain`: all TXT records starting with "v=spf1".
    public func records(at domain: String) async throws(DNSError) -> (result: DNSLookupResult, spf: [String]) {
        let result = try await lookup.lookup(domain, .txt)
        return (result, result.texts.filter(SPFRecord.isSPF))
    }

    /// Evaluates `record`, published at `domain`, and its includes/redirects.
    public func evaluate(_ record: SPFRecord, at domain: String) async -> SPFEvaluation {
        var state = SPFEvaluation()
        await walk(
            record, at: DNSName.normalized(domain), path: [DNSName.normalized(domain)], redirectChain: true, above: NonPassing(),
            state: &state)
        return state
    }

    /// Includes without the pass qualifier above a record (RFC 7208 §5.2: an include matches only when its
    /// target passes, and then gives its own qualifier). Where one sits decides what a pass below it means
    /// for SES mail: on the redirect chain (the top record or one reached by `redirect=`) it sets the top
    /// record's result (`~include:x` → softfail); deeper down it only makes its own include fail to match,
    /// and evaluation goes on to the next term, where another path may still pass.
    struct NonPassing {
        /// One on the redirect chain: "term at domain".
        var decisive: String?
        /// One inside an included record.
        var path: String?
    }

    /// - Parameters:
    ///   - redirectChain: `record` is the top record or reached from it through `redirect=` only:
    ///     its `all` is the one in effect (an included record's `all` only ends the include).
    ///   - above: the non-pass includes on the way to `record`.
    private func walk(
        _ record: SPFRecord, at domain: String, path: [String], redirectChain: Bool, above: NonPassing, state: inout SPFEvaluation
    ) async {
        if redirectChain, let qualifier = record.allQualifier {
            state.effectiveAll = qualifier
            state.effectiveAllSource = SPFEvaluation.AllSource(domain: domain, record: record.text)
        }
        // RFC 7208 §5.1: mechanisms after "all" will never be tested (and cost no lookups).
        for directive in record.directivesUpToAll where directive.mechanism.countsAsLookup {
            guard await count(directive.text, at: path, state: &state) else { return }
            switch directive.mechanism {
            case .include(let spec):
                let target = DNSName.normalized(spec)
                var below = above
                if directive.qualifier != .pass {
                    let term = "\(directive.text) at \(domain)"
                    if redirectChain { below.decisive = term } else { below.path = below.path ?? term }
                }
                if target == SPFEvaluator.amazonSESDomain { noteSESPath(below, state: &state) }
                guard !SPFDomainSpec.hasMacro(spec) else { continue }
                guard let nested = await fetch(target, via: directive.text, path: path, state: &state) else { continue }
                await walk(nested, at: target, path: path + [target], redirectChain: false, above: below, state: &state)
            case .a(let spec):
                await addressLookup(spec.map(DNSName.normalized) ?? domain, state: &state)
            case .exists(let spec):
                guard !SPFDomainSpec.hasMacro(spec) else { continue }
                await voidCheck(DNSName.normalized(spec), .a, state: &state)
            case .mx(let spec):
                let target = spec.map(DNSName.normalized) ?? domain
                guard !SPFDomainSpec.hasMacro(target) else { continue }
                do {
                    let answer = try await lookup.lookup(target, .mx)
                    if answer.isVoid { state.voidLookupCount += 1 }
                    // RFC 7208 §4.6.4: more than 10 MX names is a permerror. The address lookups of the
                    // MX names do not count towards the 10 and are not made here.
                    if answer.records.count > 10 {
                        state.problems.append("\(directive.text) at \(domain): \(target) has more than 10 MX records")
                    }
                } catch {
                    note(error, state: &state)
                }
            case .ptr:
                // Needs the sender IP; counted, not resolved.
                continue
            case .all, .ip4, .ip6:
                continue
            }
        }
        // redirect= is ignored when the record has an all mechanism (RFC 7208 §6.1).
        if let spec = record.redirect, record.allQualifier == nil {
            guard await count("redirect=\(spec)", at: path, state: &state) else { return }
            guard !SPFDomainSpec.hasMacro(spec) else { return }
            let target = DNSName.normalized(spec)
            // A redirect hands over the whole result: it passes SES exactly when the includes above it pass.
            if target == SPFEvaluator.amazonSESDomain { noteSESPath(above, state: &state) }
            guard let nested = await fetch(target, via: "redirect=\(spec)", path: path, state: &state) else { return }
            await walk(nested, at: target, path: path + [target], redirectChain: redirectChain, above: above, state: &state)
        }
    }

    /// amazonses.com reached with `above` on the way. The walk goes in evaluation order and the first match
    /// decides (RFC 7208 §4.6.2): a path with only pass includes authorises SES; one under a non-pass include
    /// on the redirect chain gives the top record that include's result instead. Both decide. A path under a
    /// non-pass include deeper down does not match at all, so a later path may still decide; it is kept as
    /// the reason should none do.
    private func noteSESPath(_ above: NonPassing, state: inout SPFEvaluation) {
        guard !state.sesDecided else { return }
        if let blocked = above.path {
            if state.nonPassingSESInclude == nil { state.nonPassingSESInclude = blocked }
            return
        }
        state.sesDecided = true
        if let decisive = above.decisive {
            state.nonPassingSESInclude = decisive
        } else {
            state.authorizesAmazonSES = true
            state.nonPassingSESInclude = nil
        }
    }

    /// Counts one lookup term; false once the limit is crossed (evaluation stops with permerror).
    private func count(_ term: String, at path: [String], state: inout SPFEvaluation) async -> Bool {
        guard state.temporaryError == nil, !state.exceedsLookupLimit else { return false }
        state.lookupCount += 1
        if state.exceedsLookupLimit {
            state.limitExceededAt = (path + [term]).joined(separator: " → ")
            return false
        }
        return true
    }

    /// The single SPF record at an include/redirect target, or nil after noting why not.
    private func fetch(_ target: String, via term: String, path: [String], state: inout SPFEvaluation) async -> SPFRecord? {
        // RFC 7208 §5.2: a loop would recurse until the lookup limit; stop it early with a clearer message.
        guard !path.contains(target) else {
            state.problems.append("\(term) loops back to \(target)")
            return nil
        }
        do {
            let (result, spf) = try await records(at: target)
            if result.isVoid { state.voidLookupCount += 1 }
            guard spf.count == 1 else {
                state.problems.append(
                    spf.isEmpty ? "\(term): \(target) has no SPF record" : "\(term): \(target) has \(spf.count) SPF records")
                return nil
            }
            do {
                return try SPFRecord(parsing: spf[0])
            } catch {
                state.problems.append("\(term): \(target): \(error)")
                return nil
            }
        } catch {
            note(error, state: &state)
            return nil
        }
    }

    /// a: an A or AAAA answer makes it non-void.
    private func addressLookup(_ target: String, state: inout SPFEvaluation) async {
        guard !SPFDomainSpec.hasMacro(target) else { return }
        do {
            let v4 = try await lookup.lookup(target, .a)
            guard v4.isVoid else { return }
            let v6 = try await lookup.lookup(target, .aaaa)
            if v6.isVoid { state.voidLookupCount += 1 }
        } catch {
            note(error, state: &state)
        }
    }

    private func voidCheck(_ target: String, _ type: DNSRecordType, state: inout SPFEvaluation) async {
        do {
            if try await lookup.lookup(target, type).isVoid { state.voidLookupCount += 1 }
        } catch {
            note(error, state: &state)
        }
    }

    private func note(_ error: DNSError, state: inout SPFEvaluation) {
        if error.isTemporary {
            if state.temporaryError == nil { state.temporaryError = error }
        } else {
            state.problems.append(error.message)
        }
    }
}
