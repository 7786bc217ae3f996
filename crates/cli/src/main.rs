//! `chuishao`: serve the API, load the demo, migrate, manage users.

use anyhow::{anyhow, bail, Context, Result};
use chuishao::demo::{self, DemoOptions};
use chuishao_domain::{DistrictCode, Role};
use chuishao_store::{NewUser, Store};
use chuishao_web::{auth, AppState, SystemClock};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::Read;
use std::sync::Arc;
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "chuishao",
    version,
    about = "吹哨报到 · 接诉即办 — requests, dispatch, deadlines and rates for street offices"
)]
struct Cli {
    /// Database URL: sqlite://FILE (the embedded default) or postgres://USER:PASSWORD@HOST/DB.
    #[arg(long, global = true, env = "CHUISHAO_DATABASE_URL", default_value = "sqlite://chuishao.db")]
    db: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the JSON API (and run the deadline ticker).
    Serve {
        #[arg(long, default_value = "127.0.0.1:8311")]
        addr: String,
        /// Load the Dongcheng demo into an empty database first, and print its accounts.
        #[arg(long)]
        demo: bool,
        /// Simulated requests for --demo.
        #[arg(long, default_value_t = 3000)]
        demo_cases: usize,
        /// Seconds between deadline ticker passes.
        #[arg(long, default_value_t = 30)]
        tick_seconds: u64,
        /// Dispatch new cases on their own (智能派单) when the likeliest duty item is at least
        /// this probable (0–1); off when not given.
        #[arg(long)]
        auto_dispatch: Option<f64>,
    },
    /// Load the Dongcheng demo into an empty database; `--scale beijing` loads Beijing's 343
    /// streets with a year of synthetic cases in bulk instead (for the assessment benchmarks).
    Demo {
        /// Simulated requests over the last six months (with --scale beijing: over a year).
        #[arg(long, default_value_t = 3000)]
        cases: u64,
        #[arg(long, default_value_t = 2018)]
        seed: u64,
        /// dongcheng (the working demo) or beijing (synthetic, city-scale)
        #[arg(long, default_value = "dongcheng")]
        scale: String,
    },
    /// Apply database migrations.
    Migrate,
    /// Write a consistent online copy of the SQLite database to FILE (fsynced).
    Backup { file: std::path::PathBuf },
    /// Put a backup in place of the SQLite database (stop the server first).
    Restore { file: std::path::PathBuf },
    /// Check that every case's and whistle's events fold to its projection.
    Verify,
    /// Move all data into an empty database (e.g. from SQLite to PostgreSQL), then check it.
    MigrateData {
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
    },
    /// Import data: `import boundaries FILE.geojson` (streets, communities, grid cells).
    Import {
        #[command(subcommand)]
        what: ImportCommand,
    },
    /// Route labelled requests (`text,lat,lon,expected_owner[,duty_item]` CSV) and print
    /// top-1 / top-3 owner accuracy with a confusion summary by owner.
    EvalRouting {
        file: std::path::PathBuf,
        /// The district (defaults to the only one).
        #[arg(long)]
        district: Option<String>,
    },
    /// Recompute the assessment rollups from the events, report whether the live ones agreed,
    /// and replace them.
    RebuildAggregates,
    /// Reports: `report monthly --month 2026-10 --format table|csv|xlsx [--out FILE]` (xlsx needs --out).
    Report {
        #[command(subcommand)]
        what: ReportCommand,
    },
    /// Manage user accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
}

