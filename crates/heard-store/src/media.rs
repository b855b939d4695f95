//! Media files (a film source's video or audio), kept by content: each file's address is the
//! SHA-256 of its bytes, so the same recording uploaded twice is kept once. [`MediaStore`] is what
//! the rest of Heard uses, so an object store can take the place of [`FsMediaStore`] (files under
//! the data folder) later.

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use heard_analysis::voice::redaction::Redactor;
use heard_analysis::voice::screening::Screened;
use heard_domain::voice::sources::SourceKind;
use heard_domain::voice::transcript::{self, Cue};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

use crate::{Media, NewSource, Pool, Source, Store, StoreError};

/// Why a media store call failed. Messages name no file and no content.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// More than the limit was sent; nothing was kept.
    #[error("the file is larger than the limit of {limit} bytes")]
    TooLarge { limit: u64 },
    /// No file has this address (or the address is not one).
    #[error("no media file at that address")]
    NotFound,
    /// Reading what was sent failed (the upload was cut short, say); nothing was kept.
    #[error("the file could not be read as it was sent")]
    Upload(#[source] std::io::Error),
    /// The store itself failed.
    #[error("media storage failed")]
    Storage(#[from] std::io::Error),
}

/// A file as stored: its content address (lower-case hex SHA-256) and size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub address: String,
    pub bytes: u64,
}

/// Bytes of a stored file, read in order.
pub type MediaReader = Box<dyn AsyncRead + Send + Unpin>;

/// Where media files are kept.
#[async_trait]
pub trait MediaStore: Send + Sync {
    /// Reads `body` to its end and keeps it, unless it is longer than `limit` bytes (then nothing
    /// is kept). Content already kept is not kept twice.
    async fn put(&self, body: &mut (dyn AsyncRead + Send + Unpin), limit: u64) -> Result<Stored, MediaError>;

    /// The size in bytes of the file at `address`.
    async fn size(&self, address: &str) -> Result<u64, MediaError>;

    /// `len` bytes of the file at `address` from byte `start` (fewer if the file ends first).
    async fn open_range(&self, address: &str, start: u64, len: u64) -> Result<MediaReader, MediaError>;

    /// Removes the file at `address`; removing one that is not there is not an error.
    async fn delete(&self, address: &str) -> Result<(), MediaError>;
}

/// Media files on disk: `<root>/ab/cd/<address>` for the address `abcd…`. A file arrives in
/// `<root>/tmp` (the same file system), is synced, then renamed into place, so a file at an
/// address is always whole; a temporary file left by a failed or abandoned upload is removed as it
/// is dropped.
#[derive(Debug, Clone)]
pub struct FsMediaStore {
    root: PathBuf,
}

impl FsMediaStore {
    /// Media kept under `root` (e.g. `<data folder>/media`), made if missing, readable by its owner only.
    pub fn open(root: impl Into<PathBuf>) -> std::io::Result<FsMediaStore> {
        let root = root.into();
        std::fs::create_dir_all(root.join("tmp"))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o700))?;
        }
        Ok(FsMediaStore { root })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The file for `address`; `None` if it is not a lower-case hex SHA-256, so no address can
    /// reach outside the root. (Backups read the files whole through this.)
    pub fn path(&self, address: &str) -> Option<PathBuf> {
        let valid = address.len() == 64 && address.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        valid.then(|| self.root.join(&address[..2]).join(&address[2..4]).join(address))
    }

    async fn open_file(&self, address: &str) -> Result<tokio::fs::File, MediaError> {
        let path = self.path(address).ok_or(MediaError::NotFound)?;
        tokio::fs::File::open(&path).await.map_err(not_found_or_storage)
    }
}

fn not_found_or_storage(error: std::io::Error) -> MediaError {
    if error.kind() == std::io::ErrorKind::NotFound { MediaError::NotFound } else { MediaError::Storage(error) }
}

