/// Number formatting for messages and command output without Foundation's `String(format:)`.
extension Double {
    /// The value with exactly `digits` decimals, e.g. `3.14159.fixed(3) == "3.142"`.
    public func fixed(_ digits: Int) -> String {
        guard isFinite else { return "\(self)" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(self) * scale).rounded()
        let whole = (scaled / scale).rounded(.down)
        let frac = Int(scaled - whole * scale)
        let sign = self < 0 && scaled > 0 ? "-" : ""
        guard digits > 0 else { return sign + String(Int(whole)) }
        let fracText = String(frac)
        return sign + String(Int(whole)) + "." + String(repeating: "0", count: digits - fracText.count) + fracText
    }
}
