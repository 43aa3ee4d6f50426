//! What the benchmark reads from Linux's `/proc` about the machine it shares with the server
//! and the database: CPU time of the whole machine, of the server, of PostgreSQL's processes
//! and of itself; the server's peak RSS; and which process listens on the server's port.
//!
//! Each file is read by one function and parsed by another, so the parsers are tested on
//! sample text (`proc(5)` gives the formats). Anything unreadable is `None`, never zero: a
//! column the benchmark cannot measure says so.

use std::collections::HashMap;
use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

/// CPU time in clock ticks (`USER_HZ`, the unit of `/proc/*/stat`).
pub type Ticks = u64;

/// Clock ticks per second (`sysconf(_SC_CLK_TCK)`).
pub fn ticks_per_second() -> u64 {
    rustix::param::clock_ticks_per_second()
}

/// CPU time of a process from its `/proc/PID/stat` line: its own (utime + stime) and that of
/// its children it has waited for (cutime + cstime).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcessTicks {
    pub own: Ticks,
    pub children: Ticks,
}

/// Parses a `/proc/PID/stat` line. The command name may hold spaces and parentheses, so the
/// fields are counted from the last `)`.
pub fn parse_process_stat(stat: &str) -> Option<ProcessTicks> {
    let (_, rest) = stat.rsplit_once(')')?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // `rest` starts at field 3 (state); utime, stime, cutime, cstime are fields 14 to 17.
    let field = |n: usize| fields.get(n - 3)?.parse::<Ticks>().ok();
    Some(ProcessTicks {
        own: field(14)? + field(15)?,
        children: field(16)? + field(17)?,
    })
}

/// The command name (`comm`) of a `/proc/PID/stat` line.
pub fn parse_command(stat: &str) -> Option<&str> {
    let start = stat.find('(')? + 1;
    let end = stat.rfind(')')?;
    stat.get(start..end)
}

/// Busy ticks of the whole machine from `/proc/stat`'s `cpu` line: user, nice, system, irq
/// and softirq. Idle and iowait are not busy. Steal is time the hypervisor gave to another
/// machine and guest time is already in user and nice, so neither is added.
pub fn parse_machine_busy(stat: &str) -> Option<Ticks> {
    let line = stat.lines().find(|l| l.starts_with("cpu "))?;
    let values: Vec<Ticks> = line
        .split_whitespace()
        .skip(1)
        .map(|v| v.parse().ok())
        .collect::<Option<_>>()?;
    // user nice system idle iowait irq softirq steal guest guest_nice
    let [user, nice, system, _idle, _iowait, irq, softirq, ..] = values[..] else {
        return None;
    };
    Some(user + nice + system + irq + softirq)
}

/// The peak resident set size (`VmHWM`) of a `/proc/PID/status`, in bytes.
pub fn parse_peak_rss(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let mut words = line["VmHWM:".len()..].split_whitespace();
    let kib: u64 = words.next()?.parse().ok()?;
    (words.next()? == "kB").then_some(kib * 1024)
}

/// The socket inodes of `/proc/net/tcp` or `/proc/net/tcp6` lines that listen on `port`.
pub fn parse_listening_inodes(table: &str, port: u16) -> Vec<u64> {
    const LISTEN: &str = "0A";
    table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
            let (_, local_port) = fields.get(1)?.rsplit_once(':')?;
            let listening =
                u16::from_str_radix(local_port, 16).ok()? == port && *fields.get(3)? == LISTEN;
            listening.then(|| fields.get(9)?.parse().ok()).flatten()
        })
        .collect()
}

/// The socket inode of an fd link target such as `socket:[12345]`.
fn socket_inode(link: &Path) -> Option<u64> {
    link.to_str()?
        .strip_prefix("socket:[")?
        .strip_suffix(']')?
        .parse()
        .ok()
}

/// The process that listens on TCP `port` (IPv4 or IPv6) on this machine, found through its
/// open sockets; `None` if no listener is there or its file descriptors cannot be read.
pub fn listener_pid(port: u16) -> Option<u32> {
    let mut inodes = Vec::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        if let Ok(text) = fs::read_to_string(table) {
            inodes.extend(parse_listening_inodes(&text, port));
        }
    }
    if inodes.is_empty() {
        return None;
    }
    pids().find(|pid| {
        let Ok(fds) = fs::read_dir(format!("/proc/{pid}/fd")) else {
            return false;
        };
        fds.flatten().any(|fd| {
            fs::read_link(fd.path())
                .ok()
                .and_then(|link| socket_inode(&link))
                .is_some_and(|inode| inodes.contains(&inode))
        })
    })
}

