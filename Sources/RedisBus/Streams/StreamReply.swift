import MessageBus

/// Decoding of `XREADGROUP` replies.
enum StreamReply {
    /// The entries of a one-stream `XREADGROUP` reply, and the ids of pending entries that were
    /// trimmed from the stream (their fields come back as null; they only need acknowledging).
    static func entries(_ reply: RESPValue) throws(RedisBusError) -> ([RedisStream.Entry], [String]) {
        if reply == .null { return ([], []) }
        let streams: [RESPValue]
        switch reply {
        case .map(let flat):
            streams = stride(from: 0, to: flat.count - 1, by: 2).map { .array([flat[$0], flat[$0 + 1]]) }
        default: streams = reply.elements ?? []
        }
        guard let stream = streams.first?.elements, stream.count == 2, let items = stream[1].elements else {
            if streams.isEmpty { return ([], []) }
            throw .protocolError("XREADGROUP reply is not [stream, entries]")
        }
        var entries: [RedisStream.Entry] = []
        var deleted: [String] = []
        for item in items {
            guard let parts = item.elements, parts.count == 2, let id = parts[0].string else {
                throw .protocolError("XREADGROUP entry is not [id, fields]")
            }
            guard let fields = parts[1].elements else {
                deleted.append(id)
                continue
            }
            entries.append(RedisStream.Entry(id: id, message: message(fields)))
        }
        return (entries, deleted)
    }

    private static func message(_ fields: [RESPValue]) -> BusMessage {
        var topic = ""
        var payload: [UInt8] = []
        for index in stride(from: 0, to: fields.count - 1, by: 2) {
            switch fields[index].string {
            case "topic": topic = fields[index + 1].string ?? ""
            case "payload": payload = fields[index + 1].bytes ?? []
            default: continue
            }
        }
        return BusMessage(topic: topic, payload: payload)
    }

    /// Stream ids `ms-seq` compared numerically.
    static func idLess(_ a: String, _ b: String) -> Bool {
        func parts(_ id: String) -> (UInt64, UInt64) {
            let split = id.split(separator: "-")
            return (UInt64(split.first ?? "") ?? 0, UInt64(split.dropFirst().first ?? "") ?? 0)
        }
        return parts(a) < parts(b)
    }
}
