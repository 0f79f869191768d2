import Testing

@testable import Polygon
@testable import PolygonSandbox

/// The signer against AWS's published S3 examples, and the sandbox's independent verifier against it.
@Suite("S3 Signature V4")
struct S3SigV4Tests {
    // AWS documentation, "Signature Calculations for the Authorization Header", example credentials.
    let signer = SigV4Signer(
        accessKey: "AKIAIOSFODNN7EXAMPLE", secretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", region: "us-east-1")
    /// 2013-05-24T00:00:00Z in ms.
    let exampleTime: Int64 = 1_369_353_600_000

    @Test func getObjectExampleMatchesAWSDocumentation() {
        let headers = signer.sign(
            method: "GET", host: "examplebucket.s3.amazonaws.com", path: "/test.txt", query: [],
            headers: [("range", "bytes=0-9")], nowMs: exampleTime)
        let authorization = headers.first { $0.0 == "authorization" }?.1
        #expect(
            authorization == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
                + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    @Test func listObjectsExampleMatchesAWSDocumentation() {
        let headers = signer.sign(
            method: "GET", host: "examplebucket.s3.amazonaws.com", path: "/",
            query: [("max-keys", "2"), ("prefix", "J")], nowMs: exampleTime)
        let authorization = headers.first { $0.0 == "authorization" }?.1 ?? ""
        #expect(authorization.hasSuffix("Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"))
    }

    @Test func theSandboxVerifierAcceptsTheSignerAndRejectsAnyChange() {
        let signer = SigV4Signer(accessKey: "ak", secretKey: "sk", region: "eu-west-1")
        let query = [("list-type", "2"), ("prefix", "us_stocks_sip/minute aggs~/")]
        let signed = signer.sign(
            method: "GET", host: "127.0.0.1:9", path: "/flatfiles", query: query, nowMs: exampleTime)
        let rawQuery = SigV4Signer.canonicalQuery(query)
        func verify(_ verifier: SigV4Verifier, host: String = "127.0.0.1:9", path: String = "/flatfiles")
            -> SigV4Verifier.Outcome
        {
            verifier.verify(method: "GET", rawPath: path, rawQuery: rawQuery) { name in
                name == "host" ? host : signed.first { $0.0 == name }?.1
            }
        }
        #expect(verify(SigV4Verifier(accessKey: "ak", secretKey: "sk")) == .valid)
        #expect(verify(SigV4Verifier(accessKey: "other", secretKey: "sk")) == .unknownAccessKey("ak"))
        if case .mismatch = verify(SigV4Verifier(accessKey: "ak", secretKey: "sk2")) {} else { Issue.record("secret") }
        if case .mismatch = verify(SigV4Verifier(accessKey: "ak", secretKey: "sk"), host: "127.0.0.1:10") {
        } else {
            Issue.record("host")
        }
        if case .mismatch = verify(SigV4Verifier(accessKey: "ak", secretKey: "sk"), path: "/flatfile") {
        } else {
            Issue.record("path")
        }
    }

    @Test func timestampsAndEncodingFollowTheSpec() {
        #expect(SigV4Signer.timestamps(exampleTime + 45_296_000) == ("20130524T123456Z", "20130524"))
        #expect(SigV4Signer.encode("a b/c~d_e.f-g+h=") == "a%20b%2Fc~d_e.f-g%2Bh%3D")
        #expect(SigV4Signer.encode("us_stocks_sip/x.csv.gz", keepSlash: true) == "us_stocks_sip/x.csv.gz")
        #expect(S3Client.plainMD5("\"9B2CF535F27731C974343645A3985328\"") == "9b2cf535f27731c974343645a3985328")
        #expect(S3Client.plainMD5("\"9b2cf535f27731c974343645a3985328-12\"") == nil)
    }

    @Test func listingXMLWithEntitiesAndErrorsParse() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?><ListBucketResult><IsTruncated>true</IsTruncated>\
            <Contents><Key>a&amp;b&lt;c&#x41;</Key><Size>12</Size><ETag>&quot;x&quot;</ETag></Contents>\
            <NextContinuationToken>t+/=</NextContinuationToken></ListBucketResult>
            """
        let page = try #require(S3ListParser.parse(xml))
        #expect(page.objects == [S3ObjectInfo(key: "a&b<cA", size: 12, etag: "\"x\"")])
        #expect(page.isTruncated && page.nextContinuationToken == "t+/=")
        #expect(
            S3ListParser.error("<Error><Code>NoSuchKey</Code><Message>gone</Message></Error>")! == ("NoSuchKey", "gone")
        )
        #expect(S3ObjectResponse.parseRange("bytes=5-", total: 10) == 5..<10)
        #expect(S3ObjectResponse.parseRange("bytes=-3", total: 10) == 7..<10)
        #expect(S3ObjectResponse.parseRange("bytes=2-4", total: 10) == 2..<5)
        #expect(S3ObjectResponse.parseRange("bytes=10-", total: 10) == nil)
    }
}
