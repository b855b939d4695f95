//! `heard backup FILE` and `heard restore FILE`: an embedded installation (the SQLite database
//! and its media files) copied while it runs, into one zip, and put back.
//!
//! The zip holds `manifest.json` (what is inside, with SHA-256 checksums), `heard.db` (a
//! consistent copy: [`heard_store::backup`]) and `media/<address>` for each media file the copy
//! refers to (a media file's address is the SHA-256 of its bytes, so it checks itself). A backup is
//! written beside its target and renamed when whole; a restore unpacks into a folder inside the
//! data folder, checks everything, and only then moves it into place.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use heard_store::StoreError;
use heard_store::backup::{self, CopyFacts};
use heard_store::media::FsMediaStore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use crate::settings::Settings;

const FORMAT: &str = "heard-backup";
const FORMAT_VERSION: u32 = 1;
const DATABASE: &str = "heard.db";
const MANIFEST: &str = "manifest.json";

/// Back up the embedded database and media files while Heard runs.
#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    /// Where to write the backup, e.g. heard-2026-11-27.zip. An existing file is replaced.
    pub file: PathBuf,
}

/// Put a backup back as the installation in the data folder.
#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// The backup made by `heard backup`.
    pub file: PathBuf,
    /// Replace the installation already in the data folder (stop Heard first).
    #[arg(long)]
    pub replace: bool,
}

/// What a backup holds, written first in the zip.
#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    format: String,
    format_version: u32,
    heard_version: String,
    /// When the copy was taken (UTC, RFC 3339).
    made_at: String,
    schema_version: i64,
    database: Entry,
    media: Vec<Entry>,
    /// Media files the database refers to that were not in the media folder when the backup ran.
    missing_media: usize,
}

#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    /// For the database its checksum; for a media file its address, which is its checksum.
    sha256: String,
    bytes: u64,
}

pub async fn backup(settings: &Settings, args: BackupArgs) -> anyhow::Result<()> {
    if settings.database_url.is_some() {
        bail!(
            "heard backup copies an embedded (SQLite) installation; back up PostgreSQL with pg_dump (docs/operations.md)"
        );
    }
    let started = std::time::Instant::now();
    let store = settings.open_store().await?;
    let media = settings.media_store()?;
    let folder = folder_of(&args.file);
    let staging = tempfile::Builder::new()
        .prefix(".heard-backup-")
        .tempdir_in(folder)
        .with_context(|| format!("could not write in {}", folder.display()))?;
    let copy = staging.path().join(DATABASE);
    store.copy_sqlite_to(&copy).await.map_err(store_error)?;
    store.close().await;
    let facts = backup::seal_copy(&copy).await.map_err(store_error)?;
    let file = args.file.clone();
    let manifest = tokio::task::spawn_blocking(move || write_backup(&file, &copy, &facts, &media)).await??;
    drop(staging);
    println!(
        "Backed up to {} in {:.1} s: the database ({} KB, schema {}) and {} media file(s).",
        args.file.display(),
        started.elapsed().as_secs_f64(),
        manifest.database.bytes.div_ceil(1024),
        manifest.schema_version,
        manifest.media.len()
    );
    if manifest.missing_media > 0 {
        eprintln!(
            "Warning: {} media file(s) the database refers to were not in the media folder and are not in the backup.",
            manifest.missing_media
        );
    }
    Ok(())
}

fn write_backup(file: &Path, copy: &Path, facts: &CopyFacts, media: &FsMediaStore) -> anyhow::Result<Manifest> {
    let folder = folder_of(file);
    let temp =
        tempfile::NamedTempFile::new_in(folder).with_context(|| format!("could not write in {}", folder.display()))?;
    let mut zip = ZipWriter::new(temp);
    let deflated = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated).large_file(true);
    let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored).large_file(true);

    let mut media_entries = Vec::new();
    let mut missing_media = 0;
    // The manifest goes first so a reader finds it at once; its checksums are known only after the
    // files are read, so they are read once to sum them, then again into the zip.
    let database = Entry { sha256: sum_file(copy)?, bytes: std::fs::metadata(copy)?.len() };
    for address in &facts.media_addresses {
        match media.path(address).map(|path| std::fs::metadata(&path).map(|m| (path, m.len()))) {
            Some(Ok((_, bytes))) => media_entries.push(Entry { sha256: address.clone(), bytes }),
            _ => missing_media += 1,
        }
    }
    let manifest = Manifest {
        format: FORMAT.into(),
        format_version: FORMAT_VERSION,
        heard_version: env!("CARGO_PKG_VERSION").into(),
        made_at: time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339)?,
        schema_version: facts.schema_version,
        database,
        media: media_entries,
        missing_media,
    };
    zip.start_file(MANIFEST, deflated)?;
    zip.write_all(&serde_json::to_vec_pretty(&manifest)?)?;
    zip.start_file(DATABASE, deflated)?;
    io::copy(&mut File::open(copy)?, &mut zip)?;
    for entry in &manifest.media {
        // Recordings are compressed already: stored as they are.
        zip.start_file(format!("media/{}", entry.sha256), stored)?;
        let path = media.path(&entry.sha256).context("a media address is not one")?;
        let copied = io::copy(&mut File::open(&path)?, &mut zip)?;
        if copied != entry.bytes {
            bail!("a media file changed while it was being backed up; run heard backup again");
        }
    }
    let temp = zip.finish()?;
    temp.as_file().sync_all()?;
    temp.persist(file).with_context(|| format!("could not write {}", file.display()))?;
    Ok(manifest)
}

