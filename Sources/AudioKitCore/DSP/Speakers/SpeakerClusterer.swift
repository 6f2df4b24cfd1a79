import DubSupport

/// Groups lines by voice when nothing else says who speaks: average-linkage agglomerative clustering of their
/// `VoicePrint`s, stopping when the two closest groups are further apart than `threshold` (about one speaker apart),
/// or at exactly `count` groups when the number of speakers is known (`--speakers N`). At most `maxClustered` lines (the
/// longest) are clustered so (the work grows with the cube of their number); the rest, and lines with too little
/// speech to tell (`VoicePrint.isUsable` false), join the speaker whose voice is nearest. Speakers are named `S1`,
/// `S2`, ... in order of their first line, so the same voices give the same names on every run.
public struct SpeakerClusterer: Sendable {
    /// The largest distance at which two groups are still one speaker (`VoicePrint.distance` units).
    public var threshold: Double
    /// The number of speakers, when known.
    public var count: Int?

    /// About one speaker apart, calibrated on generated dialogues (`bench/make-dialogue.py`).
    public static let defaultThreshold = 1.7
    /// The most lines clustered pairwise (about 3 s of work and 0.5 MB); the others are assigned to the groups found.
    public static let maxClustered = 600

    /// A clusterer that stops at `threshold`, or at `count` speakers when given.
    public init(threshold: Double = SpeakerClusterer.defaultThreshold, count: Int? = nil) {
        self.threshold = threshold
        self.count = count
    }

    /// A speaker label per print, in the prints' order (which should be time order, for stable names).
    public func labels(for prints: [VoicePrint]) -> [String] {
        let usable = prints.indices.filter { prints[$0].isUsable }
            .sorted { (prints[$0].seconds, $1) > (prints[$1].seconds, $0) }.prefix(Self.maxClustered).sorted()
        guard !usable.isEmpty else { return prints.map { _ in "S1" } }
        // Pairwise distances between the usable prints, and groups merged by average linkage (weighted by seconds).
        var groups: [[Int]] = usable.map { [$0] }
        var distance = [[Double]](repeating: [Double](repeating: 0, count: usable.count), count: usable.count)
        for a in usable.indices { for b in usable.indices where b > a {
            let d = prints[usable[a]].distance(to: prints[usable[b]])
            distance[a][b] = d
            distance[b][a] = d
        } }
        var weight = usable.map { prints[$0].seconds }
        var alive = Array(usable.indices)
        let wanted = count.map { max(1, $0) }
        while alive.count > 1 {
            var best = (a: -1, b: -1, d: Double.infinity)
            for (i, a) in alive.enumerated() { for b in alive[(i + 1)...] where distance[a][b] < best.d { best = (a, b, distance[a][b]) } }
            guard best.a >= 0 else { break }
            if let wanted { if alive.count <= wanted { break } } else if best.d > threshold { break }
            // Merge b into a: the new distances are the seconds-weighted averages (average linkage).
            let (wa, wb) = (weight[best.a], weight[best.b])
            for c in alive where c != best.a && c != best.b {
                let merged = (distance[best.a][c] * wa + distance[best.b][c] * wb) / (wa + wb)
                distance[best.a][c] = merged
                distance[c][best.a] = merged
            }
            weight[best.a] = wa + wb
            groups[best.a] += groups[best.b]
            alive.removeAll { $0 == best.b }
        }
        var cluster = [Int: Int]()
        for g in alive { for member in groups[g] { cluster[member] = g } }
        // Lines too short to tell join the group whose pooled voice is nearest.
        let voices = Dictionary(uniqueKeysWithValues: alive.map { g in (g, VoicePrint.pooled(groups[g].map { prints[$0] })) })
        for i in prints.indices where cluster[i] == nil {
            cluster[i] = alive.min { a, b in
                let da = voices[a]??.distance(to: prints[i]) ?? .infinity, db = voices[b]??.distance(to: prints[i]) ?? .infinity
                return da < db
            } ?? alive[0]
        }
        // Names in order of first appearance.
        var names = [Int: String]()
        return prints.indices.map { i in
            let g = cluster[i] ?? alive[0]
            if let name = names[g] { return name }
            let name = "S\(names.count + 1)"
            names[g] = name
            return name
        }
    }
}
