//! `ledger sync` and the network (SPEC section 7, "Networks"): a remote
//! that never answers or falls silent is given up on, and a URL's password
//! is never shown. Servers listen on 127.0.0.1 only and stop by themselves.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use crate::sync::Team;

/// Longer than any test waits for a server.
pub(crate) const SERVER_LIFETIME: Duration = Duration::from_secs(120);

/// A TCP server on 127.0.0.1 that takes every connection and then, after
/// answering the client's first packet line with `answer` if there is one,
/// never sends another byte. It stops when dropped, or by itself.
struct Silent {
    port: u16,
    stop: Arc<AtomicBool>,
}

impl Silent {
    fn start(answer: Option<Vec<u8>>) -> Silent {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        thread::spawn(move || {
            let until = Instant::now() + SERVER_LIFETIME;
            while !stopped.load(Ordering::Relaxed) && Instant::now() < until {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let answer = answer.clone();
                        let stopped = Arc::clone(&stopped);
                        thread::spawn(move || hold(stream, answer, &stopped, until));
                    }
                    Err(_) => thread::sleep(Duration::from_millis(20)),
                }
            }
        });
        Silent { port, stop }
    }
}

impl Drop for Silent {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Answer the first packet line (if asked to), then keep the connection
/// open and quiet.
fn hold(mut stream: TcpStream, answer: Option<Vec<u8>>, stop: &AtomicBool, until: Instant) {
    stream.set_nonblocking(false).unwrap();
    if let Some(answer) = answer {
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut length = [0u8; 4];
        if stream.read_exact(&mut length).is_ok() {
            let length = usize::from_str_radix(std::str::from_utf8(&length).unwrap(), 16).unwrap();
            let mut request = vec![0u8; length.saturating_sub(4)];
            let _ = stream.read_exact(&mut request);
            let _ = stream.write_all(&answer);
        }
    }
    while !stop.load(Ordering::Relaxed) && Instant::now() < until {
        thread::sleep(Duration::from_millis(50));
    }
}

/// A git packet line.
fn pkt(text: &str) -> String {
    format!("{:04x}{text}", text.len() + 4)
}

/// A port on 127.0.0.1 that refuses connections.
pub(crate) fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// A remote that takes the connection and never says a word is given up
/// on after 10 seconds, whatever the protocol, and the clone is left
/// exactly as it was.
#[test]
fn a_remote_that_never_answers_is_given_up_on_after_ten_seconds() {
    let server = Silent::start(None);
    let team = Team::new();
    let urls = [
        format!("https://127.0.0.1:{}/sales.git", server.port),
        format!("ssh://git@127.0.0.1:{}/sales.git", server.port),
        format!("git://127.0.0.1:{}/sales.git", server.port),
    ];
    for (n, url) in urls.iter().enumerate() {
        let who = format!("C{n}");
        team.join(&who);
        team.ledger(&who, &["touch", "acme", "call", "Unpushed."])
            .ok();
        team.hand_edit(&who);
        team.git(&who, &["remote", "set-url", "origin", url]);
    }
    let before: Vec<_> = (0..urls.len())
        .map(|n| team.state(&format!("C{n}")))
        .collect();
    thread::scope(|scope| {
        let runs: Vec<_> = urls
            .iter()
            .enumerate()
            .map(|(n, url)| {
                let team = &team;
                scope.spawn(move || {
                    let start = Instant::now();
                    let run = team.ledger(&format!("C{n}"), &["sync"]);
                    (url, start.elapsed(), run)
                })
            })
            .collect();
        for (n, handle) in runs.into_iter().enumerate() {
            let (url, took, run) = handle.join().unwrap();
            assert!(
                took >= Duration::from_secs(9) && took < Duration::from_secs(75),
                "{url}: {took:?}"
            );
            run.fails(1).says(&format!(
                "cannot fetch from {}: no answer while connecting (gave up after 10 seconds); nothing was changed",
                url.replace("git@", "")
            ));
            assert_eq!(team.state(&format!("C{n}")), before[n], "{url}");
        }
    });
}

/// A remote that answers, then sends nothing more, is given up on after
/// 60 seconds of silence, and the clone is left exactly as it was.
#[test]
fn a_remote_that_falls_silent_is_given_up_on_after_a_minute() {
    // The branch it offers is one the clone has never seen, so the clone
    // asks for it, and waits.
    let oid = "1234567890123456789012345678901234567890";
    let advertisement = pkt(&format!(
        "{oid} HEAD\0multi_ack_detailed side-band-64k ofs-delta symref=HEAD:refs/heads/main\n"
    )) + &pkt(&format!("{oid} refs/heads/main\n"))
        + "0000";
    let server = Silent::start(Some(advertisement.into_bytes()));
    let team = Team::new();
    team.hand_edit("B");
    let url = format!("git://127.0.0.1:{}/sales.git", server.port);
    team.git("B", &["remote", "set-url", "origin", &url]);
    let before = team.state("B");

    let start = Instant::now();
    let run = team.ledger("B", &["sync"]);
    let took = start.elapsed();
    assert!(
        took >= Duration::from_secs(59) && took < Duration::from_secs(75),
        "{took:?}"
    );
    run.fails(1).says(&format!(
        "cannot fetch from {url}: the connection was made, then nothing came for 60 seconds (gave up); nothing was changed"
    ));
    assert_eq!(team.state("B"), before);
}

/// A URL's user name and password are never shown, whether fetching or
/// pushing fails.
#[test]
fn no_password_is_ever_shown() {
    let team = Team::new();
    team.ledger("B", &["touch", "acme", "call", "To push."])
        .ok();
    let port = closed_port();
    let before = team.state("B");
    for scheme in ["https", "http", "ssh"] {
        let url = format!("{scheme}://jdoe:secretpw@127.0.0.1:{port}/sales.git");
        team.git("B", &["remote", "set-url", "origin", &url]);
        for args in [&["sync"][..], &["sync", "--json"]] {
            let run = team.ledger("B", args).fails(1);
            run.says(&format!(
                "cannot fetch from {scheme}://127.0.0.1:{port}/sales.git: "
            ));
            for shown in [&run.stdout, &run.stderr] {
                assert!(
                    !shown.contains("secretpw") && !shown.contains("jdoe"),
                    "{run:#?}"
                );
            }
            assert_eq!(team.state("B"), before);
        }
    }

    // The fetch goes through, the push cannot.
    let remote = team.dir.path().join("remote.git");
    team.git(
        "B",
        &["remote", "set-url", "origin", remote.to_str().unwrap()],
    );
    let push_url = format!("https://me:secretpw@127.0.0.1:{port}/sales.git");
    team.git("B", &["remote", "set-url", "--push", "origin", &push_url]);
    let run = team.ledger("B", &["sync"]).fails(1);
    run.says(&format!(
        "cannot push to https://127.0.0.1:{port}/sales.git: "
    ));
    assert!(!run.stderr.contains("secretpw"), "{run:#?}");
    assert_eq!(team.state("B"), before);
}

/// A push the remote refuses over the network (a `pre-receive` hook, run
/// by `git daemon`) is reported with what the remote said, a line each,
/// its own characters escaped; and nothing changes.
#[test]
fn a_refused_push_says_what_the_remote_said() {
    use std::os::unix::fs::PermissionsExt;
    let team = Team::new();
    let hook = team.path("remote.git", "hooks/pre-receive");
    std::fs::write(
        &hook,
        "#!/bin/sh\necho 'error: deals need an owner \x1b[31m' >&2\necho 'fatal: see the wiki' >&2\nexit 1\n",
    )
    .unwrap();
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = team.dir.path().to_str().unwrap().to_owned();
    // git-daemon itself, not `git daemon`, which would leave it running
    // when killed.
    let exec_path = std::process::Command::new("git")
        .arg("--exec-path")
        .output()
        .unwrap();
    let exec_path = String::from_utf8(exec_path.stdout).unwrap();
    let mut daemon = std::process::Command::new(Path::new(exec_path.trim()).join("git-daemon"))
        .args([
            "--reuseaddr",
            "--listen=127.0.0.1",
            &format!("--port={port}"),
            &format!("--base-path={base}"),
            "--export-all",
            "--enable=receive-pack",
            &base,
        ])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let until = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() && Instant::now() < until {
        thread::sleep(Duration::from_millis(50));
    }
    let url = format!("git://127.0.0.1:{port}/remote.git");
    team.git("A", &["remote", "set-url", "origin", &url]);
    team.ledger("A", &["touch", "acme", "call", "From A."]).ok();
    let before = team.state("A");
    let run = team.ledger("A", &["sync"]);
    let _ = daemon.kill();
    let _ = daemon.wait();
    let run = run.fails(1);
    run.says("refused the push: pre-receive hook declined\n  remote: error: deals need an owner \\u{1b}[31m\n  remote: fatal: see the wiki\nNothing was changed");
    assert_eq!(team.state("A"), before);
}
