import BackfillCore

/// What a ``FeedClient`` delivers, in arrival order.
public enum FeedEvent: Sendable, Equatable {
    /// An `AM` minute bar (may be a re-broadcast of a minute already seen: upsert by symbol and start).
    case minuteBar(FeedAggregate)
    /// An `A` second bar.
    case secondBar(FeedAggregate)
    case trade(FeedTrade)
    case quote(FeedQuote)
    case limitBand(FeedLimitBand)
    case imbalance(FeedImbalance)
    /// A control message from the server (greeting, auth answer, subscription acks, errors).
    case status(FeedStatus)
    /// Minutes possibly missed while disconnected; delivered just before the first newer bar.
    case gap(FeedGap)
    /// The connection came up or went down.
    case connection(FeedConnectionChange)
}

/// A change of the feed's connection, for monitors and logs.
public enum FeedConnectionChange: Sendable, Equatable {
    /// Authenticated and subscribed; `connection` counts successful connections from 1.
    case streaming(connection: Int)
    /// The connection was lost or could not be made; the next attempt is in `retryAfterSeconds`.
    case disconnected(reason: String, retryAfterSeconds: Double)
}
