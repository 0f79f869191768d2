import Crypto

/// Checks AWS Signature V4 (`Authorization: AWS4-HMAC-SHA256 …`) the way S3 does: rebuilds the
/// canonical request from what arrived and compares the HMAC chain's result with the client's.
///
/// Written independently of the client's signer on purpose, so that the two cannot agree on a
/// shared mistake; boto3 and moto tests check both against outside implementations. The request
/// time (`x-amz-date`) is not compared with the clock: the sandbox's "now" is often fixed in tests.
struct SigV4Verifier: Sendable {
    enum Outcome: Equatable {
        case valid
        /// No or unparseable `Authorization` header.
        case malformed(String)
        case unknownAccessKey(String)
        /// The signature differs; carries the canonical request the server computed (no secret in it).
        case mismatch(canonicalRequest: String)
    }

    let accessKey: String
    let secretKey: String

    /// - Parameters:
    ///   - rawPath: the path exactly as sent (still percent-encoded).
    ///   - rawQuery: the query after `?` as sent, or "".
    ///   - header: a header's value by lower-case name (`host` included).
    func verify(method: String, rawPath: String, rawQuery: String, header: (String) -> String?) -> Outcome {
        guard let authorization = header("authorization") else { return .malformed("no Authorization header") }
        guard let parts = Self.parseAuthorization(authorization) else {
            return .malformed("the Authorization header is not AWS4-HMAC-SHA256")
        }
        let scope = parts.credential.split(separator: "/", maxSplits: 1).map(String.init)
        guard scope.count == 2 else { return .malformed("the Credential has no scope") }
        guard scope[0] == accessKey else { return .unknownAccessKey(scope[0]) }
        let scopeParts = scope[1].split(separator: "/").map(String.init)
        guard scopeParts.count == 4, let amzDate = header("x-amz-date") else {
            return .malformed("the credential scope or x-amz-date is missing")
        }
        var canonicalHeaders = ""
        for name in parts.signedHeaders {
            let value = header(name).map(Self.normalizeSpaces) ?? ""
            canonicalHeaders += "\(name):\(value)\n"
        }
        let payload = header("x-amz-content-sha256") ?? "UNSIGNED-PAYLOAD"
        let canonicalRequest = [
            method, rawPath, Self.canonicalQuery(rawQuery), canonicalHeaders,
            parts.signedHeaders.joined(separator: ";"),
            payload,
        ].joined(separator: "\n")
        let stringToSign = [
            "AWS4-HMAC-SHA256", amzDate, scope[1], Self.hex(SHA256.hash(data: Array(canonicalRequest.utf8))),
        ].joined(separator: "\n")
        var key = SymmetricKey(data: Array("AWS4\(secretKey)".utf8))
        for part in scopeParts {
            key = SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        let expected = Self.hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key))
        return expected == parts.signature ? .valid : .mismatch(canonicalRequest: canonicalRequest)
    }

    /// `AWS4-HMAC-SHA256 Credential=AK/20240315/us-east-1/s3/aws4_request, SignedHeaders=a;b, Signature=hex`.
    static func parseAuthorization(_ value: String) -> (credential: String, signedHeaders: [String], signature: String)?
    {
        guard value.hasPrefix("AWS4-HMAC-SHA256 ") else { return nil }
        var fields: [String: String] = [:]
        for item in value.dropFirst(17).split(separator: ",") {
            let pair = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: " ") }
            if pair.count == 2 { fields[pair[0]] = pair[1] }
        }
        guard let credential = fields["Credential"], let signed = fields["SignedHeaders"],
            let signature = fields["Signature"]
        else { return nil }
        return (credential, signed.split(separator: ";").map(String.init), signature)
    }

    /// Query pairs decoded, re-encoded the AWS way and sorted.
    static func canonicalQuery(_ raw: String) -> String {
        let pairs = raw.split(separator: "&").map { item -> (String, String) in
            let kv = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = awsEncode(percentDecode(kv[0]))
            return (name, kv.count > 1 ? awsEncode(percentDecode(kv[1])) : "")
        }
        return pairs.sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }.map { "\($0.0)=\($0.1)" }.joined(
            separator: "&")
    }

    /// RFC 3986 encoding with AWS's unreserved set (`A-Z a-z 0-9 - _ . ~`), upper-case hex.
    static func awsEncode(_ bytes: [UInt8]) -> String {
        var out = ""
        for byte in bytes {
            let unreserved =
                (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) || (byte >= 48 && byte <= 57)
                || byte == 45 || byte == 95 || byte == 46 || byte == 126
            if unreserved {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                out += byte < 16 ? "%0\(hex)" : "%\(hex)"
            }
        }
        return out
    }

    static func percentDecode(_ text: Substring) -> [UInt8] {
        var out: [UInt8] = []
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.count,
                let value = UInt8(String(decoding: bytes[(i + 1)...(i + 2)], as: UTF8.self), radix: 16)
            {
                out.append(value)
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return out
    }

    static func normalizeSpaces(_ value: String) -> String {
        value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { $0 < 16 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var slice = self
        while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