pub async fn restore(settings: &Settings, args: RestoreArgs) -> anyhow::Result<()> {
    if settings.database_url.is_some() {
        bail!(
            "heard restore puts back an embedded (SQLite) installation; restore PostgreSQL with pg_restore (docs/operations.md)"
        );
    }
    let data_dir = settings.data_dir()?;
    let database = data_dir.join(DATABASE);
    let media_dir = data_dir.join("media");
    if !args.replace && (database.exists() || holds_media(&media_dir)?) {
        bail!(
            "{} already holds an installation: stop Heard, then add --replace to put the backup in its place",
            data_dir.display()
        );
    }
    let staging = tempfile::Builder::new()
        .prefix(".heard-restore-")
        .tempdir_in(&data_dir)
        .with_context(|| format!("could not write in {}", data_dir.display()))?;
    let file = args.file.clone();
    let unpacked = staging.path().to_path_buf();
    let manifest = tokio::task::spawn_blocking(move || unpack(&file, &unpacked)).await??;
    let facts = backup::check_copy(&staging.path().join(DATABASE)).await.map_err(store_error)?;
    let listed: Vec<&str> = manifest.media.iter().map(|e| e.sha256.as_str()).collect();
    let missing = facts.media_addresses.iter().filter(|a| !listed.contains(&a.as_str())).count();

    // Everything is checked: now the swap. The old write-ahead log must go before the new database
    // arrives, or SQLite would replay it into the restored file.
    for suffix in ["-wal", "-shm"] {
        remove_if_present(&data_dir.join(format!("{DATABASE}{suffix}")))?;
    }
    std::fs::rename(staging.path().join(DATABASE), &database)
        .context("could not move the restored database into place")?;
    if media_dir.exists() {
        std::fs::rename(&media_dir, staging.path().join("replaced-media"))
            .context("could not move the old media folder aside")?;
    }
    std::fs::rename(staging.path().join("media"), &media_dir)
        .context("could not move the restored media into place")?;
    drop(staging);
    println!(
        "Restored the backup made {} (schema {}, {} media file(s)) into {}.",
        manifest.made_at,
        manifest.schema_version,
        manifest.media.len(),
        data_dir.display()
    );
    if missing > 0 {
        eprintln!("Warning: {missing} media file(s) the database refers to were not in the backup.");
    }
    Ok(())
}

/// Unpacks and checks the backup `file` into `into`: `heard.db` and `media/`.
fn unpack(file: &Path, into: &Path) -> anyhow::Result<Manifest> {
    let opened = File::open(file).with_context(|| format!("could not open {}", file.display()))?;
    let not_backup = || format!("{} is not a backup made by heard backup", file.display());
    let mut zip = ZipArchive::new(opened).with_context(not_backup)?;
    let manifest: Manifest = {
        let entry = zip.by_name(MANIFEST).with_context(not_backup)?;
        serde_json::from_reader(entry.take(1 << 20)).with_context(not_backup)?
    };
    if manifest.format != FORMAT {
        bail!(not_backup());
    }
    if manifest.format_version > FORMAT_VERSION {
        bail!(
            "{} was made by a newer version of Heard ({}): restore it with that version",
            file.display(),
            manifest.heard_version
        );
    }
    extract(&mut zip, DATABASE, &into.join(DATABASE), &manifest.database)?;
    let media = FsMediaStore::open(into.join("media")).context("could not make the media folder")?;
    for entry in &manifest.media {
        let path =
            media.path(&entry.sha256).with_context(|| format!("{MANIFEST} lists a media address that is not one"))?;
        std::fs::create_dir_all(path.parent().unwrap_or(into))?;
        extract(&mut zip, &format!("media/{}", entry.sha256), &path, entry)?;
    }
    Ok(manifest)
}

/// Copies the zip's entry `name` to `to`, checking its size and checksum against `expected`.
fn extract(zip: &mut ZipArchive<File>, name: &str, to: &Path, expected: &Entry) -> anyhow::Result<()> {
    let mut entry = zip.by_name(name).with_context(|| format!("the backup has no {name}: it is incomplete"))?;
    let mut out = File::create(to)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 1 << 16];
    let mut bytes = 0u64;
    loop {
        let read =
            entry.read(&mut buffer).with_context(|| format!("the backup's {name} cannot be read: it is damaged"))?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
        out.write_all(&buffer[..read])?;
        bytes += read as u64;
    }
    out.sync_all()?;
    if bytes != expected.bytes || hex::encode(hasher.finalize()) != expected.sha256 {
        bail!("the backup's {name} does not match its checksum: the backup is damaged");
    }
    Ok(())
}

fn sum_file(path: &Path) -> anyhow::Result<String> {
    let mut hasher = Sha256::new();
    io::copy(&mut File::open(path)?, &mut hasher)?;
    Ok(hex::encode(hasher.finalize()))
}

/// Whether the media folder holds any media file (its `tmp` folder aside).
fn holds_media(media_dir: &Path) -> anyhow::Result<bool> {
    let Ok(entries) = std::fs::read_dir(media_dir) else { return Ok(false) };
    for entry in entries {
        let entry = entry?;
        if entry.file_name() != "tmp" {
            return Ok(true);
        }
    }
    Ok(false)
}

fn remove_if_present(path: &Path) -> anyhow::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => {
            Err(e).with_context(|| format!("could not remove {}", path.display()))
        }
        _ => Ok(()),
    }
}

fn folder_of(file: &Path) -> &Path {
    file.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."))
}

fn store_error(error: StoreError) -> anyhow::Error {
    match error {
        StoreError::Invalid(invalid) => {
            anyhow::anyhow!(invalid.0.into_iter().map(|e| e.message).collect::<Vec<_>>().join("; "))
        }
        other => anyhow::Error::new(other),
    }
}
