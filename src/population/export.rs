//! Writing a population as the three tables that [`super::import`] reads back.
//!
//! `members.csv` (`chat,user,kind`), `chats.csv` (`chat,kind,trust,owner,camp`) and
//! `users.csv` (`user,camp,skepticism,activity,fanout,followers`, plus `isolated` when
//! some users are in no chat) describe a population
//! completely: importing them (as `members`, `chat_table` and `user_table` of a scenario
//! with the same camps) gives back the same users, chats and user -> chat index. Users
//! and chats are written in dense id order, which import reads back as the same ids;
//! ids are the population's labels when it has them, the dense ids otherwise. Floats
//! are written with Rust's shortest round-trip formatting, so they read back exactly.
//! Each file is written under a temporary name and renamed, so a reader never sees a
//! half-written table.

use super::{Population, FANOUT_ALL, NO_OWNER};
use crate::error::OutputError;
use std::borrow::Cow;
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Writes `members.csv`, `chats.csv` and `users.csv` into `dir` (created if missing)
/// and returns their paths in that order.
///
/// # Errors
/// [`OutputError::Io`] naming the file that could not be written.
///
/// # Complexity
/// One pass over users, chats and memberships; memory is a buffered writer.
pub fn write_population(pop: &Population, dir: &Path) -> Result<Vec<PathBuf>, OutputError> {
    fs::create_dir_all(dir).map_err(|source| OutputError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let user = |u: u32| label(pop.user_labels.as_deref(), u);
    let chat = |c: u32| label(pop.chat_labels.as_deref(), c);
    let camp = |i: u8| match pop.camp_names.get(i as usize) {
        Some(name) => Cow::Borrowed(name.as_str()),
        None => Cow::Owned(i.to_string()),
    };
    let c = &pop.chats;
    let members = write_atomically(dir, "members.csv", |w| {
        w.write_all(b"chat,user,kind\n")?;
        for i in 0..c.len() {
            let name = chat(i as u32);
            for &u in c.members.row(i) {
                field(w, &name)?;
                w.write_all(b",")?;
                field(w, &user(u))?;
                writeln!(w, ",{}", c.kind[i])?;
            }
        }
        Ok(())
    })?;
    let chats = write_atomically(dir, "chats.csv", |w| {
        w.write_all(b"chat,kind,trust,owner,camp\n")?;
        for i in 0..c.len() {
            field(w, &chat(i as u32))?;
            write!(w, ",{},{},", c.kind[i], c.trust[i])?;
            if c.owner[i] != NO_OWNER {
                field(w, &user(c.owner[i]))?;
            }
            w.write_all(b",")?;
            field(w, &camp(c.camp[i]))?;
            w.write_all(b"\n")?;
        }
        Ok(())
    })?;
    let u = &pop.users;
    // Users in no chat are marked, so that importing the tables accepts them (a user
    // table row for a user in no chat is otherwise refused).
    let in_no_chat = |i: usize| pop.user_chats.row_len(i) == 0;
    let any_isolated = (0..u.len()).any(in_no_chat);
    let users = write_atomically(dir, "users.csv", |w| {
        w.write_all(b"user,camp,skepticism,activity,fanout,followers")?;
        w.write_all(if any_isolated { b",isolated\n" } else { b"\n" })?;
        for i in 0..u.len() {
            field(w, &user(i as u32))?;
            w.write_all(b",")?;
            field(w, &camp(u.camp[i]))?;
            write!(w, ",{},{},", u.skepticism[i], u.activity[i])?;
            if u.fanout[i] == FANOUT_ALL {
                w.write_all(b"all")?;
            } else {
                write!(w, "{}", u.fanout[i])?;
            }
            write!(w, ",{}", u.followers[i])?;
            if any_isolated {
                w.write_all(if in_no_chat(i) { b",true" } else { b"," })?;
            }
            w.write_all(b"\n")?;
        }
        Ok(())
    })?;
    Ok(vec![members, chats, users])
}

/// The label of id `i`: from `labels` when present, else the id itself.
fn label(labels: Option<&[String]>, i: u32) -> Cow<'_, str> {
    match labels.and_then(|l| l.get(i as usize)) {
        Some(s) => Cow::Borrowed(s.as_str()),
        None => Cow::Owned(i.to_string()),
    }
}

/// Writes one CSV field, quoted when it holds a separator, quote or line break, or
/// starts or ends with white space (which the reader would otherwise trim).
fn field(w: &mut impl Write, s: &str) -> io::Result<()> {
    let special = |b: u8| matches!(b, b',' | b'"' | b'\n' | b'\r' | b'\t');
    let quote = s.bytes().any(special)
        || s.starts_with(char::is_whitespace)
        || s.ends_with(char::is_whitespace);
    if !quote {
        return w.write_all(s.as_bytes());
    }
    w.write_all(b"\"")?;
    w.write_all(s.replace('"', "\"\"").as_bytes())?;
    w.write_all(b"\"")
}

