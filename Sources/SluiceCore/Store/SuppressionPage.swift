/// One page of suppressions.
public struct SuppressionPage: Sendable, Equatable {
    public var items: [Suppression]
    /// Position after the last item; nil when there are no more rows.
    public var nextCursor: SuppressionCursor?

    public init(items: [Suppression], nextCursor: SuppressionCursor?) {
        self.items = items
        self.nextCursor = nextCursor
    }
}