#[derive(Subcommand)]
enum ReportCommand {
    /// The monthly assessment: every street's rates, composite, rank and class.
    Monthly {
        /// YYYY-MM (default: last month)
        #[arg(long)]
        month: Option<String>,
        /// table (default), csv, or xlsx (the whole report as a workbook; needs --out)
        #[arg(long, default_value = "table")]
        format: String,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
        #[arg(long)]
        district: Option<String>,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// A GeoJSON FeatureCollection whose features carry `code` (and `name`, `level`, `parent`):
    /// the levels it holds replace the stored ones; a bad feature refuses the whole file.
    Boundaries {
        file: std::path::PathBuf,
        #[arg(long)]
        district: Option<String>,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user. Without --password-stdin a password is generated and printed once.
    Add {
        username: String,
        /// resident, dispatcher, unit_staff, department_staff, liaison, street_leader,
        /// district_supervisor, inspector, system_admin, security_admin, audit_admin
        #[arg(long)]
        role: String,
        /// A district, street or community code, or a unit or department id.
        #[arg(long)]
        scope: Option<String>,
        /// The name shown on records (defaults to the username).
        #[arg(long)]
        name: Option<String>,
        /// The district (defaults to the scope's, or the only one).
        #[arg(long)]
        district: Option<String>,
        /// Read the password from standard input.
        #[arg(long)]
        password_stdin: bool,
    },
}

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    if let Command::Restore { file } = &cli.command {
        return restore(&cli.db, file).await;
    }
    if let Command::MigrateData { from, to } = &cli.command {
        return migrate_data(from, to).await;
    }
    let store = Store::connect(&cli.db).await.with_context(|| format!("opening {}", cli.db))?;
    // Backups and checks read the database as it is; everything else brings it up to date first.
    if !matches!(cli.command, Command::Backup { .. } | Command::Verify) {
        store.migrate().await.context("migrating the database")?;
    }
    match cli.command {
        Command::Migrate => {
            println!("数据库已是最新版本 / database is up to date: {}", cli.db);
            Ok(())
        }
        Command::Backup { file } => {
            store.backup_to(&file).await.with_context(|| format!("backing up to {}", file.display()))?;
            println!("已备份 / backed up to {}", file.display());
            Ok(())
        }
        Command::Restore { .. } | Command::MigrateData { .. } => unreachable!("handled before connecting"),
        Command::Verify => {
            let r = store.verify().await?;
            println!(
                "{} districts, {} cases, {} whistles, {} assistance requests, {} events; {} mismatches",
                r.districts,
                r.cases,
                r.whistles,
                r.assistance,
                r.events,
                r.mismatches.len()
            );
            if r.mismatches.is_empty() {
                Ok(())
            } else {
                bail!("events and projections disagree: {:?}", r.mismatches)
            }
        }
        Command::Demo { cases, seed, scale } => {
            if !store.is_empty().await? {
                bail!("the database already holds data; the demo loads only into an empty one");
            }
            match scale.as_str() {
                "dongcheng" => {
                    load_demo(&store, &DemoOptions { cases: cases as usize, seed, ..Default::default() }).await?;
                    print_accounts();
                }
                "beijing" => {
                    let bar = ProgressBar::new(cases);
                    bar.set_style(
                        ProgressStyle::with_template("合成诉求 synthetic {bar:40} {pos}/{len} ({per_sec}, {eta})")
                            .unwrap_or_else(|_| ProgressStyle::default_bar()),
                    );
                    let started = std::time::Instant::now();
                    let streets =
                        chuishao::city::load(&store, cases, seed, chrono::Utc::now(), |d, _| bar.set_position(d))
                            .await?;
                    bar.finish_and_clear();
                    println!(
                        "已加载北京市合成数据 / Beijing synthetic data: {streets} streets, {cases} cases in {:.0} s (no event streams; rollups kept)",
                        started.elapsed().as_secs_f64()
                    );
                }
                other => bail!("--scale is dongcheng or beijing, not {other}"),
            }
            Ok(())
        }
        Command::Serve { addr, demo: with_demo, demo_cases, tick_seconds, auto_dispatch } => {
            if auto_dispatch.is_some_and(|t| !(0.0..=1.0).contains(&t)) {
                bail!("--auto-dispatch is a probability between 0 and 1");
            }
            // While a server runs on an SQLite file, `restore` must not replace it.
            let _lock = match sqlite_path(&cli.db) {
                Some(path) => Some(hold_server_lock(path)?),
                None => None,
            };
            if with_demo {
                if store.is_empty().await? {
                    load_demo(&store, &DemoOptions { cases: demo_cases, ..Default::default() }).await?;
                } else {
                    println!("数据库中已有数据，跳过演示数据加载 / database not empty; demo data not reloaded");
                }
                print_accounts();
            }
            serve(store, &addr, Duration::from_secs(tick_seconds.max(1)), auto_dispatch).await
        }
        Command::User { command } => user(&store, command).await,
        Command::Import { what: ImportCommand::Boundaries { file, district } } => {
            let district = only_district(&store, district).await?;
            let text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
            let state = AppState::new(store, Arc::new(SystemClock)).await?;
            let actor = chuishao_domain::Actor::system(district);
            let counts = chuishao_web::api::route::import_boundaries(&state, &actor, &text)
                .await
                .map_err(|e| anyhow!("{}: {e}; nothing was imported", file.display()))?;
            let counts: Vec<String> = counts.iter().map(|(l, n)| format!("{n} {}", l.as_str())).collect();
            println!("已导入边界 / boundaries imported: {}", counts.join(", "));
            Ok(())
        }
        Command::RebuildAggregates => {
            for d in store.districts().await? {
                let live = store.rollups(&d.code).await?;
                let fresh = store.rollups_from_events(&d.code).await?;
                let differing = fresh.iter().filter(|(k, t)| live.get(*k) != Some(*t)).count()
                    + live.keys().filter(|k| !fresh.contains_key(*k)).count();
                let n = store.rebuild_rollups(&d.code).await?;
                println!(
                    "{} {}: {n} rollup rows rebuilt from the events; the live rollups {}",
                    d.code,
                    d.name,
                    if differing == 0 {
                        "agreed exactly".to_string()
                    } else {
                        format!("differed in {differing} rows (now replaced)")
                    }
                );
            }
            Ok(())
        }
        Command::Report { what: ReportCommand::Monthly { month, format, out, district } } => {
            let district = only_district(&store, district).await?;
            let state = AppState::new(store, Arc::new(SystemClock)).await?;
            let actor = chuishao_domain::Actor::system(district);
            let lang = chuishao_web::i18n::Lang::Zh;
            let report = chuishao_web::api::assessment::monthly_report(&state, &actor, month.as_deref(), lang)
                .await
                .map_err(|e| anyhow!("the report failed: {}", e.code))?;
            let text = match format.as_str() {
                "csv" => chuishao_web::api::assessment::streets_csv(&report.streets, lang),
                "table" => report_table(&report),
                "xlsx" => {
                    let Some(path) = out else { bail!("--format xlsx needs --out FILE") };
                    let bytes = chuishao_web::report_xlsx::monthly_xlsx(&report, lang).map_err(|e| anyhow!(e))?;
                    std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
                    println!("已写入 / written: {}", path.display());
                    return Ok(());
                }
                other => bail!("--format is table, csv or xlsx, not {other}"),
            };
            match out {
                Some(path) => {
                    std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
                    println!("已写入 / written: {}", path.display());
                }
                None => print!("{text}"),
            }
            Ok(())
        }
        Command::EvalRouting { file, district } => {
            let district = only_district(&store, district).await?;
            let text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
            let rows = chuishao::reference::labelled_requests(&text).with_context(|| format!("{}", file.display()))?;
            let router = chuishao_web::routing::build_router(&store, &district).await?;
            let e = chuishao::evaluate::evaluate(&router, &rows);
            print!("{}", chuishao::evaluate::report(&e, &file.display().to_string()));
            Ok(())
        }
    }
}

fn report_table(r: &chuishao_web::api::assessment::MonthlyReport) -> String {
    let mut s = format!(
        "{} 月度考核 / monthly assessment (formula v{})\n{:>4}  {:<12} {:>6} {:>6} {:>7} {:>7} {:>7} {:>7}  {}\n",
        r.month,
        r.streets.formula_version,
        "排名",
        "街道",
        "受理",
        "回访",
        "响应率",
        "解决率",
        "满意率",
        "综合",
        "类别"
    );
    for row in &r.streets.rows {
        let pct = |x: Option<f64>| x.map(|v| format!("{:.1}", v * 100.0)).unwrap_or_else(|| "—".into());
        let rates = row.rates.as_ref();
        s += &format!(
            "{:>4}  {:<12} {:>6} {:>6} {:>7} {:>7} {:>7} {:>7}  {}\n",
            row.rank.map(|x| x.to_string()).unwrap_or_else(|| "—".into()),
            row.name,
            row.tally.received,
            row.tally.valid,
            pct(rates.map(|x| x.response)),
            pct(rates.map(|x| x.resolution)),
            pct(rates.map(|x| x.satisfaction)),
            pct(rates.map(|x| x.composite)),
            row.class_label.clone().unwrap_or_default()
        );
    }
    s
}

/// The district named, or the only one there is.
async fn only_district(store: &Store, given: Option<String>) -> Result<DistrictCode> {
    if let Some(d) = given {
        return DistrictCode::parse(&d).map_err(|e| anyhow!(e));
    }
    match store.districts().await?.as_slice() {
        [one] => Ok(one.code.clone()),
        [] => bail!("no district is set up yet (load the demo or import one first)"),
        _ => bail!("several districts exist: give --district"),
    }
}

/// `migrate-data --from URL --to URL`: every table into an empty database, checked.
async fn migrate_data(from: &str, to: &str) -> Result<()> {
    let source = Store::connect(from).await.with_context(|| format!("opening {from}"))?;
    source.migrate().await?;
    let target = Store::connect(to).await.with_context(|| format!("opening {to}"))?;
    let report = source.transfer_to(&target).await.map_err(|e| anyhow!("moving the data: {e}"))?;
    for (table, rows) in &report.tables {
        println!("{table:<18} {rows:>10} rows");
    }
    let v = &report.verify;
    println!(
        "已迁移并校验 / moved and verified: {} cases, {} whistles, {} assistance requests, {} events replayed, 0 mismatches",
        v.cases, v.whistles, v.assistance, v.events
    );
    Ok(())
}

/// The file behind an SQLite URL.
fn sqlite_path(db: &str) -> Option<&str> {
    let rest = db.strip_prefix("sqlite://").or_else(|| db.strip_prefix("sqlite:"))?;
    Some(rest.split('?').next().unwrap_or(rest))
}

/// The lock a server holds beside its SQLite file (`chuishao.db.lock`) for as long as it runs.
fn server_lock_file(path: &str) -> Result<std::fs::File> {
    let lock = format!("{path}.lock");
    std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock)
        .with_context(|| format!("opening {lock}"))
}

