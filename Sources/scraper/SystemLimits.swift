import Foundation
import Logging

/// The original system's `check_system_limits()`: warn when the open-file limit is too low for the
/// configured concurrency (sockets, the database and its WAL, log files).
enum SystemLimits {
    static func check(concurrency: Int, logger: Logger) {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        let needed = UInt64(64 + concurrency * 4)
        if UInt64(limit.rlim_cur) < needed {
            logger.warning(
                "open-file limit is \(limit.rlim_cur), below the \(needed) this concurrency may need; raise it with `ulimit -n \(needed * 4)`"
            )
        }
    }
}