/// Writes `dir/name` through a temporary file in the same folder, renamed at the end;
/// on failure the temporary file is removed.
fn write_atomically(
    dir: &Path,
    name: &str,
    body: impl FnOnce(&mut BufWriter<File>) -> io::Result<()>,
) -> Result<PathBuf, OutputError> {
    let path = dir.join(name);
    let tmp = dir.join(format!(".{name}.tmp"));
    let result = File::create(&tmp).and_then(|f| {
        let mut w = BufWriter::with_capacity(1 << 20, f);
        body(&mut w)?;
        w.flush()?;
        drop(w);
        fs::rename(&tmp, &path)
    });
    match result {
        Ok(()) => Ok(path),
        Err(source) => {
            let _ = fs::remove_file(&tmp);
            Err(OutputError::Io { path, source })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::population::import::import;
    use crate::population::{Chats, Csr, Users};
    use crate::scenario::{ChatKind, Scenario};

    /// Six users (one isolated) and five chats covering every column: an owner, an
    /// empty chat, a one-member chat, awkward labels and floats.
    fn sample() -> Population {
        use ChatKind::*;
        let mut p = Population {
            users: Users {
                camp: vec![0, 1, 0, 1, 1, 0],
                skepticism: vec![0.1, 1.0 / 3.0, 0.0, 1.0, 1e-45, 0.7],
                activity: vec![0.123_456_79, 0.5, 2.0f32.sqrt() / 2.0, 0.99999994, 0.3, 0.0],
                fanout: vec![1, FANOUT_ALL, FANOUT_ALL - 1, 3, 2, 1],
                followers: vec![0, 5, u32::MAX, 0, 0, 12],
            },
            chats: Chats {
                kind: vec![Family, Broadcast, Community, Direct, Political],
                trust: vec![0.9, 0.6, 0.5, 0.8, 0.1 + 0.2],
                camp: vec![0, 1, 1, 0, 1],
                owner: vec![NO_OWNER, 3, NO_OWNER, NO_OWNER, NO_OWNER],
                members: Csr::from_lengths([3, 3, 0, 2, 1], vec![0, 1, 2, 3, 0, 4, 4, 1, 2]),
            },
            camp_names: vec!["left".into(), "right, far".into()],
            ..Population::default()
        };
        p.index_user_chats();
        p
    }

    /// Writes `pop` into a temp dir and imports it back.
    fn round_trip(pop: &Population) -> Population {
        let dir = tempfile::tempdir().unwrap();
        let paths = write_population(pop, dir.path()).unwrap();
        let names: Vec<_> = paths.iter().map(|p| p.file_name().unwrap()).collect();
        assert_eq!(names, ["members.csv", "chats.csv", "users.csv"]);
        let leftovers = fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 3, "no temporary files are left behind");
        let camps: Vec<String> = pop
            .camp_names
            .iter()
            .map(|c| {
                format!(
                    "{{ name = {c:?}, share = {} }}",
                    1.0 / pop.camp_names.len() as f64
                )
            })
            .collect();
        let text = format!(
            "[population]\nmembers = \"members.csv\"\nchat_table = \"chats.csv\"\n\
             user_table = \"users.csv\"\ncamps = [{}]\n",
            camps.join(", ")
        );
        let mut s = Scenario::from_toml_str(&text, "t.toml").unwrap();
        s.path = Some(dir.path().join("t.toml"));
        import(&s).unwrap()
    }

    fn assert_same(a: &Population, b: &Population) {
        assert_eq!(a.users, b.users);
        assert_eq!(a.chats, b.chats);
        assert_eq!(a.user_chats, b.user_chats);
        assert_eq!(a.camp_names, b.camp_names);
    }

    #[test]
    fn round_trip_without_labels_is_exact() {
        let p = sample();
        let q = round_trip(&p);
        assert_same(&p, &q);
        let ids: Vec<String> = (0..6).map(|i| i.to_string()).collect();
        assert_eq!(q.user_labels.as_deref(), Some(&ids[..]));
        assert_eq!(q.import_report.unwrap().duplicates_dropped, 0);
    }

    #[test]
    fn round_trip_with_awkward_labels_is_exact() {
        let mut p = sample();
        let users = ["ann", "bob \"b\"", " cy ", "d,e", "007", "iso\nlated"];
        p.user_labels = Some(users.iter().map(|s| s.to_string()).collect());
        let chats = ["fam", "news", "ghost", "#dm", "solo"];
        p.chat_labels = Some(chats.iter().map(|s| s.to_string()).collect());
        let q = round_trip(&p);
        assert_same(&p, &q);
        assert_eq!(q.user_labels, p.user_labels);
        assert_eq!(q.chat_labels, p.chat_labels);
    }

    #[test]
    fn edge_list_import_survives_export() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("g.txt"), "b a\nc b\na c\nd b\n").unwrap();
        let text = "[population]\nedges = \"g.txt\"\n\
                    camps = [{ name = \"x\", share = 0.5 }, { name = \"y\", share = 0.5 }]\n";
        let mut s = Scenario::from_toml_str(text, "t.toml").unwrap();
        s.path = Some(dir.path().join("t.toml"));
        let p = import(&s).unwrap();
        let q = round_trip(&p);
        assert_same(&p, &q);
        assert_eq!(q.user_labels, p.user_labels);
    }

    #[test]
    fn files_have_the_documented_headers() {
        let dir = tempfile::tempdir().unwrap();
        let paths = write_population(&sample(), dir.path()).unwrap();
        let first: Vec<String> = paths
            .iter()
            .map(|p| {
                fs::read_to_string(p)
                    .unwrap()
                    .lines()
                    .next()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(
            first,
            [
                "chat,user,kind",
                "chat,kind,trust,owner,camp",
                // The sample has a user in no chat.
                "user,camp,skepticism,activity,fanout,followers,isolated"
            ]
        );
        let chats = fs::read_to_string(&paths[1]).unwrap();
        assert!(
            chats.contains("\n1,broadcast,0.6,3,\"right, far\"\n"),
            "{chats}"
        );
        let users = fs::read_to_string(&paths[2]).unwrap();
        assert!(users.ends_with("\n5,left,0.7,0,1,12,true\n"), "{users}");
        assert!(
            users.contains("\n1,\"right, far\",0.33333334,0.5,all,5,\n"),
            "{users}"
        );
    }
}
