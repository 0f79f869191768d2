/// One object of a ListObjectsV2 answer.
public struct S3ObjectInfo: Sendable, Equatable {
    /// `us_stocks_sip/minute_aggs_v1/2024/03/2024-03-15.csv.gz`.
    public var key: String
    /// Bytes.
    public var size: Int
    /// The ETag as the server sends it, quotes included (`"9b2cf535f27731c974343645a3985328"`).
    public var etag: String?
    /// ISO 8601 (`2024-03-16T16:00:00.000Z`), as sent.
    public var lastModified: String?

    public init(key: String, size: Int, etag: String? = nil, lastModified: String? = nil) {
        self.key = key
        self.size = size
        self.etag = etag
        self.lastModified = lastModified
    }
}

/// Reads the few elements of a ListObjectsV2 or `<Error>` XML document that the client needs.
/// S3's XML is flat and machine-written, so a tag scanner with entity decoding is enough.
enum S3ListParser {
    struct Page {
        var objects: [S3ObjectInfo]
        var isTruncated: Bool
        var nextContinuationToken: String?
    }

    /// - Returns: nil when the text is not a `ListBucketResult`.
    static func parse(_ xml: String) -> Page? {
        guard xml.contains("<ListBucketResult") else { return nil }
        var objects: [S3ObjectInfo] = []
        for block in blocks("Contents", in: xml) {
            guard let key = value("Key", in: block), let size = value("Size", in: block).flatMap({ Int($0) }) else {
                return nil
            }
            objects.append(
                S3ObjectInfo(
                    key: key, size: size, etag: value("ETag", in: block), lastModified: value("LastModified", in: block)
                ))
        }
        return Page(
            objects: objects, isTruncated: value("IsTruncated", in: xml[...]) == "true",
            nextContinuationToken: value("NextContinuationToken", in: xml[...]))
    }

    /// `(Code, Message)` of an S3 `<Error>` document.
    static func error(_ xml: String) -> (code: String, message: String)? {
        guard xml.contains("<Error>"), let code = value("Code", in: xml[...]) else { return nil }
        return (code, value("Message", in: xml[...]) ?? "")
    }

    static func blocks(_ tag: String, in xml: String) -> [Substring] {
        var result: [Substring] = []
        var rest = xml[...]
        while let open = rest.firstRange(of: "<\(tag)>"),
            let close = rest[open.upperBound...].firstRange(of: "</\(tag)>")
        {
            result.append(rest[open.upperBound..<close.lowerBound])
            rest = rest[close.upperBound...]
        }
        return result
    }

    /// The decoded text of the first `<tag>` in `xml`.
    static func value(_ tag: String, in xml: Substring) -> String? {
        guard let open = xml.firstRange(of: "<\(tag)>"), let close = xml[open.upperBound...].firstRange(of: "</\(tag)>")
        else {
            return nil
        }
        return decodeEntities(xml[open.upperBound..<close.lowerBound])
    }

    static func decodeEntities(_ text: Substring) -> String {
        if text.hasPrefix("<![CDATA["), text.hasSuffix("]]>") { return String(text.dropFirst(9).dropLast(3)) }
        guard text.contains("&") else { return String(text) }
        var out = ""
        var rest = text
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            guard let semi = rest[amp...].firstIndex(of: ";") else { break }
            let entity = rest[rest.index(after: amp)..<semi]
            switch entity {
            case "amp": out += "&"
            case "lt": out += "<"
            case "gt": out += ">"
            case "quot": out += "\""
            case "apos": out += "'"
            default:
                let number =
                    entity.hasPrefix("#x")
                    ? UInt32(entity.dropFirst(2), radix: 16)
                    : (entity.hasPrefix("#") ? UInt32(entity.dropFirst()) : nil)
                if let number, let scalar = Unicode.Scalar(number) {
                    out.unicodeScalars.append(scalar)
                } else {
                    out += "&\(entity);"
                }
            }
            rest = rest[rest.index(after: semi)...]
        }
        return out + rest
    }
}
