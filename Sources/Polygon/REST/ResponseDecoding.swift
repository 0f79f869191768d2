import Foundation

/// Decodes response bodies into typed values, turning decoder failures into errors that name the
/// field and the URL, and telling a truncated or non-JSON body (retryable) from a wrong shape (not).
enum ResponseDecoding {
    static func decode<T: Decodable>(_ type: T.Type, from data: Data, url: String) throws(PolygonError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            throw describe(error, data: data, url: url)
        } catch {
            throw PolygonError(.malformedBody, "could not decode the response: \(error)", url: url, isRetryable: true)
        }
    }

    static func describe(_ error: DecodingError, data: Data, url: String) -> PolygonError {
        switch error {
        case .keyNotFound(let key, let context):
            let path = fieldPath(context.codingPath + [key])
            return PolygonError(
                .missingField, "required field '\(path)' is missing from the response", url: url,
                isRetryable: false, underlying: error)
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return PolygonError(
                .missingField, "field '\(fieldPath(context.codingPath))' has an unexpected type or is null",
                url: url, isRetryable: false, underlying: error)
        case .dataCorrupted(let context) where !context.codingPath.isEmpty:
            return PolygonError(
                .missingField,
                "field '\(fieldPath(context.codingPath))' is invalid: \(context.debugDescription)",
                url: url, isRetryable: false, underlying: error)
        default:
            return PolygonError(
                .malformedBody, "the response is not valid JSON (\(preview(data)))", url: url,
                isRetryable: true, underlying: error)
        }
    }

    /// `results[3].t` style path.
    static func fieldPath(_ path: [any CodingKey]) -> String {
        var text = ""
        for key in path {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text.isEmpty ? "(root)" : text
    }

    /// The first bytes of a body, on one line, for an error message.
    static func preview(_ data: Data, limit: Int = 80) -> String {
        if data.isEmpty { return "empty body" }
        let text = String(decoding: data.prefix(limit), as: UTF8.self)
            .map { $0.isNewline ? " " : $0 }
        return "body starts '\(String(text))'" + (data.count > limit ? "…" : "")
    }
}