#[async_trait]
impl MediaStore for FsMediaStore {
    async fn put(&self, body: &mut (dyn AsyncRead + Send + Unpin), limit: u64) -> Result<Stored, MediaError> {
        let temp = tempfile::Builder::new().prefix("upload-").tempfile_in(self.root.join("tmp"))?;
        let mut file = tokio::fs::File::from_std(temp.as_file().try_clone()?);
        let mut hasher = Sha256::new();
        let mut bytes = 0u64;
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            let read = body.read(&mut buffer).await.map_err(MediaError::Upload)?;
            if read == 0 {
                break;
            }
            bytes += read as u64;
            if bytes > limit {
                return Err(MediaError::TooLarge { limit });
            }
            hasher.update(&buffer[..read]);
            file.write_all(&buffer[..read]).await?;
        }
        file.flush().await?;
        file.sync_all().await?;
        drop(file);
        let address = hex::encode(hasher.finalize());
        let path = self.path(&address).ok_or(MediaError::NotFound)?;
        let folder = path.parent().map(Path::to_path_buf).unwrap_or_else(|| self.root.clone());
        tokio::fs::create_dir_all(&folder).await?;
        if !tokio::fs::try_exists(&path).await? {
            tokio::task::spawn_blocking(move || -> std::io::Result<()> {
                temp.persist(&path).map_err(|e| e.error)?;
                // The rename lasts only once the folder that records it is synced.
                #[cfg(unix)]
                std::fs::File::open(&folder)?.sync_all()?;
                Ok(())
            })
            .await
            .map_err(std::io::Error::other)??;
        }
        Ok(Stored { address, bytes })
    }

    async fn size(&self, address: &str) -> Result<u64, MediaError> {
        Ok(self.open_file(address).await?.metadata().await?.len())
    }

    async fn open_range(&self, address: &str, start: u64, len: u64) -> Result<MediaReader, MediaError> {
        let mut file = self.open_file(address).await?;
        file.seek(std::io::SeekFrom::Start(start)).await?;
        Ok(Box::new(file.take(len)))
    }

    async fn delete(&self, address: &str) -> Result<(), MediaError> {
        let path = self.path(address).ok_or(MediaError::NotFound)?;
        match tokio::fs::remove_file(&path).await {
            Ok(()) => Ok(()),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(error) => Err(MediaError::Storage(error)),
        }
    }
}

impl Store {
    /// Does any source hold the media file at `address`?
    pub async fn media_in_use(&self, address: &str) -> Result<bool, StoreError> {
        const SQL: &str = "SELECT COUNT(*) FROM sources WHERE media_address = $1";
        let count: i64 = match &self.pool {
            Pool::Sqlite(pool) => sqlx::query_scalar(SQL).bind(address).fetch_one(pool).await?,
            Pool::Postgres(pool) => sqlx::query_scalar(SQL).bind(address).fetch_one(pool).await?,
        };
        Ok(count > 0)
    }
}

/// Removes the file at `address` unless a source holds it: for a film whose source could not be
/// saved, so nothing is left half-saved. Failures are logged, not returned: the caller is already
/// reporting the error that brought it here.
pub async fn discard_unused(store: &Store, media: &dyn MediaStore, address: &str) {
    match store.media_in_use(address).await {
        Ok(true) => {}
        Ok(false) => {
            if let Err(error) = media.delete(address).await {
                tracing::warn!(%error, "could not remove an unused media file");
            }
        }
        Err(error) => tracing::warn!(%error, "could not tell whether a media file is in use"),
    }
}

/// A film's transcript as a source's text: one line per cue (the cue's own line breaks become
/// spaces), the speaker first as "Name: " when the cue names one; and each cue's timing.
pub fn film_text(cues: &[Cue]) -> (String, Vec<(u64, u64)>) {
    let lines: Vec<String> = cues
        .iter()
        .map(|cue| {
            let text = cue.text.replace(['\n', '\r'], " ");
            match &cue.speaker {
                Some(speaker) => format!("{speaker}: {text}"),
                None => text,
            }
        })
        .collect();
    (lines.join("\n"), cues.iter().map(|cue| (cue.start_ms, cue.end_ms)).collect())
}