/// The ids of the processes now running.
fn pids() -> impl Iterator<Item = u32> {
    fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse().ok())
}

/// Own CPU time of process `pid`.
pub fn process_ticks(pid: u32) -> Option<ProcessTicks> {
    parse_process_stat(&fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)
}

/// This process's CPU time; its children's counts once waited for (`luovutusloki verify`).
fn own_ticks() -> Option<ProcessTicks> {
    parse_process_stat(&fs::read_to_string("/proc/self/stat").ok()?)
}

fn machine_busy() -> Option<Ticks> {
    parse_machine_busy(&fs::read_to_string("/proc/stat").ok()?)
}

/// CPU time of every process named `postgres`, by pid.
fn postgres_ticks() -> HashMap<u32, Ticks> {
    pids()
        .filter_map(|pid| {
            let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            (parse_command(&stat)? == "postgres")
                .then(|| Some((pid, parse_process_stat(&stat)?.own)))
                .flatten()
        })
        .collect()
}

/// Sets the peak RSS of `pid` back to its current RSS (`clear_refs` 5); whether it could.
pub fn reset_peak_rss(pid: u32) -> bool {
    fs::write(format!("/proc/{pid}/clear_refs"), "5").is_ok()
}

/// The peak RSS of `pid` in bytes.
pub fn peak_rss(pid: u32) -> Option<u64> {
    parse_peak_rss(&fs::read_to_string(format!("/proc/{pid}/status")).ok()?)
}

/// CPU counters at one instant: the machine's, the benchmark's own, those of the servers
/// given, and those of the PostgreSQL processes.
#[derive(Debug, Clone)]
pub struct Sample {
    at: Instant,
    machine: Option<Ticks>,
    client: Option<ProcessTicks>,
    servers: Vec<(u32, Option<Ticks>)>,
    /// Whether `servers` are all the servers the benchmark talks to.
    all_servers: bool,
    postgres: HashMap<u32, Ticks>,
}

/// Reads the counters now, with the servers `servers`: every server the benchmark talks to
/// whose process it found, so that none of their CPU counts as the database's; `all_servers`
/// says whether it found them all.
pub fn sample(servers: &[u32], all_servers: bool) -> Sample {
    Sample {
        at: Instant::now(),
        machine: machine_busy(),
        client: own_ticks(),
        servers: servers
            .iter()
            .map(|&pid| (pid, process_ticks(pid).map(|t| t.own)))
            .collect(),
        all_servers,
        postgres: postgres_ticks(),
    }
}

/// CPU used between two samples, in ticks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CpuUse {
    pub wall: Duration,
    /// The whole machine, busy.
    pub machine: Option<Ticks>,
    /// The server the scenario drove; `None` if it is unknown or could not be read.
    pub server: Option<Ticks>,
    /// The machine minus every known server and the benchmark: the database, when nothing
    /// else runs. `None` when one of those could not be read.
    pub database: Option<Ticks>,
    /// The benchmark, with the children it waited for.
    pub client: Option<Ticks>,
    /// The processes named `postgres` (those that exited in between are missing).
    pub postgres: Option<Ticks>,
}

