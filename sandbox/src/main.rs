//! `sandbox` — run the local Entra ID + Dataverse emulation.
//!
//! ```text
//! cargo run -p sandbox -- [--config PATH] [--metadata PATH] [--port N] [--bind ADDR]
//! ```

use sandbox::Config;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;

const USAGE: &str = "usage: sandbox [--config PATH] [--metadata PATH] [--port N] [--bind ADDR]

  --config PATH     TOML configuration (default: sandbox/sandbox.toml if it exists, else the
                    built-in copy of it)
  --metadata PATH   CSDL document served as $metadata by every environment
  --port N          port to listen on (default 8081); also the port written into URLs unless the
                    config sets issuer_port
  --bind ADDR       address to listen on (default 127.0.0.1, plus [::1] when available)
";

struct Args {
    config: Option<PathBuf>,
    metadata: Option<PathBuf>,
    port: u16,
    bind: Option<IpAddr>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        config: None,
        metadata: None,
        port: 8081,
        bind: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (a.clone(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| it.next())
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--config" => args.config = Some(value()?.into()),
            "--metadata" => args.metadata = Some(value()?.into()),
            "--port" => {
                args.port = value()?
                    .parse()
                    .map_err(|_| "--port needs a number".to_string())?
            }
            "--bind" => {
                let v = value()?;
                let v = v.trim_start_matches('[').trim_end_matches(']');
                args.bind = Some(v.parse().map_err(|_| format!("--bind: bad address {v}"))?)
            }
            "-h" | "--help" => {
                print!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(args)
}

#[tokio::main]
async fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("sandbox: {e}\n{USAGE}");
            std::process::exit(2);
        }
    };
    let mut config = match &args.config {
        Some(path) => Config::load(path),
        None => {
            let default = PathBuf::from("sandbox/sandbox.toml");
            if default.is_file() {
                Config::load(&default)
            } else {
                Ok(Config::builtin())
            }
        }
    }
    .unwrap_or_else(|e| {
        eprintln!("sandbox: {e}");
        std::process::exit(2);
    });
    if let Some(m) = &args.metadata {
        config.override_metadata(m);
    }
    for env in &config.environments {
        let p = config.metadata_path(env);
        if !p.is_file() {
            eprintln!(
                "sandbox: warning: environment '{}' $metadata file {} does not exist",
                env.org,
                p.display()
            );
        }
    }

    let mut listeners = Vec::new();
    let primary = SocketAddr::new(
        args.bind.unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST)),
        args.port,
    );
    match tokio::net::TcpListener::bind(primary).await {
        Ok(l) => listeners.push(l),
        Err(e) => {
            eprintln!("sandbox: cannot listen on {primary}: {e}");
            std::process::exit(1);
        }
    }
    if args.bind.is_none() {
        let v6 = SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), args.port);
        if let Ok(l) = tokio::net::TcpListener::bind(v6).await {
            listeners.push(l);
        }
    }
    let port = listeners[0]
        .local_addr()
        .map(|a| a.port())
        .unwrap_or(args.port);
    print!("{}", sandbox::summary(&config, port));
    let public_port = config.issuer_port.unwrap_or(port);
    let app = sandbox::router(config, port);
    for l in &listeners {
        if let Ok(a) = l.local_addr() {
            eprintln!("sandbox: bound {a}");
        }
    }
    println!("sandbox listening on http://localhost:{public_port}");
    let mut tasks = Vec::new();
    for l in listeners {
        let app = app.clone();
        tasks.push(tokio::spawn(async move { axum::serve(l, app).await }));
    }
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        r = futures_util::future::select_all(tasks) => {
            if let (Ok(Err(e)), _, _) = r {
                eprintln!("sandbox: server error: {e}");
                std::process::exit(1);
            }
        }
    }
}
