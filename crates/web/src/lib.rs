//! The HTTP face of chuishao: JSON API under `/api/v1` with its OpenAPI document, login,
//! one error shape, and message catalogs.

pub mod api;
pub mod auth;
pub mod catalog;
pub mod error;
pub mod extract;
pub mod i18n;
pub mod intake;
pub mod photo;
pub mod proposals;
pub mod report_xlsx;
pub mod routing;
pub mod ui;
pub mod view;

use axum::Router;
use chuishao_domain::{Timestamp, WorkCalendar};
use chuishao_store::Store;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;
use tokio::net::TcpListener;

/// Where time comes from: the wall clock in production, a hand-set clock in tests and demos.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Timestamp;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        chuishao_store::whole_ms(chrono::Utc::now())
    }
}

/// A clock that stands still until moved.
pub struct ManualClock(Mutex<Timestamp>);

impl ManualClock {
    pub fn new(t: Timestamp) -> Self {
        ManualClock(Mutex::new(t))
    }
    pub fn set(&self, t: Timestamp) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = t;
    }
    pub fn advance(&self, d: chrono::Duration) {
        let mut g = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *g += d;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Names of streets, communities, units and departments by code or id, for display.
#[derive(Debug, Default, Clone)]
pub struct Names(HashMap<String, String>);

impl Names {
    pub async fn load(store: &Store) -> Result<Names, chuishao_store::StoreError> {
        let mut m = HashMap::new();
        for d in store.districts().await? {
            for s in store.streets(&d.code).await? {
                for u in store.units(&d.code, &s.code).await? {
                    m.insert(u.id.to_string(), u.name);
                }
                m.insert(s.code.to_string(), s.name);
            }
            for c in store.communities(&d.code, None).await? {
                m.insert(c.code.to_string(), c.name);
            }
            for dep in store.departments(&d.code).await? {
                m.insert(dep.id.to_string(), dep.name);
            }
            m.insert(d.code.to_string(), d.name);
        }
        Ok(Names(m))
    }

    pub fn name_of(&self, code: &str) -> String {
        self.0.get(code).cloned().unwrap_or_default()
    }
}

/// Shared by every request.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    calendar: Arc<RwLock<Arc<WorkCalendar>>>,
    names: Arc<RwLock<Arc<Names>>>,
    pub routing: Arc<routing::RoutingState>,
    /// The dashboard's 每月一题 proposals of recent months, kept a minute.
    pub proposals: Arc<proposals::ProposalCache>,
}

impl AppState {
    pub async fn new(store: Store, clock: Arc<dyn Clock>) -> Result<AppState, chuishao_store::StoreError> {
        let calendar = store.work_calendar().await?;
        let names = Names::load(&store).await?;
        // Anonymous form tokens must verify on every instance and across restarts.
        let form_key = match std::env::var("CHUISHAO_UI_SECRET") {
            Ok(s) if s.len() >= 16 => s,
            _ => store.server_secret("ui_form_key", &auth::random_secret(), clock.now()).await?,
        };
        ui::csrf::use_server_key(form_key.into_bytes());
        Ok(AppState {
            store,
            clock,
            calendar: Arc::new(RwLock::new(Arc::new(calendar))),
            names: Arc::new(RwLock::new(Arc::new(names))),
            routing: Arc::new(routing::RoutingState::default()),
            proposals: Arc::new(proposals::ProposalCache::default()),
        })
    }

    pub fn calendar(&self) -> Arc<WorkCalendar> {
        self.calendar.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn names(&self) -> Arc<Names> {
        self.names.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Re-reads what is cached (after an import or a calendar edit).
    pub async fn reload(&self) -> Result<(), chuishao_store::StoreError> {
        let cal = self.store.work_calendar().await?;
        let names = Names::load(&self.store).await?;
        *self.calendar.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(cal);
        *self.names.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(names);
        Ok(())
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }
}

/// The whole site: the pages (with their HTML error pages) and, under `/api` and `/healthz`, the
/// JSON API with its own layers and JSON errors.
pub fn router(state: AppState) -> Router {
    use tower::ServiceExt;
    let api = api::routes(state.clone());
    let pages = ui::routes(state);
    // Each router keeps its own fallback, layers and error shape: a request goes to one whole.
    Router::new().fallback_service(tower::service_fn(move |req: axum::extract::Request| {
        let path = req.uri().path();
        let to_api = path == "/healthz" || path == "/api" || path.starts_with("/api/");
        if to_api { api.clone() } else { pages.clone() }.oneshot(req)
    }))
}

/// Runs the deadline ticker: every `every`, emit due warnings and overdue events. With several
/// instances on one database, the instance holding the ticker lease does the pass.
pub fn spawn_ticker(state: AppState, every: Duration) -> tokio::task::JoinHandle<()> {
    let holder = uuid::Uuid::new_v4().to_string();
    let ttl = chrono::Duration::from_std(every * 3).unwrap_or(chrono::Duration::seconds(90));
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(every);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            // Another instance may have edited the calendar: every instance re-reads it each pass.
            if let Err(e) = state.reload().await {
                tracing::error!(error = %e, "reloading the calendar failed");
            }
            // ...and follows a catalog or boundaries changed through another instance.
            match state.routing.follow_changes(&state.store).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(districts = n, "routers rebuilt after a change elsewhere"),
                Err(e) => tracing::error!(error = %e, "following routing changes failed"),
            }
            match state.store.try_lease("deadline_ticker", &holder, state.now(), ttl).await {
                Ok(true) => {}
                Ok(false) => continue,
                Err(e) => {
                    tracing::error!(error = %e, "deadline ticker lease failed");
                    continue;
                }
            }
            let cal = state.calendar();
            match state.store.tick(state.now(), &cal).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(events = n, "deadline ticker emitted events"),
                Err(e) => tracing::error!(error = %e, "deadline ticker failed"),
            }
        }
    })
}

/// Serves the API on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state)).with_graceful_shutdown(shutdown).await
}
