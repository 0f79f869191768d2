import Foundation

/// Turns the text of one server frame into ``FeedMessage``s.
public struct FeedFrameDecoder: Sendable {
    public init() {}

    /// Decodes a frame: a JSON array of events (a lone object is accepted as a one-element frame).
    /// - Throws: ``PolygonError`` with code `malformedBody` when the text is not JSON or not an
    ///   array/object; a bad element inside a good array does not throw (it is `.malformed`).
    public func decode(_ text: String) throws -> [FeedMessage] {
        try decode(Data(text.utf8))
    }

    /// Decodes a frame from its UTF-8 bytes; see ``decode(_:)-(String)``.
    public func decode(_ data: Data) throws -> [FeedMessage] {
        let decoder = JSONDecoder()
        do {
            return try decoder.decode([FeedMessageElement].self, from: data).map(\.message)
        } catch {
            let first = data.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
            if first == UInt8(ascii: "{"), let single = try? decoder.decode(FeedMessageElement.self, from: data) {
                return [single.message]
            }
            throw PolygonError(
                .malformedBody, "feed frame is not a JSON array of events: \(FeedFrameDecoder.preview(data))",
                isRetryable: false, underlying: error)
        }
    }

    /// The first 120 bytes of a frame, for an error message.
    static func preview(_ data: Data) -> String {
        let text = String(decoding: data.prefix(120), as: UTF8.self)
        return data.count > 120 ? text + "…" : text
    }
}
