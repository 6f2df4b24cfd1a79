import DubSupport
import CFFmpeg

extension AudioReader {
    /// Seeks a little before `seconds` so decoding can trim to the exact sample.
    func seek(to seconds: Double) {
        let target = Int64(((origin + seconds - 1.0) / timeBase).rounded(.down))
        let rc = input.seek(stream: streamIndex, to: target)
        if rc >= 0 {
            decoder.flush()
            needsResync = true
        } else {
            logger.debug("seek failed; decoding from the start", metadata: ["file": "\(path)"])
        }
    }

    /// Reads one packet and decodes it into timeline items.
    func pump() throws {
        let rc = input.read(into: packet)
        if rc < 0 {
            if rc != .avEOF {
                warnings.append("reading stopped early at \(seconds(timelinePos)) s: \(avErrorString(rc)); the file may be truncated")
            }
            try decoder.decode(nil) { try place($0) }
            inputDone = true
            return
        }
        defer { av_packet_unref(packet) }
        guard Int(packet.pointee.stream_index) == streamIndex else { return }
        if !(try decoder.decode(packet) { try place($0) }) {
            corruptPackets += 1
        }
    }

    /// Puts a decoded frame on the timeline: silence before it if it starts late, overlap dropped.
    func place(_ frame: UnsafeMutablePointer<AVFrame>) throws {
        if Int(frame.pointee.sample_rate) != sourceSampleRate {
            throw MediaError(.unsupported, "audio sample rate changes mid-stream (\(sourceSampleRate) → \(frame.pointee.sample_rate) Hz) in",
                             path: path)
        }
        var samples = try converter.convert(frame)
        var count = samples.count / resampling.inputChannels
        guard count > 0 else { return }
        decodedFrames += count
        let ts = frame.pointee.best_effort_timestamp
        if ts != avNoPTS {
            let t = Double(ts) * timeBase
            let expected = Int(((t - origin) * Double(sourceSampleRate)).rounded())
            if needsResync {
                needsResync = false
                timelinePos = min(expected, startFrame)
                emitPos = timelinePos
            }
            let delta = expected - timelinePos
            let tolerance = placedFirstFrame ? gapTolerance : firstFrameTolerance
            if delta > tolerance {
                items.append(.silence(delta))
                timelinePos += delta
            } else if delta < -tolerance {
                let drop = min(-delta, count)
                samples.removeFirst(drop * resampling.inputChannels)
                count -= drop
            }
        }
        guard count > 0 else { return }
        placedFirstFrame = true
        items.append(.samples(samples))
        timelinePos += count
    }

    /// Trims the next item to the requested window and sends it through the rate converter.
    func emitNextItem() throws {
        var block: [Float]
        switch items[itemHead] {
        case .samples(let s):
            block = s
            itemHead += 1
        case .silence(let n):
            let step = min(n, sourceSampleRate)
            block = [Float](repeating: 0, count: step * resampling.inputChannels)
            if step == n { itemHead += 1 } else { items[itemHead] = .silence(n - step) }
        }
        if itemHead == items.count { items.removeAll(keepingCapacity: true); itemHead = 0 }
        var frames = block.count / resampling.inputChannels
        let begin = emitPos
        emitPos += frames
        let skip = max(0, min(frames, startFrame - begin))
        var keep = frames - skip
        if let endFrame { keep = max(0, min(keep, endFrame - (begin + skip))) }
        guard keep > 0 else { return }
        if skip > 0 || keep < frames - skip {
            block = Array(block[(skip * resampling.inputChannels)..<((skip + keep) * resampling.inputChannels)])
            frames = keep
        }
        sourceFramesKept += frames
        deliver(try resampling.process(block))
    }

    /// Flushes the rate converter and pads or trims the output to the exact converted length.
    func finish() throws {
        finished = true
        if decodedFrames == 0 {
            throw MediaError(.noAudioData, "no audio could be decoded from", path: path,
                             hint: corruptPackets > 0 ? "all \(corruptPackets) audio packets were corrupt" : "the audio stream is empty")
        }
        deliver(try resampling.finish())
        if sourceFramesKept == 0 {
            throw MediaError(.invalidArgument, "nothing to read: the start is past the end of the audio (\(seconds(timelinePos)) s) in",
                             path: path)
        }
        if corruptPackets > 0 {
            warnings.append("skipped \(corruptPackets) corrupt audio packet(s)")
        }
        if endFrame == nil, let expectedDuration, Double(timelinePos) / Double(sourceSampleRate) < expectedDuration - 0.5 {
            warnings.append("decoded \(seconds(timelinePos)) s of the \(expectedDuration.fixed(2)) s the file declares; it may be truncated")
        }
    }

    private func deliver(_ chunk: [Float]) {
        if !chunk.isEmpty { ready.append(chunk) }
    }

    private func seconds(_ frames: Int) -> String {
        (Double(frames) / Double(sourceSampleRate)).fixed(2)
    }
}
