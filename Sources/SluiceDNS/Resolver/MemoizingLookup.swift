/// Remembers answers (and temporary errors) for the length of one `DomainChecker.check` run, so a
/// name several checks need (amazonses.com, the MAIL FROM SPF record) is asked once, and a silent
/// server costs one timeout per name rather than one per check.
actor MemoizingLookup: DNSLookup {
    private struct Key: Hashable {
        var name: String
        var type: DNSRecordType
    }

    private let base: any DNSLookup
    private var answers: [Key: Task<Result<DNSLookupResult, DNSError>, Never>] = [:]

    init(_ base: any DNSLookup) {
        self.base = base
    }

    func lookup(_ name: String, _ type: DNSRecordType) async throws(DNSError) -> DNSLookupResult {
        let key = Key(name: DNSName.normalized(name), type: type)
        if let answer = answers[key] { return try await answer.value.get() }
        let base = self.base
        // Callers arriving while the first query is in flight await the same task.
        let answer = Task { () -> Result<DNSLookupResult, DNSError> in
            do throws(DNSError) {
                return .success(try await base.lookup(key.name, type))
            } catch {
                return .failure(error)
            }
        }
        answers[key] = answer
        return try await answer.value.get()
    }
}