fn hold_server_lock(path: &str) -> Result<std::fs::File> {
    let file = server_lock_file(path)?;
    if file.try_lock().is_err() {
        bail!("another chuishao server is running on {path}");
    }
    Ok(file)
}

/// `restore FILE`: only for the embedded SQLite database, whose file is replaced.
async fn restore(db: &str, file: &std::path::Path) -> Result<()> {
    let Some(path) = sqlite_path(db) else {
        bail!("restore puts back an SQLite file; PostgreSQL is restored with pg_restore (docs/operations.md)");
    };
    let _lock = hold_server_lock(path).map_err(|_| anyhow!("a chuishao server is running on {path}: stop it first"))?;
    let report = chuishao_store::restore_sqlite(file, std::path::Path::new(path))
        .await
        .with_context(|| format!("restoring {} into {path}", file.display()))?;
    println!(
        "已恢复 / restored {} → {path}: {} cases, {} whistles, {} events, all consistent",
        file.display(),
        report.cases,
        report.whistles,
        report.events
    );
    Ok(())
}

async fn load_demo(store: &Store, options: &DemoOptions) -> Result<()> {
    let bar = ProgressBar::new(options.cases as u64);
    bar.set_style(
        ProgressStyle::with_template("模拟诉求 simulating {bar:40} {pos}/{len} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let summary = demo::load(
        store,
        options,
        chrono::Utc::now(),
        |p| auth::hash_password(p).map_err(|e| anyhow!("hashing: {e}")),
        |done, total| {
            bar.set_length(total);
            bar.set_position(done)
        },
    )
    .await?;
    bar.finish_and_clear();
    println!(
        "已加载东城区演示数据 / Dongcheng demo loaded: {} streets, {} communities, {} units, {} departments, {} duty items, {} accounts, {} cases, {} whistles ({} events)",
        summary.streets,
        summary.communities,
        summary.units,
        summary.departments,
        summary.duty_items,
        summary.accounts,
        summary.cases,
        summary.whistles,
        summary.events
    );
    if summary.liaisons > 0 {
        println!(
            "社区专员试点（东直门、东四、朝阳门，{} 天）/ liaison pilot ({} days): {} liaisons, {} households, {} visits, {} hardship requests \
             — GET /api/v1/liaison-results?street=110101009,110101006,110101007",
            demo::PILOT_DAYS,
            demo::PILOT_DAYS,
            summary.liaisons,
            summary.households,
            summary.visits,
            summary.assistance
        );
    }
    Ok(())
}

fn print_accounts() {
    println!("\n演示账号 / demo accounts (password 密码: {})", demo::DEMO_PASSWORD);
    println!("{:<22} {:<22} {:<30} name", "username", "role", "scope");
    for a in demo::accounts() {
        println!("{:<22} {:<22} {:<30} {}", a.username, a.role.as_str(), a.scope_id, a.display_name);
    }
    println!();
}

async fn serve(store: Store, addr: &str, tick: Duration, auto_dispatch: Option<f64>) -> Result<()> {
    // A database from before the assessment rollups gets them from its events once.
    if store.rollups_missing().await? {
        for d in store.districts().await? {
            let n = store.rebuild_rollups(&d.code).await?;
            tracing::info!(district = %d.code, rows = n, "assessment rollups built from the events");
        }
    }
    let state = AppState::new(store, Arc::new(SystemClock)).await?;
    state.routing.config.write().unwrap_or_else(|e| e.into_inner()).auto_dispatch = auto_dispatch;
    // Train every district's router in the background, so the first request does not wait.
    let warm = state.clone();
    tokio::spawn(async move {
        for d in warm.store.districts().await.unwrap_or_default() {
            match warm.routing.router(&warm.store, &d.code).await {
                Ok(r) => tracing::info!(district = %d.code, trained_on = r.classifier.trained_on(), "router ready"),
                Err(e) => tracing::error!(district = %d.code, error = %e, "building the router failed"),
            }
        }
    });
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("binding {addr}"))?;
    let local = listener.local_addr()?;
    let ticker = chuishao_web::spawn_ticker(state.clone(), tick);
    println!("chuishao 已启动 / listening on http://{local}  (API: http://{local}/api/v1/openapi.json)");
    chuishao_web::serve(listener, state, shutdown_signal()).await?;
    ticker.abort();
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}

