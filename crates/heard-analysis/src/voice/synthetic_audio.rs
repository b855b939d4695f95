//! A deterministic synthetic recording for the demo and tests: a short WAV file of tones and chirps,
//! one per line of a matching WebVTT transcript, so a film source can be shown without anyone's
//! real voice. WAV is RIFF with a PCM `fmt ` chunk and a `data` chunk (Microsoft/IBM "Multimedia
//! Programming Interface and Data Specifications 1.0", 1991).

/// Samples per second: telephone quality, enough for tones and small enough to keep in the binary's memory.
pub const SAMPLE_RATE: u32 = 8_000;
/// How long each cue's sound lasts, in milliseconds; the transcript's cues start every [`CUE_MS`].
pub const CUE_MS: u32 = 4_000;
/// The number of cues (and sounds).
pub const CUES: u32 = 6;

/// The transcript of [`demo_recording`]: six cues, one per sound, by obviously synthetic speakers.
pub const DEMO_TRANSCRIPT: &str = "WEBVTT

1
00:00:00.000 --> 00:00:03.500
<v Interviewer (demo)>Thank you for talking to us. What was the first year like?

2
00:00:04.000 --> 00:00:07.500
<v Parent (demo)>Hard at first. We did not know where to ask for help
with feeding.

3
00:00:08.000 --> 00:00:11.500
<v Interviewer (demo)>Who helped in the end?

4
00:00:12.000 --> 00:00:15.500
<v Parent (demo)>The health visitor, once we found the drop-in at the children's centre.

5
00:00:16.000 --> 00:00:19.500
<v Interviewer (demo)>What would have made a difference sooner?

6
00:00:20.000 --> 00:00:23.500
<v Parent (demo)>Someone telling us about the drop-in before the baby came.
";

/// A mono 16-bit PCM WAV file of [`CUES`] sounds, each 3.5 s of tone or chirp then 0.5 s of
/// silence: 24 seconds, about 384 kB. The same bytes every time.
pub fn demo_recording() -> Vec<u8> {
    let per_cue = (SAMPLE_RATE * CUE_MS / 1000) as usize;
    let sounding = per_cue * 7 / 8;
    let mut samples = Vec::with_capacity(per_cue * CUES as usize);
    for cue in 0..CUES as usize {
        // Interviewer's lines rise, parent's fall, each a little higher than the last pair.
        let base = 330.0 + 55.0 * (cue / 2) as f64;
        let (from, to) = if cue % 2 == 0 { (base, base * 1.5) } else { (base * 1.5, base) };
        let mut phase = 0.0_f64;
        for i in 0..per_cue {
            if i >= sounding {
                samples.push(0);
                continue;
            }
            let progress = i as f64 / sounding as f64;
            let frequency = from + (to - from) * progress;
            phase += std::f64::consts::TAU * frequency / f64::from(SAMPLE_RATE);
            // A short fade in and out, so the sound starts and stops without a click.
            let fade = (i.min(sounding - i) as f64 / 400.0).min(1.0);
            let amplitude = 0.3 * fade * f64::from(i16::MAX);
            samples.push((amplitude * phase.sin()) as i16);
        }
    }
    wav(&samples, SAMPLE_RATE)
}

/// A mono 16-bit PCM WAV file of `samples` at `rate` samples per second.
pub fn wav(samples: &[i16], rate: u32) -> Vec<u8> {
    const CHANNELS: u16 = 1;
    const BITS: u16 = 16;
    let block_align = CHANNELS * BITS / 8;
    let data_len = u32::try_from(samples.len() * usize::from(block_align)).unwrap_or(u32::MAX - 36);
    let mut bytes = Vec::with_capacity(44 + data_len as usize);
    bytes.extend_from_slice(b"RIFF");
    bytes.extend_from_slice(&(36 + data_len).to_le_bytes());
    bytes.extend_from_slice(b"WAVE");
    bytes.extend_from_slice(b"fmt ");
    bytes.extend_from_slice(&16u32.to_le_bytes());
    bytes.extend_from_slice(&1u16.to_le_bytes()); // PCM
    bytes.extend_from_slice(&CHANNELS.to_le_bytes());
    bytes.extend_from_slice(&rate.to_le_bytes());
    bytes.extend_from_slice(&(rate * u32::from(block_align)).to_le_bytes());
    bytes.extend_from_slice(&block_align.to_le_bytes());
    bytes.extend_from_slice(&BITS.to_le_bytes());
    bytes.extend_from_slice(b"data");
    bytes.extend_from_slice(&data_len.to_le_bytes());
    for sample in samples {
        bytes.extend_from_slice(&sample.to_le_bytes());
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recording_is_a_well_formed_wav_of_the_transcripts_length() {
        let bytes = demo_recording();
        assert_eq!(&bytes[..4], b"RIFF");
        assert_eq!(&bytes[8..16], b"WAVEfmt ");
        let data_len = u32::from_le_bytes([bytes[40], bytes[41], bytes[42], bytes[43]]) as usize;
        assert_eq!(bytes.len(), 44 + data_len);
        let riff_len = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]) as usize;
        assert_eq!(riff_len, bytes.len() - 8);
        let seconds = data_len as f64 / 2.0 / f64::from(SAMPLE_RATE);
        assert!((seconds - 24.0).abs() < 1e-9, "{seconds}");
        assert_eq!(bytes, demo_recording(), "deterministic");
        assert!(bytes[44..].iter().any(|&b| b != 0), "not silence");
    }

    #[test]
    fn the_transcript_has_one_cue_per_sound() {
        assert_eq!(DEMO_TRANSCRIPT.matches(" --> ").count(), CUES as usize);
        assert!(DEMO_TRANSCRIPT.starts_with("WEBVTT\n"));
    }
}
