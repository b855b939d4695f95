//! Graphviz DOT export of a cause map: factors as boxes left to right towards the central event
//! (a bold double octagon), "contributes to" arrows, tags kept as a node attribute and shown in the
//! tooltip. Labels are user input, so every string is quoted and escaped.
//!
//! The DOT language: <https://graphviz.org/doc/info/lang.html>; attributes and escString:
//! <https://graphviz.org/doc/info/attrs.html>.

use super::kumu::{MapParts, element_id};

/// Where a long label is broken onto a new line, in characters; labels are at most 150.
const LINE_WIDTH: usize = 28;

/// The map as a DOT `digraph` titled `title`. Node ids are the Kumu export's ("factor-1", ...), so
/// the two files name the same factor alike.
pub fn write(title: &str, parts: &MapParts) -> String {
    let mut dot = String::from("digraph \"cause map\" {\n");
    dot.push_str(&format!(
        "  graph [rankdir=LR, labelloc=t, fontsize=20, fontname=\"Helvetica,Arial,sans-serif\", label={}];\n",
        quoted(title)
    ));
    dot.push_str("  node [shape=box, style=rounded, fontname=\"Helvetica,Arial,sans-serif\"];\n");
    dot.push_str("  edge [arrowhead=normal];\n");
    for (i, label) in parts.labels.iter().enumerate() {
        let mut attributes = vec![format!("label={}", quoted(&wrapped(label)))];
        if i == parts.central {
            attributes.push("shape=doubleoctagon, style=\"bold,filled\", fillcolor=\"#ffdd00\", penwidth=2".to_owned());
        }
        let tags = parts.tags.get(i).map(|tags| tags.join(", ")).unwrap_or_default();
        let description = parts.descriptions.get(i).cloned().flatten().unwrap_or_default();
        if !tags.is_empty() {
            attributes.push(format!("tags={}", quoted(&tags)));
        }
        let tooltip = match (description.is_empty(), tags.is_empty()) {
            (true, true) => label.clone(),
            (false, true) => description,
            (true, false) => format!("Tags: {tags}"),
            (false, false) => format!("{description}\nTags: {tags}"),
        };
        attributes.push(format!("tooltip={}", quoted(&tooltip)));
        dot.push_str(&format!("  {} [{}];\n", quoted(&element_id(i)), attributes.join(", ")));
    }
    for &(from, to) in &parts.arrows {
        dot.push_str(&format!("  {} -> {};\n", quoted(&element_id(from)), quoted(&element_id(to))));
    }
    dot.push_str("}\n");
    dot
}

/// A DOT double-quoted string. Inside one only `"` needs escaping for the parser, but labels and
/// tooltips are escStrings where a backslash starts an escape (`\N` is the node's name, `\l` a line
/// end), so a backslash is doubled too; a line break becomes `\n`, other control characters a space.
fn quoted(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => quoted.push_str("\\n"),
            c if c.is_control() => quoted.push(' '),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

/// A label broken between words into lines of about [`LINE_WIDTH`] characters: Graphviz never
/// wraps, and a 150-character box would stretch the picture.
fn wrapped(label: &str) -> String {
    let mut lines: Vec<String> = Vec::new();
    for word in label.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= LINE_WIDTH => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_owned()),
        }
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::process::{Command, Stdio};

    use super::*;

    fn tricky() -> MapParts {
        MapParts {
            labels: vec![
                "Families reach help only in crisis, too late for early help to make a difference".into(),
                "Waits \"over\" 18 weeks \\ longer \\N \\l \\".into(),
                "Ünïcode façade — 家庭 <b>not html</b> & ; { } [ ] -> --".into(),
                "\"".into(),
            ],
            descriptions: vec![
                None,
                Some("Two lines:\r\nthe second \"quoted\" \\ here".into()),
                None,
                Some("\u{7}bell".into()),
            ],
            tags: vec![vec![], vec!["health".into(), "outside \"control\"".into()], vec!["<b>".into()], vec![]],
            arrows: vec![(1, 0), (3, 1), (2, 1), (1, 2)],
            central: 0,
        }
    }

    #[test]
    fn a_small_map_reads_as_dot() {
        let parts = MapParts {
            labels: vec!["Late help".into(), "Long waits".into()],
            descriptions: vec![None, Some("Over 18 weeks".into())],
            tags: vec![vec![], vec!["health".into(), "NHS".into()]],
            arrows: vec![(1, 0)],
            central: 0,
        };
        assert_eq!(
            write("Early help \"2025\"", &parts),
            r##"digraph "cause map" {
  graph [rankdir=LR, labelloc=t, fontsize=20, fontname="Helvetica,Arial,sans-serif", label="Early help \"2025\""];
  node [shape=box, style=rounded, fontname="Helvetica,Arial,sans-serif"];
  edge [arrowhead=normal];
  "factor-1" [label="Late help", shape=doubleoctagon, style="bold,filled", fillcolor="#ffdd00", penwidth=2, tooltip="Late help"];
  "factor-2" [label="Long waits", tags="health, NHS", tooltip="Over 18 weeks\nTags: health, NHS"];
  "factor-2" -> "factor-1";
}
"##
        );
    }

    #[test]
    fn user_text_is_escaped_and_long_labels_wrapped() {
        assert_eq!(quoted("a \"b\" \\ c\r\nd\re\u{0}f"), r#""a \"b\" \\ c\nd\ne f""#);
        assert_eq!(
            wrapped("Families reach help only in crisis, too late"),
            "Families reach help only in\ncrisis, too late"
        );
        assert_eq!(wrapped(&"x".repeat(40)), "x".repeat(40));
    }

    /// Runs the real Graphviz: the file must be accepted without a warning, and the labels come out
    /// as typed. Graphviz is a CI package (`.ci/run`); without it this test fails rather than skips.
    #[test]
    fn graphviz_draws_the_export_of_tricky_labels() {
        let title = "Early help: \"why late?\" \\ 2025\nsecond line";
        let dot = write(title, &tricky());
        let mut child = match Command::new("dot")
            .arg("-Tsvg")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
        {
            Ok(child) => child,
            Err(e) => panic!("Graphviz's `dot` could not be run ({e}): install graphviz (apt-get install -y graphviz)"),
        };
        child.stdin.take().unwrap().write_all(dot.as_bytes()).unwrap();
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "dot refused the export: {stderr}\n{dot}");
        assert!(stderr.trim().is_empty(), "dot warned: {stderr}\n{dot}");
        let svg = String::from_utf8(output.stdout).unwrap();
        for drawn in [
            "Early help: &quot;why late?&quot; \\ 2025",
            "Waits &quot;over&quot; 18 weeks \\",
            "Ünïcode façade — 家庭",
            "html&lt;/b&gt; &amp; ; { } [ ] &#45;&gt; &#45;&#45;",
            "longer \\N \\l \\<",
            "Families reach help only in",
        ] {
            assert!(svg.contains(drawn), "{drawn} is not in the SVG:\n{svg}");
        }
        assert_eq!(svg.matches("class=\"node\"").count(), 4);
        assert_eq!(svg.matches("class=\"edge\"").count(), 4);
        assert!(svg.contains("Tags: health, outside &quot;control&quot;"), "{svg}");
    }
}
