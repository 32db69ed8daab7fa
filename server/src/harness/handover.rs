//! The other side of `serve`'s socket activation: starting a server process on listening
//! sockets bound beforehand, the way systemd does (`LISTEN_FDS`, the sockets as descriptors 3,
//! 4...: the public one, then the one for `/metrics`).
//!
//! The tests and the benchmark start servers this way: the port is theirs before the server
//! runs, so there is no race for a free port and nothing to read from the server's log, and a
//! connection made before the server is up waits in the socket's queue instead of failing.

use std::io;
use std::net::TcpListener;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::process::CommandExt;
use std::process::Command;

/// The descriptor a socket-activated service finds its first socket on (`SD_LISTEN_FDS_START`).
const FIRST_LISTEN_FD: RawFd = 3;
/// Where the sockets wait in this process until the child takes them: above every descriptor
/// they are moved to, so moving one never overwrites another.
const PARKED_FROM: RawFd = 16;

/// How many connections wait for the server to accept them: as many as the server's own
/// listener queues (a reconnect storm of thousands, a server restarting).
const BACKLOG: i32 = 4096;

/// A listening socket on loopback, on a port the kernel picks (`0`), or on `port` again (a
/// restart).
pub fn bind_loopback(port: u16) -> io::Result<TcpListener> {
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)?;
    socket.set_reuse_address(true)?;
    socket.bind(&std::net::SocketAddr::from(([127, 0, 0, 1], port)).into())?;
    socket.listen(BACKLOG)?;
    Ok(socket.into())
}

/// Copies of the sockets handed over, kept by the parent until the child is spawned.
pub struct Handed(#[allow(dead_code)] Vec<OwnedFd>);

/// Makes `command` start with `listeners` as its sockets (descriptors 3, 4...; `LISTEN_FDS`).
/// Keep what it returns until the process is spawned; the caller may close its own listeners
/// then.
pub fn hand_over(command: &mut Command, listeners: &[&TcpListener]) -> io::Result<Handed> {
    let mut parked = Vec::new();
    for listener in listeners {
        // SAFETY: F_DUPFD_CLOEXEC makes a new descriptor of an open one; it is owned here.
        let fd = unsafe { libc::fcntl(listener.as_raw_fd(), libc::F_DUPFD_CLOEXEC, PARKED_FROM) };
        if fd == -1 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `fd` was just made, and nothing else owns it.
        parked.push(unsafe { OwnedFd::from_raw_fd(fd) });
    }
    let sources: Vec<RawFd> = parked.iter().map(AsRawFd::as_raw_fd).collect();
    command
        .env("LISTEN_FDS", sources.len().to_string())
        .env_remove("LISTEN_PID");
    // SAFETY: between fork and exec only dup2, which is async-signal-safe, is called, on
    // descriptors this process owns (each above every target, so none is overwritten before it
    // is moved); nothing is allocated.
    unsafe {
        command.pre_exec(move || {
            for (target, source) in (FIRST_LISTEN_FD..).zip(sources.iter()) {
                // The copy at the target has close-on-exec cleared, as dup2 does.
                if libc::dup2(*source, target) == -1 {
                    return Err(io::Error::last_os_error());
                }
            }
            Ok(())
        });
    }
    Ok(Handed(parked))
}
