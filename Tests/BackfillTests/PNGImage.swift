import CZlib
import Foundation

/// A decoded 8-bit RGB or RGBA PNG (what Chromium's screenshots are), for pixel checks.
struct PNGImage {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let width: Int
    let height: Int
    /// RGBA, row by row.
    private(set) var pixels: [UInt8]

    init(data: Data) throws {
        let bytes = [UInt8](data)
        guard bytes.count > 8, bytes[0..<8].elementsEqual([137, 80, 78, 71, 13, 10, 26, 10]) else {
            throw Failure(description: "not a PNG")
        }
        var offset = 8
        var header: (width: Int, height: Int, colorType: UInt8)?
        var compressed: [UInt8] = []
        while offset + 8 <= bytes.count {
            let length = Self.uint32(bytes, offset)
            let type = String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self)
            let body = Array(bytes[(offset + 8)..<min(bytes.count, offset + 8 + length)])
            offset += 12 + length
            switch type {
            case "IHDR":
                guard body[8] == 8, body[12] == 0 else { throw Failure(description: "only 8-bit non-interlaced PNGs") }
                header = (Self.uint32(body, 0), Self.uint32(body, 4), body[9])
            case "IDAT": compressed += body
            case "IEND": offset = bytes.count
            default: continue
            }
        }
        guard let header, header.colorType == 2 || header.colorType == 6 else {
            throw Failure(description: "only RGB and RGBA PNGs")
        }
        let channels = header.colorType == 6 ? 4 : 3
        let stride = header.width * channels
        var raw = [UInt8](repeating: 0, count: header.height * (stride + 1))
        var rawLength = uLongf(raw.count)
        let status = raw.withUnsafeMutableBufferPointer { out in
            compressed.withUnsafeBufferPointer { input in
                uncompress(out.baseAddress, &rawLength, input.baseAddress, uLong(input.count))
            }
        }
        guard status == Z_OK, Int(rawLength) == raw.count else { throw Failure(description: "bad image data") }
        width = header.width
        height = header.height
        pixels = [UInt8](repeating: 255, count: width * height * 4)
        var previous = [UInt8](repeating: 0, count: stride)
        for y in 0..<height {
            let filter = raw[y * (stride + 1)]
            var line = Array(raw[(y * (stride + 1) + 1)..<((y + 1) * (stride + 1))])
            Self.unfilter(&line, previous: previous, filter: filter, channels: channels)
            for x in 0..<width {
                for c in 0..<channels { pixels[(y * width + x) * 4 + c] = line[x * channels + c] }
            }
            previous = line
        }
    }

    /// RGB of the pixel at (x, y).
    func rgb(_ x: Int, _ y: Int) -> (UInt8, UInt8, UInt8) {
        let index = (y * width + x) * 4
        return (pixels[index], pixels[index + 1], pixels[index + 2])
    }

    /// Pixels in the rectangle whose colour is within `tolerance` of `color` in each channel.
    func count(_ color: (UInt8, UInt8, UInt8), in rect: (x: Int, y: Int, width: Int, height: Int), tolerance: Int = 6)
        -> Int
    {
        var total = 0
        for y in max(0, rect.y)..<min(height, rect.y + rect.height) {
            for x in max(0, rect.x)..<min(width, rect.x + rect.width) {
                let (r, g, b) = rgb(x, y)
                if abs(Int(r) - Int(color.0)) <= tolerance && abs(Int(g) - Int(color.1)) <= tolerance
                    && abs(Int(b) - Int(color.2)) <= tolerance
                {
                    total += 1
                }
            }
        }
        return total
    }

    private static func uint32(_ bytes: [UInt8], _ at: Int) -> Int {
        Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3])
    }

    private static func unfilter(_ line: inout [UInt8], previous: [UInt8], filter: UInt8, channels: Int) {
        for i in line.indices {
            let left = i >= channels ? Int(line[i - channels]) : 0
            let up = Int(previous[i])
            let upLeft = i >= channels ? Int(previous[i - channels]) : 0
            let predictor: Int
            switch filter {
            case 1: predictor = left
            case 2: predictor = up
            case 3: predictor = (left + up) / 2
            case 4:
                let p = left + up - upLeft
                let (pa, pb, pc) = (abs(p - left), abs(p - up), abs(p - upLeft))
                predictor = pa <= pb && pa <= pc ? left : (pb <= pc ? up : upLeft)
            default: predictor = 0
            }
            line[i] = UInt8(truncatingIfNeeded: Int(line[i]) + predictor)
        }
    }
}