async fn user(store: &Store, command: UserCommand) -> Result<()> {
    match command {
        UserCommand::Add { username, role, scope, name, district, password_stdin } => {
            let role =
                Role::parse(&role).filter(|r| *r != Role::System).ok_or_else(|| anyhow!("unknown role {role}"))?;
            let username = username.trim().to_string();
            if username.is_empty() || username.chars().count() > 64 || username.chars().any(char::is_whitespace) {
                bail!("username must be 1-64 characters without spaces");
            }
            let scope_id = scope.unwrap_or_default();
            let district = match district {
                Some(d) => DistrictCode::parse(&d).map_err(|e| anyhow!(e))?,
                None if scope_id.len() >= 6 && scope_id[..6].bytes().all(|b| b.is_ascii_digit()) => {
                    DistrictCode::parse(&scope_id[..6]).map_err(|e| anyhow!(e))?
                }
                None => {
                    let all = store.districts().await?;
                    match all.as_slice() {
                        [one] => one.code.clone(),
                        [] => bail!("no district is set up yet (load the demo or import one first)"),
                        _ => bail!("several districts exist: give --district"),
                    }
                }
            };
            let scope = auth::resolve_scope(store, &district, role, &scope_id).await?;
            let (password, generated) = if password_stdin {
                let mut s = String::new();
                std::io::stdin().read_to_string(&mut s)?;
                (s.trim_end_matches(['\r', '\n']).to_string(), false)
            } else {
                (auth::random_secret()[..16].to_string(), true)
            };
            if password.chars().count() < 8 {
                bail!("the password must have at least 8 characters");
            }
            let user = NewUser {
                id: uuid::Uuid::now_v7().to_string(),
                district,
                display_name: name.unwrap_or_else(|| username.clone()),
                username: username.clone(),
                password_hash: auth::hash_password(&password).map_err(|e| anyhow!("hashing: {e}"))?,
                role,
                scope_kind: role.scope_kind(),
                scope_id: scope.id().to_string(),
            };
            store.create_user(&user, None, chrono::Utc::now()).await.map_err(|e| match e {
                chuishao_store::StoreError::Duplicate(_) => anyhow!("username {username} is taken in this district"),
                other => other.into(),
            })?;
            println!("已创建用户 / user created: {username} ({})", role.as_str());
            if generated {
                println!("初始密码 / initial password: {password}");
            }
            Ok(())
        }
    }
}
