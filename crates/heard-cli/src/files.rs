//! Files the commands write for people to take away (reports, exports): written whole or not at
//! all.

use std::io::Write;
use std::path::Path;

use anyhow::Context;

/// Writes `bytes` to `file` beside it first, then renames it into place: a failure leaves no
/// half-written file, and an existing one is replaced only by a whole new one.
pub fn write_whole(file: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let folder = file.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut temp =
        tempfile::NamedTempFile::new_in(folder).with_context(|| format!("could not write in {}", folder.display()))?;
    temp.write_all(bytes).with_context(|| format!("could not write {}", file.display()))?;
    temp.as_file().sync_all().ok();
    temp.persist(file).with_context(|| format!("could not write {}", file.display()))?;
    Ok(())
}
