/// The one way a URL is written into logs and errors: without user and password, query or fragment (any of which can
/// carry a key or token).
public enum URLRedaction {
    public static func redacted(_ url: String) -> String {
        var text = Substring(url)
        if let cut = text.firstIndex(where: { $0 == "?" || $0 == "#" }) { text = text[..<cut] }
        guard let scheme = text.firstRange(of: "://") else { return String(text) }
        let authorityStart = scheme.upperBound
        let authorityEnd = text[authorityStart...].firstIndex(of: "/") ?? text.endIndex
        if let at = text[authorityStart..<authorityEnd].lastIndex(of: "@") {
            return String(text[..<authorityStart] + text[text.index(after: at)...])
        }
        return String(text)
    }
}
