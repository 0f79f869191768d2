import BackfillCore
import HummingbirdWSClient
import Logging
import Synchronization

extension FeedClient {
    /// Why a connection ended, for the state machine.
    struct Disconnect: Sendable {
        var reason: String
        var retryable: Bool
    }

    /// The handshake did not reach `auth_success` within `handshakeTimeout`.
    struct HandshakeTimeout: Error, CustomStringConvertible {
        var description: String { "no auth_success within the handshake timeout" }
    }

    /// One connection, from opening the socket until it closes.
    /// - Returns: why it ended, when another attempt may follow.
    /// - Throws: the final error when the server refused the key.
    func connectOnce() async throws -> Disconnect {
        // WSCore traces the first bytes of every frame; trace is off for it so that no future
        // change of that prefix can put the auth frame's key in a log.
        var socketLogger = logger
        socketLogger.logLevel = max(socketLogger.logLevel, .debug)
        let client = WebSocketClient(
            url: configuration.url,
            configuration: .init(
                maxFrameSize: min(configuration.maxFrameBytes, 1 << 24), closeTimeout: .seconds(2),
                autoPing: .enabled(timePeriod: configuration.pingInterval)),
            logger: socketLogger
        ) { inbound, outbound, _ in
            try await self.converse(inbound: inbound, outbound: outbound)
        }
        do {
            let close = try await client.run()
            let code = close.map { " (close code \($0.closeCode))" } ?? ""
            return Disconnect(reason: "the server closed the connection\(code)", retryable: true)
        } catch let error as PolygonError where error.code == .unauthorized {
            throw error
        } catch {
            if let failure = shared.withLock({ $0.machine.state }).failure { throw self.error(for: failure) }
            let reason = redactor.redact(String(describing: error))
            if !Task.isCancelled { logger.info("feed connection lost", metadata: [MetadataKey.reason: "\(reason)"]) }
            return Disconnect(reason: reason, retryable: (error as? WebSocketClientError) != .invalidURL)
        }
    }

    /// Talks to the server over an open socket: a reader that decodes frames and feeds the
    /// state machine, a writer for the outbox, and a handshake watchdog. The connection ends when
    /// the reader or the writer ends, or anything throws.
    private func converse(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        let (outbox, mailbox) = AsyncStream.makeStream(of: String.self)
        shared.withLock { $0.outbox = mailbox }
        defer {
            shared.withLock { $0.outbox = nil }
            mailbox.finish()
        }
        apply(.socketOpened)
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                for try await message in inbound.messages(maxSize: self.configuration.maxFrameBytes) {
                    if case .text(let text) = message { try self.receive(text) }
                }
                return true
            }
            group.addTask {
                for await text in outbox { try await outbound.write(.text(text)) }
                return true
            }
            group.addTask {
                try await self.watchHandshake()
                return false
            }
            while let connectionEnds = try await group.next(), !connectionEnds {}
            group.cancelAll()
        }
    }

    /// Throws ``HandshakeTimeout`` unless the feed is streaming by the end of the timeout.
    private func watchHandshake() async throws {
        try await Task.sleep(for: configuration.handshakeTimeout)
        if shared.withLock({ $0.machine.state }) != .streaming { throw HandshakeTimeout() }
    }

    /// Decodes one frame and acts on each of its events.
    func receive(_ text: String) throws {
        let messages: [FeedMessage]
        do {
            messages = try FeedFrameDecoder().decode(text)
        } catch {
            shared.withLock { $0.statistics.malformedEvents += 1 }
            logger.debug("feed frame skipped", metadata: [MetadataKey.reason: "\(error)"])
            return
        }
        for message in messages {
            try receive(message)
        }
    }

    private func receive(_ message: FeedMessage) throws {
        switch message {
        case .status(let status):
            try receive(status)
        case .minuteBar(let bar):
            if case .reportGap(let gap) = apply(.minuteBar(startMs: bar.startMs)) {
                logger.info("feed gap", metadata: [MetadataKey.range: "\(gap.lastBeforeMs)...\(gap.firstAfterMs)"])
                emit(.gap(gap))
            }
            emit(.minuteBar(bar))
        case .secondBar(let bar): emit(.secondBar(bar))
        case .trade(let trade): emit(.trade(trade))
        case .quote(let quote): emit(.quote(quote))
        case .limitBand(let band): emit(.limitBand(band))
        case .imbalance(let imbalance): emit(.imbalance(imbalance))
        case .unknown:
            shared.withLock { $0.statistics.unknownEvents += 1 }
        case .malformed(let ev, let reason):
            shared.withLock { $0.statistics.malformedEvents += 1 }
            logger.debug("feed event skipped", metadata: [MetadataKey.reason: "\(ev): \(reason)"])
        }
    }

    private func receive(_ status: FeedStatus) throws {
        emit(.status(status))
        switch status.status {
        case .connected:
            apply(.greeted)
        case .authSuccess:
            guard shared.withLock({ $0.machine.state }) == .authenticating else { return }
            apply(.authSucceeded)
            let count = shared.withLock { shared in
                shared.statistics.connections += 1
                return shared.statistics.connections
            }
            emit(.connection(.streaming(connection: count)))
        case .authFailed:
            if case .fail(let failure) = apply(.authFailed(message: status.message)) { throw error(for: failure) }
        default:
            break
        }
    }
}

extension FeedStateMachine.State {
    /// The failure of a finished machine.
    var failure: FeedFailure? {
        if case .failed(let failure) = self { return failure }
        return nil
    }
}
