/// Topics are Redis channel names as they are (`bars.1m.AAPL`); a topic prefix is a PSUBSCRIBE
/// glob pattern: the prefix with Redis's glob characters escaped, then `*`.
public enum TopicPattern {
    /// The glob characters of Redis's `stringmatchlen`, which a backslash makes literal.
    static let globCharacters: Set<Character> = ["*", "?", "[", "]", "\\"]

    /// `bars.1m.` → `bars.1m.*`; `bars.1m.BRK*A` → `bars.1m.BRK\*A*`.
    public static func pattern(forPrefix prefix: String) -> String {
        var pattern = ""
        pattern.reserveCapacity(prefix.count + 2)
        for character in prefix {
            if globCharacters.contains(character) { pattern.append("\\") }
            pattern.append(character)
        }
        pattern.append("*")
        return pattern
    }
}