/// Why the demo film could not be added.
#[derive(Debug, thiserror::Error)]
pub enum DemoFilmError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Media(#[from] MediaError),
    #[error("the demo transcript does not parse: {0}")]
    Transcript(#[from] transcript::TranscriptError),
}

/// The title of the demo's film source.
pub const DEMO_FILM_TITLE: &str = "Parents' stories: a recorded interview (demo)";
/// The programme that holds it, and the participant heard in it (who consents to filming).
const DEMO_FILM_PROGRAMME: &str = "adults-with-disabilities";
const DEMO_FILM_PARTICIPANT: &str = "Service user G (demo)";

/// Adds the demo's film source to a programme: a generated recording (tones, no voice) and its
/// synthetic transcript, heard from the programme's participants named in `participant_ids`.
pub async fn demo_film(
    store: &Store,
    media: &dyn MediaStore,
    programme_id: i64,
    by: i64,
    participant_ids: Vec<i64>,
) -> Result<Source, DemoFilmError> {
    use heard_analysis::voice::synthetic_audio::{DEMO_TRANSCRIPT, demo_recording};
    let recording = demo_recording();
    let stored = media.put(&mut recording.as_slice(), recording.len() as u64).await?;
    let cues = transcript::parse(DEMO_TRANSCRIPT.as_bytes(), None)?.cues;
    let (text, timings) = film_text(&cues);
    let names = store.known_names(programme_id).await?;
    let redactor = Redactor::new().with_known_names(names.iter().map(String::as_str));
    let new = NewSource {
        kind: SourceKind::Film,
        title: Some(DEMO_FILM_TITLE.to_owned()),
        text: Screened::new(&redactor, text),
        collected_on: Some(time::macros::date!(2014 - 06 - 25)),
        activity_id: None,
        participant_ids,
        attributes: Default::default(),
        media: Some(Media {
            address: stored.address.clone(),
            media_type: "audio/wav".to_owned(),
            bytes: i64::try_from(stored.bytes).unwrap_or(i64::MAX),
        }),
        cue_timings: Some(timings),
    };
    match store.add_source(programme_id, &new, Some(by)).await {
        Ok(source) => Ok(source),
        Err(error) => {
            discard_unused(store, media, &stored.address).await;
            Err(error.into())
        }
    }
}

/// Adds the demo film to the demo's programme unless a source with its title is there already, so
/// it can follow `demo::load` every time. Does nothing without the demo programme.
pub async fn load_demo_film(store: &Store, media: &dyn MediaStore) -> Result<(), DemoFilmError> {
    let Some(programme) = store.programme(DEMO_FILM_PROGRAMME).await? else {
        return Ok(());
    };
    let filters =
        crate::SearchFilters { programme_id: Some(programme.id), kind: Some(SourceKind::Film), ..Default::default() };
    let (films, _) = store.sources(&filters, 0).await?;
    if films.iter().any(|film| film.title == DEMO_FILM_TITLE) {
        return Ok(());
    }
    let researcher =
        heard_domain::governance::Email::parse("email", crate::demo::DEMO_ACCOUNTS[2].1).map_err(StoreError::from)?;
    let Some(researcher) = store.user_by_email(&researcher).await? else {
        return Ok(());
    };
    let heard: Vec<i64> = store
        .participants(programme.id)
        .await?
        .into_iter()
        .filter(|p| p.pseudonym == DEMO_FILM_PARTICIPANT)
        .map(|p| p.id)
        .collect();
    demo_film(store, media, programme.id, researcher.id, heard).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, FsMediaStore) {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let media = FsMediaStore::open(dir.path().join("media")).expect("the store opens");
        (dir, media)
    }

    fn files_under(path: &Path) -> Vec<PathBuf> {
        let mut found = Vec::new();
        for entry in std::fs::read_dir(path).expect("a folder") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                found.extend(files_under(&path));
            } else {
                found.push(path);
            }
        }
        found
    }

    async fn read_all(mut reader: MediaReader) -> Vec<u8> {
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes).await.expect("readable");
        bytes
    }

    #[tokio::test]
    async fn content_is_kept_once_at_its_sha256() {
        let (_dir, media) = store();
        let body = b"RIFF....WAVE some recording".to_vec();
        let first = media.put(&mut body.as_slice(), 1024).await.expect("kept");
        let second = media.put(&mut body.as_slice(), 1024).await.expect("kept again");
        assert_eq!(first, second);
        assert_eq!(first.bytes, body.len() as u64);
        assert_eq!(first.address, hex::encode(Sha256::digest(&body)));
        let files = files_under(media.root());
        assert_eq!(files.len(), 1, "one file, no temporary files: {files:?}");
        let expected = media.root().join(&first.address[..2]).join(&first.address[2..4]).join(&first.address);
        assert_eq!(files[0], expected);
        assert_eq!(media.size(&first.address).await.expect("a size"), body.len() as u64);

        let other = media.put(&mut &b"another"[..], 1024).await.expect("kept");
        assert_ne!(other.address, first.address);
        assert_eq!(files_under(media.root()).len(), 2);
    }

    #[tokio::test]
    async fn ranges_read_exactly_the_bytes_asked_for() {
        let (_dir, media) = store();
        let body: Vec<u8> = (0..=255u8).cycle().take(200_000).collect();
        let stored = media.put(&mut body.as_slice(), 1_000_000).await.expect("kept");
        let range = read_all(media.open_range(&stored.address, 1000, 500).await.expect("opens")).await;
        assert_eq!(range, body[1000..1500]);
        let tail = read_all(media.open_range(&stored.address, 199_990, 100).await.expect("opens")).await;
        assert_eq!(tail, body[199_990..], "a range past the end stops at the end");
        let whole = read_all(media.open_range(&stored.address, 0, u64::MAX).await.expect("opens")).await;
        assert_eq!(whole, body);
    }

    #[tokio::test]
    async fn a_file_over_the_limit_leaves_nothing_behind() {
        let (_dir, media) = store();
        let body = vec![7u8; 10_001];
        let error = media.put(&mut body.as_slice(), 10_000).await.expect_err("too large");
        assert!(matches!(error, MediaError::TooLarge { limit: 10_000 }), "{error:?}");
        assert!(files_under(media.root()).is_empty(), "no temporary file left");
        let exactly = media.put(&mut &body[..10_000], 10_000).await.expect("at the limit is fine");
        assert_eq!(exactly.bytes, 10_000);
    }

    #[tokio::test]
    async fn a_broken_upload_leaves_nothing_behind() {
        struct Broken(usize);
        impl AsyncRead for Broken {
            fn poll_read(
                mut self: std::pin::Pin<&mut Self>,
                _: &mut std::task::Context<'_>,
                buf: &mut tokio::io::ReadBuf<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                if self.0 == 0 {
                    return std::task::Poll::Ready(Err(std::io::Error::other("connection reset")));
                }
                self.0 -= 1;
                buf.put_slice(&[1; 100]);
                std::task::Poll::Ready(Ok(()))
            }
        }
        let (_dir, media) = store();
        let error = media.put(&mut Broken(3), 1_000_000).await.expect_err("broken");
        assert!(matches!(error, MediaError::Upload(_)), "{error:?}");
        assert!(files_under(media.root()).is_empty());
    }

    #[tokio::test]
    async fn addresses_that_are_not_sha256_reach_nothing() {
        let (_dir, media) = store();
        for address in ["../../etc/passwd", "", "ABCDEF", &"a".repeat(63), &"g".repeat(64)] {
            assert!(matches!(media.size(address).await, Err(MediaError::NotFound)), "{address}");
            assert!(matches!(media.open_range(address, 0, 1).await, Err(MediaError::NotFound)), "{address}");
        }
        let missing = "0".repeat(64);
        assert!(matches!(media.size(&missing).await, Err(MediaError::NotFound)));
        media.delete(&missing).await.expect("deleting what is not there is fine");
    }

    #[tokio::test]
    async fn deleting_removes_the_file() {
        let (_dir, media) = store();
        let stored = media.put(&mut &b"bytes"[..], 100).await.expect("kept");
        media.delete(&stored.address).await.expect("deleted");
        assert!(matches!(media.size(&stored.address).await, Err(MediaError::NotFound)));
    }

    #[test]
    fn a_transcript_becomes_one_line_per_cue_with_its_speaker() {
        let cues = transcript::parse(
            b"WEBVTT\n\n00:01.000 --> 00:02.500\n<v Interviewer (demo)>Two\nlines\n\n00:03.000 --> 00:04.000\nNo speaker\n",
            None,
        )
        .expect("parses")
        .cues;
        let (text, timings) = film_text(&cues);
        assert_eq!(text, "Interviewer (demo): Two lines\nNo speaker");
        assert_eq!(timings, [(1000, 2500), (3000, 4000)]);
    }
}
