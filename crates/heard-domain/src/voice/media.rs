//! A film's recording: the kinds of video and audio file Heard accepts, told from the file's first
//! bytes (WHATWG MIME Sniffing §6.2, "matching an audio or video type pattern"), never from its
//! name or the type a browser claims for it.

/// How many of a file's first bytes [`MediaType::sniff`] looks at.
pub const SNIFF_LEN: usize = 64;

/// A kind of recording browsers can play with `<video>` or `<audio>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaType {
    /// MPEG-4 (`ftyp` box) with a video brand.
    Mp4,
    /// MPEG-4 with an audio brand (M4A, M4B).
    M4a,
    WebM,
    Ogg,
    Mp3,
    Wav,
}

impl MediaType {
    /// Every accepted type, for messages that list them.
    pub const ALL: [MediaType; 6] =
        [MediaType::Mp4, MediaType::M4a, MediaType::WebM, MediaType::Ogg, MediaType::Mp3, MediaType::Wav];

    /// The type of a file that starts with `head` (its first [`SNIFF_LEN`] bytes, or all of a
    /// shorter file); `None` for anything else.
    pub fn sniff(head: &[u8]) -> Option<MediaType> {
        if head.len() >= 12 && &head[4..8] == b"ftyp" {
            let size = u32::from_be_bytes([head[0], head[1], head[2], head[3]]);
            if size < 8 {
                return None;
            }
            return Some(match &head[8..12] {
                b"M4A " | b"M4B " | b"M4P " => MediaType::M4a,
                _ => MediaType::Mp4,
            });
        }
        if head.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) {
            // EBML; WebM names itself in the header's DocType, Matroska (which browsers may not play) does not.
            return head.windows(4).any(|w| w == b"webm").then_some(MediaType::WebM);
        }
        if head.starts_with(b"OggS\0") {
            return Some(MediaType::Ogg);
        }
        if head.len() >= 12 && head.starts_with(b"RIFF") && &head[8..12] == b"WAVE" {
            return Some(MediaType::Wav);
        }
        if head.starts_with(b"ID3") {
            return Some(MediaType::Mp3);
        }
        // An MPEG audio frame header: 11 sync bits, then Layer III (AAC's ADTS has layer bits 00).
        if let [0xFF, second, ..] = head
            && second & 0xE0 == 0xE0
            && second & 0x06 == 0x02
        {
            return Some(MediaType::Mp3);
        }
        None
    }

    /// The media type (MIME type) sent with the file.
    pub fn mime(self) -> &'static str {
        match self {
            MediaType::Mp4 => "video/mp4",
            MediaType::M4a => "audio/mp4",
            MediaType::WebM => "video/webm",
            MediaType::Ogg => "audio/ogg",
            MediaType::Mp3 => "audio/mpeg",
            MediaType::Wav => "audio/wav",
        }
    }

    /// The name people know the format by.
    pub fn label(self) -> &'static str {
        match self {
            MediaType::Mp4 => "MP4",
            MediaType::M4a => "M4A",
            MediaType::WebM => "WebM",
            MediaType::Ogg => "Ogg",
            MediaType::Mp3 => "MP3",
            MediaType::Wav => "WAV",
        }
    }
}

/// "MP4, M4A, WebM, Ogg, MP3 or WAV", for messages.
pub fn accepted_labels() -> String {
    let labels: Vec<&str> = MediaType::ALL.iter().map(|t| t.label()).collect();
    match labels.split_last() {
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn padded(head: &[u8]) -> Vec<u8> {
        let mut bytes = head.to_vec();
        bytes.resize(SNIFF_LEN, 0);
        bytes
    }

    #[test]
    fn each_accepted_type_is_told_from_its_first_bytes() {
        let cases: [(&[u8], MediaType); 8] = [
            (b"\0\0\0\x20ftypisom\0\0\x02\0", MediaType::Mp4),
            (b"\0\0\0\x1cftypM4A \0\0\0\0", MediaType::M4a),
            (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm", MediaType::WebM),
            (b"OggS\0\x02\0\0", MediaType::Ogg),
            (b"ID3\x04\0\0", MediaType::Mp3),
            (b"\xff\xfb\x90\x64", MediaType::Mp3),
            (b"RIFF\x24\x08\0\0WAVEfmt ", MediaType::Wav),
            (b"\0\0\0\x18ftypmp42", MediaType::Mp4),
        ];
        for (head, expected) in cases {
            assert_eq!(MediaType::sniff(&padded(head)), Some(expected), "{head:?}");
        }
    }

    #[test]
    fn other_files_are_not_media() {
        for head in [
            &b"WEBVTT\n\n00:00.000 --> 00:01.000"[..],
            b"%PDF-1.7",
            b"\x89PNG\r\n\x1a\n",
            b"\xff\xf1\x50\x80",                     // AAC ADTS, not MP3
            b"\x1a\x45\xdf\xa3\x9f\x42\x86matroska", // Matroska, not WebM
            b"RIFF\x24\x08\0\0AVI ",
            b"\0\0\0\x04ftypisom",
            b"",
            b"ftyp",
        ] {
            assert_eq!(MediaType::sniff(head), None, "{head:?}");
        }
    }

    #[test]
    fn messages_list_the_accepted_types() {
        assert_eq!(accepted_labels(), "MP4, M4A, WebM, Ogg, MP3 or WAV");
        assert_eq!(MediaType::Wav.mime(), "audio/wav");
    }
}
