import BackfillCore
import Crypto

/// AWS Signature Version 4 for S3 requests with the `Authorization` header (path-style, no body).
///
/// Signs `host`, `x-amz-content-sha256`, `x-amz-date` and any extra headers given (such as `range`).
/// The secret key never leaves this type: only the derived signature goes on the wire.
struct SigV4Signer: Sendable {
    static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    let accessKey: String
    let secretKey: String
    /// The region in the credential scope; Polygon's endpoint accepts `us-east-1`.
    let region: String
    let service = "s3"

    /// The headers to add to a request, `Authorization` included.
    /// - Parameters:
    ///   - host: the `Host` header value as it will be sent (`files.polygon.io`, `127.0.0.1:8089`).
    ///   - path: the percent-encoded path (`/flatfiles/us_stocks_sip/...`).
    ///   - query: query pairs, not yet encoded.
    ///   - headers: other headers to sign, lower-case names.
    ///   - nowMs: the signing time, ms UTC.
    func sign(
        method: String, host: String, path: String, query: [(String, String)], headers: [(String, String)] = [],
        nowMs: Int64
    ) -> [(String, String)] {
        let (amzDate, day) = SigV4Signer.timestamps(nowMs)
        var signed = headers.map { ($0.0.lowercased(), $0.1) }
        signed += [("host", host), ("x-amz-content-sha256", SigV4Signer.emptyPayloadHash), ("x-amz-date", amzDate)]
        signed.sort { $0.0 < $1.0 }
        let names = signed.map(\.0).joined(separator: ";")
        let canonicalRequest = [
            method, path, SigV4Signer.canonicalQuery(query),
            signed.map { "\($0.0):\($0.1.trimmingBlanks())\n" }.joined(), names, SigV4Signer.emptyPayloadHash,
        ].joined(separator: "\n")
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, hex(SHA256.hash(data: Array(canonicalRequest.utf8)))]
            .joined(separator: "\n")
        var key = SymmetricKey(data: Array("AWS4\(secretKey)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        let signature = hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key))
        let authorization =
            "AWS4-HMAC-SHA256 Credential=\(accessKey)/\(scope), SignedHeaders=\(names), Signature=\(signature)"
        return signed.filter { $0.0 != "host" } + [("authorization", authorization)]
    }

    /// `("20240315T120000Z", "20240315")`.
    static func timestamps(_ ms: Int64) -> (String, String) {
        let date = LocalDate(utcMilliseconds: ms)
        let (y, m, d) = date.civil
        let seconds = Int((ms - date.utcMidnightMilliseconds) / 1_000)
        let day = "\(y)\(two(m))\(two(d))"
        return ("\(day)T\(two(seconds / 3_600))\(two(seconds / 60 % 60))\(two(seconds % 60))Z", day)
    }

    static func canonicalQuery(_ query: [(String, String)]) -> String {
        query.map { (encode($0.0), encode($0.1)) }
            .sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }
            .map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    /// RFC 3986 percent-encoding with AWS's unreserved set; `/` kept when `keepSlash`.
    static func encode(_ text: String, keepSlash: Bool = false) -> String {
        var out = ""
        for byte in text.utf8 {
            let unreserved =
                (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) || (byte >= 48 && byte <= 57)
                || byte == 45 || byte == 95 || byte == 46 || byte == 126 || (keepSlash && byte == 47)
            if unreserved {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return out
    }

    private static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    private func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { $0 < 16 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }
}

extension String {
    fileprivate func trimmingBlanks() -> String {
        split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }
}
