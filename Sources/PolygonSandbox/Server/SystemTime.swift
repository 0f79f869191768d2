import Foundation

/// Wall-clock time, read only at the edge (the sandbox's notion of "now").
enum SystemTime {
    static func nowMs() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1_000).rounded(.down))
    }
}