impl Sample {
    /// What was used from this sample to `end`, for a scenario that drove `server` (`None`:
    /// no server, or one whose process is unknown).
    pub fn until(&self, end: &Sample, server: Option<u32>) -> CpuUse {
        let diff = |a: Option<Ticks>, b: Option<Ticks>| Some(b?.saturating_sub(a?));
        let machine = diff(self.machine, end.machine);
        let client = diff(
            self.client.map(|t| t.own + t.children),
            end.client.map(|t| t.own + t.children),
        );
        let used = |pid: u32| {
            let at = |s: &Sample| s.servers.iter().find(|(p, _)| *p == pid)?.1;
            diff(at(self), at(end))
        };
        let servers: Option<Ticks> = self.servers.iter().map(|&(pid, _)| used(pid)).sum();
        let server = server.and_then(used);
        let database = match (machine, client, servers) {
            (Some(m), Some(c), Some(s)) if self.all_servers => {
                Some(m.saturating_sub(c).saturating_sub(s))
            }
            _ => None,
        };
        let postgres = (!end.postgres.is_empty()).then(|| {
            end.postgres
                .iter()
                .map(|(pid, &t)| t.saturating_sub(self.postgres.get(pid).copied().unwrap_or(0)))
                .sum()
        });
        CpuUse {
            wall: end.at.duration_since(self.at),
            machine,
            server,
            database,
            client,
            postgres,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STAT: &str = "4242 (tokio (rt) 1) S 1 4242 4242 0 -1 4194560 5000 0 0 0 \
                        731 269 12 8 20 0 9 0 1234 56789 1000 18446744073709551615";

    #[test]
    fn a_process_stat_line_gives_its_cpu_time_even_with_parentheses_in_the_name() {
        let ticks = parse_process_stat(STAT).unwrap();
        assert_eq!(
            ticks,
            ProcessTicks {
                own: 731 + 269,
                children: 12 + 8
            }
        );
        assert_eq!(parse_command(STAT), Some("tokio (rt) 1"));
        assert_eq!(parse_process_stat("4242 (cut"), None);
    }

    #[test]
    fn machine_busy_time_leaves_out_idle_iowait_steal_and_guest() {
        let stat = "cpu  100 20 30 5000 40 6 7 8 9 10\ncpu0 50 10 15 2500 20 3 3 4 4 5\n";
        assert_eq!(parse_machine_busy(stat), Some(100 + 20 + 30 + 6 + 7));
        assert_eq!(parse_machine_busy("cpu0 1 2 3\n"), None);
    }

    #[test]
    fn the_peak_rss_is_read_in_bytes() {
        let status =
            "Name:\tluovutusloki\nVmPeak:\t  900000 kB\nVmHWM:\t   51200 kB\nVmRSS:\t 40000 kB\n";
        assert_eq!(parse_peak_rss(status), Some(51_200 * 1024));
        assert_eq!(parse_peak_rss("Name:\tkthreadd\n"), None);
    }

    #[test]
    fn only_listening_sockets_on_the_port_are_found() {
        let table = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n\
           0: 0100007F:C383 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 31337 1 0 100 0 0 10 0\n\
           1: 0100007F:C383 0100007F:D4E2 01 00000000:00000000 00:00000000 00000000     0        0 31338 1 0 20 4 30 10 -1\n\
           2: 0100007F:1538 00000000:0000 0A 00000000:00000000 00:00000000 00000000   106        0 27000 1 0 100 0 0 10 0\n";
        assert_eq!(parse_listening_inodes(table, 50051), vec![31337]);
        assert_eq!(parse_listening_inodes(table, 5432), vec![27000]);
        assert!(parse_listening_inodes(table, 80).is_empty());
    }

    #[test]
    fn this_process_reads_its_own_cpu_time_and_peak_rss() {
        let pid = std::process::id();
        let ticks = process_ticks(pid).expect("own /proc/PID/stat");
        assert!(ticks.own <= own_ticks().unwrap().own + 1_000);
        assert!(peak_rss(pid).unwrap() > 0);
        assert!(ticks_per_second() > 0);
    }

    #[test]
    fn the_listener_of_a_port_is_this_process_when_it_opened_it() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        assert_eq!(listener_pid(port), Some(std::process::id()));
        drop(listener);
        assert_eq!(listener_pid(port), None);
    }

    #[test]
    fn the_database_is_what_the_machine_used_beside_the_servers_and_the_client() {
        let sample = |machine, client, server, other| Sample {
            at: Instant::now(),
            machine: Some(machine),
            client: Some(ProcessTicks {
                own: client,
                children: 0,
            }),
            servers: vec![(10, Some(server)), (20, other)],
            all_servers: true,
            postgres: HashMap::from([(30, machine / 4)]),
        };
        let start = sample(1_000, 100, 200, Some(50));
        let end = sample(2_000, 300, 600, Some(60));
        let used = start.until(&end, Some(10));
        assert_eq!(used.machine, Some(1_000));
        assert_eq!(used.server, Some(400));
        assert_eq!(used.client, Some(200));
        assert_eq!(used.database, Some(1_000 - 400 - 10 - 200));
        assert_eq!(used.postgres, Some(250));
        // Without the other server's counters the rest is not the database's alone.
        let blind = start.until(&sample(2_000, 300, 600, None), Some(10));
        assert_eq!(blind.server, Some(400));
        assert_eq!(blind.database, None);
        // A baseline drives no server, but the servers' idle work is still not the database's.
        assert_eq!(start.until(&end, None).server, None);
        assert_eq!(start.until(&end, None).database, used.database);
        // A server whose process was not found leaves the database unknown.
        let unknown = Sample {
            all_servers: false,
            ..start.clone()
        };
        assert_eq!(unknown.until(&end, Some(10)).database, None);
    }
}
