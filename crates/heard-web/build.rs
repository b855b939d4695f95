//! Build script: embeds the page templates, and builds the front-end assets from the npm
//! packages pinned in the workspace's `package-lock.json` (govuk-frontend, compiled by sass).

use std::fs::{self, File};
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Files that `src/assets.rs` embeds, copied unchanged from the npm packages into `OUT_DIR`.
/// No images: govuk-frontend's favicons and icons show the crown, which is for GOV.UK only;
/// Heard's own icon lives in `assets/images/`.
const COPIED: &[(&str, &str)] = &[("govuk-frontend/dist/govuk/govuk-frontend.min.js", "govuk-frontend.min.js")];

fn main() {
    minijinja_embed::embed_templates!("src/templates");

    let manifest_dir = PathBuf::from(env_var("CARGO_MANIFEST_DIR"));
    let out_dir = PathBuf::from(env_var("OUT_DIR"));
    let root = manifest_dir.join("../..");
    let assets = manifest_dir.join("assets");
    for path in [root.join("package.json"), root.join("package-lock.json"), assets.clone()] {
        println!("cargo:rerun-if-changed={}", path.display());
    }

    // Held until the end, so that no other build replaces node_modules under sass.
    let _lock = install_npm_packages(&root);
    let node_modules = root.join("node_modules");

    let status = Command::new(node_modules.join(".bin/sass"))
        .args(["--no-source-map", "--style=compressed", "--load-path"])
        .arg(&node_modules)
        .arg(assets.join("heard.scss"))
        .arg(out_dir.join("heard.css"))
        .stdout(std::io::stderr())
        .status();
    match status {
        Ok(status) if status.success() => {}
        Ok(status) => fail(&format!("sass could not compile assets/heard.scss ({status}); see its message above")),
        Err(error) => fail(&format!("could not run node_modules/.bin/sass: {error}")),
    }

    for (from, to) in COPIED {
        let from = node_modules.join(from);
        let bytes = read(&from);
        if let Err(error) = fs::write(out_dir.join(to), strip_source_map_comment(&bytes)) {
            fail(&format!("could not write {to} to OUT_DIR: {error}"));
        }
    }
}

/// Runs `npm ci` when `node_modules` is missing or older than `package-lock.json`. Returns the
/// lock that keeps other builds from doing the same meanwhile.
fn install_npm_packages(root: &Path) -> File {
    // Two builds at once (say rust-analyzer and a terminal) must not both rebuild node_modules.
    // npm never writes package.json, so it is a safe file to hold an advisory lock on.
    let lock = File::open(root.join("package.json")).unwrap_or_else(|error| {
        fail(&format!("could not open package.json at the workspace root: {error}"));
    });
    if let Err(error) = lock.lock() {
        fail(&format!("could not lock package.json: {error}"));
    }

    let wanted = modified(&root.join("package-lock.json"));
    let installed = root.join("node_modules/.package-lock.json");
    let up_to_date = installed.exists()
        && root.join("node_modules/.bin/sass").exists()
        && wanted.is_some_and(|wanted| modified(&installed).is_some_and(|installed| installed >= wanted));
    if up_to_date {
        return lock;
    }

    eprintln!("running npm ci to install the front-end packages in package-lock.json");
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(root)
        // Cargo reads a build script's stdout for instructions; npm's chatter belongs on stderr.
        .stdout(std::io::stderr())
        .status();
    match status {
        Ok(status) if status.success() => {}
        Ok(status) => fail(&format!("npm ci failed ({status}); see its message above")),
        Err(error) if error.kind() == ErrorKind::NotFound => fail(
            "Node.js and npm are needed to build heard-web's assets (govuk-frontend, compiled with sass): \
             install them, e.g. apt-get install -y nodejs npm",
        ),
        Err(error) => fail(&format!("could not run npm: {error}")),
    }
    lock
}

/// Drops the trailing `//# sourceMappingURL=...` line: the map is not served.
fn strip_source_map_comment(bytes: &[u8]) -> &[u8] {
    const MARKER: &[u8] = b"//# sourceMappingURL=";
    match bytes.windows(MARKER.len()).rposition(|window| window == MARKER) {
        Some(at) => &bytes[..at],
        None => bytes,
    }
}

fn modified(path: &Path) -> Option<std::time::SystemTime> {
    fs::metadata(path).and_then(|metadata| metadata.modified()).ok()
}

fn read(path: &Path) -> Vec<u8> {
    fs::read(path).unwrap_or_else(|error| fail(&format!("could not read {}: {error}", path.display())))
}

fn env_var(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| fail(&format!("cargo did not set {name}")))
}

/// Cargo shows a failed build script's stderr, so the message ends up in front of the reader.
fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1);
}
