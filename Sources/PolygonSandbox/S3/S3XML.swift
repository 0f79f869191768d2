import BackfillCore
import Hummingbird
import NIOCore

/// The XML bodies S3 answers with: ListObjectsV2 results and `<Error>` documents.
enum S3XML {
    static let namespace = "http://s3.amazonaws.com/doc/2006-03-01/"

    /// One page of a ListObjectsV2 answer.
    struct ListPage {
        var bucket: String
        var prefix: String
        var maxKeys: Int
        var continuationToken: String?
        var startAfter: String?
        var nextContinuationToken: String?
        var objects: [(key: String, size: Int, etag: String, lastModifiedMs: Int64)]
    }

    static func list(_ page: ListPage) -> String {
        var xml = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        xml += #"<ListBucketResult xmlns="\#(namespace)">"#
        xml += element("Name", page.bucket) + element("Prefix", page.prefix)
        if let token = page.continuationToken { xml += element("ContinuationToken", token) }
        if let startAfter = page.startAfter { xml += element("StartAfter", startAfter) }
        xml += element("KeyCount", "\(page.objects.count)") + element("MaxKeys", "\(page.maxKeys)")
        xml += element("IsTruncated", page.nextContinuationToken == nil ? "false" : "true")
        if let next = page.nextContinuationToken { xml += element("NextContinuationToken", next) }
        for object in page.objects {
            xml += "<Contents>" + element("Key", object.key)
            xml += element("LastModified", isoTimestamp(object.lastModifiedMs))
            xml += element("ETag", object.etag) + element("Size", "\(object.size)")
            xml += element("StorageClass", "STANDARD") + "</Contents>"
        }
        return xml + "</ListBucketResult>"
    }

    /// An S3 error response: `<Error><Code>…</Code><Message>…</Message>…</Error>`.
    static func error(_ status: HTTPResponse.Status, code: String, message: String, resource: String, requestID: String)
        -> Response
    {
        var xml = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n<Error>"
        xml += element("Code", code) + element("Message", message) + element("Resource", resource)
        xml += element("RequestId", requestID) + "</Error>"
        return Response(
            status: status, headers: [.contentType: "application/xml"], body: .init(byteBuffer: ByteBuffer(string: xml))
        )
    }

    static func element(_ name: String, _ text: String) -> String {
        "<\(name)>\(escape(text))</\(name)>"
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(character)
            }
        }
        return out
    }

    /// `2024-03-16T16:00:00.000Z`.
    static func isoTimestamp(_ ms: Int64) -> String {
        let date = LocalDate(utcMilliseconds: ms)
        let seconds = Int((ms - date.utcMidnightMilliseconds) / 1_000)
        return "\(date)T\(two(seconds / 3_600)):\(two(seconds / 60 % 60)):\(two(seconds % 60)).000Z"
    }

    /// `Sat, 16 Mar 2024 16:00:00 GMT` (HTTP `Last-Modified`).
    static func httpDate(_ ms: Int64) -> String {
        let date = LocalDate(utcMilliseconds: ms)
        let seconds = Int((ms - date.utcMidnightMilliseconds) / 1_000)
        let days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][date.isoWeekday - 1]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return "\(days), \(two(date.day)) \(months[date.month - 1]) \(date.year) "
            + "\(two(seconds / 3_600)):\(two(seconds / 60 % 60)):\(two(seconds % 60)) GMT"
    }

    private static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
