//! Smart dispatch in the server: one router per district (boundaries, gazetteer, a classifier
//! trained on the catalog, labelled examples and closed cases), and the index of open cases that
//! new requests are checked against for duplicates.

use chuishao_domain::{Case, DistrictCode, Timestamp};
use chuishao_routing::boundaries::shape_from_geometry;
use chuishao_routing::duplicates::{phone_key, simhash};
use chuishao_routing::router::{catalog_docs, catalog_segmenter};
use chuishao_routing::{
    Area, Atlas, Check, Classifier, Directory, DuplicateIndex, Gazetteer, LatLon, Level, OpenCase, Place, Probe,
    Router, Rules, TrainingDoc,
};
use chuishao_store::{Store, StoreError};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

/// How intake uses routing.
#[derive(Debug, Clone, Copy, Default)]
pub struct RoutingConfig {
    /// Dispatch a new case on its own when the top duty item is at least this probable.
    pub auto_dispatch: Option<f64>,
}

/// The most recent closed cases a router learns from.
const CLOSED_CASES_LEARNED: u32 = 50_000;

/// Incremental refreshes of the duplicate index happen at most this often (other instances'
/// receipts arrive through the database).
const SYNC_EVERY_MS: i64 = 5_000;

struct Duplicates {
    index: DuplicateIndex,
    synced_at: Option<Timestamp>,
}

#[derive(Default)]
pub struct RoutingState {
    pub config: RwLock<RoutingConfig>,
    routers: RwLock<HashMap<DistrictCode, Arc<Router>>>,
    duplicates: Mutex<HashMap<DistrictCode, Duplicates>>,
    /// Serialises building so concurrent first requests train once.
    building: tokio::sync::Mutex<()>,
    /// The store's routing revision each router was built at (see `follow_changes`).
    revisions: Mutex<HashMap<DistrictCode, String>>,
}

fn area_of(b: &chuishao_store::StoredBoundary) -> Option<Area> {
    let geometry: serde_json::Value = serde_json::from_str(&b.geometry).ok()?;
    Some(Area {
        level: Level::parse(&b.level)?,
        code: b.code.clone(),
        name: b.name.clone(),
        parent: b.parent.clone(),
        shape: shape_from_geometry(&geometry).ok()?,
        approximate: b.approximate,
    })
}

/// Builds a district's router from what the store holds.
pub async fn build_router(store: &Store, district: &DistrictCode) -> Result<Router, StoreError> {
    let items = store.duty_items(district).await?;
    let mut directory = Directory { items: items.clone(), ..Default::default() };
    let name = store.districts().await?.into_iter().find(|d| d.code == *district).map(|d| d.name).unwrap_or_default();
    directory.district = (district.to_string(), format!("{name}接诉即办办公室"));
    let mut places = vec![];
    for s in store.streets(district).await? {
        for u in store.units(district, &s.code).await? {
            directory.units.insert((s.code.to_string(), u.role.clone()), (u.id.to_string(), u.name.clone()));
        }
        directory.streets.insert(s.code.to_string(), s.name);
    }
    for c in store.communities(district, None).await? {
        // Community names are places too, with and without the word 社区.
        let short = c.name.trim_end_matches("社区").to_string();
        for n in [c.name.clone(), short] {
            places.push(Place { name: n, kind: "community".into(), community: c.code.to_string() });
        }
        directory.communities.insert(c.code.to_string(), c.name);
    }
    for d in store.departments(district).await? {
        directory.departments.insert(d.id.to_string(), d.name);
    }
    for g in store.gazetteer(district).await? {
        places.push(Place { name: g.name, kind: g.kind, community: g.community });
    }
    places.sort_by(|a, b| a.name.cmp(&b.name));
    places.dedup_by(|a, b| a.name == b.name);
    let areas: Vec<Area> = store.boundaries(district).await?.iter().filter_map(area_of).collect();
    let mut docs: Vec<TrainingDoc> = catalog_docs(&items);
    // The same words under the same item teach nothing new: keep each pair once, so a matter
    // reported in one stock phrase a thousand times does not drown the others.
    let mut seen = std::collections::HashSet::new();
    for t in store.routing_training(district, CLOSED_CASES_LEARNED).await? {
        if items.iter().any(|i| i.code == t.duty_item) && seen.insert((t.duty_item.clone(), t.text.clone())) {
            docs.push(TrainingDoc { label: t.duty_item, text: t.text, weight: 1.0 });
        }
    }
    // Training is CPU work; keep it off the async workers.
    let classifier = tokio::task::spawn_blocking(move || Classifier::train(catalog_segmenter(&items), &docs))
        .await
        .map_err(|e| StoreError::Corrupt(format!("training the classifier: {e}")))?;
    Ok(Router {
        atlas: Atlas::new(areas),
        gazetteer: Gazetteer::new(places),
        classifier,
        directory,
        nearest_max_m: 300.0,
        min_confidence: 0.2,
    })
}

/// An open case as the duplicate index keeps it; one not yet dispatched under a duty item is
/// filed under the router's likeliest item.
pub fn open_case(c: &Case, router: &Router) -> OpenCase {
    let item = c.duty_item.as_ref().map(|d| d.code.clone()).or_else(|| {
        let top = router.classifier.rank(&c.text, 1).into_iter().next();
        top.filter(|s| s.probability >= router.min_confidence).map(|s| s.label)
    });
    OpenCase {
        id: c.id.to_string(),
        number: c.number.clone(),
        item,
        at: c.location.map(|p| LatLon::new(p.lat, p.lon)),
        received_ms: c.received_at.timestamp_millis(),
        simhash: simhash(&c.text),
        phone: c.reporter.as_ref().map(|r| phone_key(r.phone.as_str())),
    }
}

impl RoutingState {
    /// The district's router, built on first use.
    pub async fn router(&self, store: &Store, district: &DistrictCode) -> Result<Arc<Router>, StoreError> {
        if let Some(r) = self.routers.read().unwrap_or_else(|e| e.into_inner()).get(district) {
            return Ok(r.clone());
        }
        let _one = self.building.lock().await;
        if let Some(r) = self.routers.read().unwrap_or_else(|e| e.into_inner()).get(district) {
            return Ok(r.clone());
        }
        self.build(store, district).await
    }

    /// Rebuilds a district's router now (new boundaries, or to learn from recently closed cases).
    pub async fn rebuild(&self, store: &Store, district: &DistrictCode) -> Result<Arc<Router>, StoreError> {
        let _one = self.building.lock().await;
        self.build(store, district).await
    }

    /// Builds and keeps a router, noting the revision it was built at (read first: a change
    /// made while building is followed next time).
    async fn build(&self, store: &Store, district: &DistrictCode) -> Result<Arc<Router>, StoreError> {
        let revision = store.routing_revision(district).await?;
        let built = Arc::new(build_router(store, district).await?);
        self.routers.write().unwrap_or_else(|e| e.into_inner()).insert(district.clone(), built.clone());
        self.revisions.lock().unwrap_or_else(|e| e.into_inner()).insert(district.clone(), revision);
        Ok(built)
    }

    /// Rebuilds the routers whose catalog or boundaries another instance changed since they
    /// were built (each instance's ticker calls it every pass). Answers how many were rebuilt.
    pub async fn follow_changes(&self, store: &Store) -> Result<usize, StoreError> {
        let built: Vec<(DistrictCode, String)> = self
            .revisions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .map(|(d, r)| (d.clone(), r.clone()))
            .collect();
        let mut rebuilt = 0;
        for (district, at) in built {
            if store.routing_revision(&district).await? != at {
                self.rebuild(store, &district).await?;
                rebuilt += 1;
            }
        }
        Ok(rebuilt)
    }

    /// Brings the district's duplicate index up to date with the database: everything on first
    /// use, then what was received or ended since the last look.
    async fn sync(&self, store: &Store, district: &DistrictCode, now: Timestamp) -> Result<(), StoreError> {
        let since = {
            let map = self.duplicates.lock().unwrap_or_else(|e| e.into_inner());
            match map.get(district).and_then(|d| d.synced_at) {
                Some(t) if (now - t).num_milliseconds() < SYNC_EVERY_MS => return Ok(()),
                other => other,
            }
        };
        // Look back a minute past the last sync: receipts commit out of order across instances.
        let from = since.map(|t| t - chrono::Duration::minutes(1));
        let open = store.open_cases(district, from).await?;
        let router = self.router(store, district).await?;
        let ended = match from {
            Some(t) => store.ended_case_ids(district, t).await?,
            None => vec![],
        };
        let mut map = self.duplicates.lock().unwrap_or_else(|e| e.into_inner());
        let entry = map
            .entry(district.clone())
            .or_insert_with(|| Duplicates { index: DuplicateIndex::default(), synced_at: None });
        for c in &open {
            entry.index.insert(open_case(c, &router));
        }
        for id in &ended {
            entry.index.remove(id);
        }
        entry.synced_at = Some(now);
        Ok(())
    }

    /// Open cases a new request may duplicate, and whether its phone already asked about it.
    pub async fn check(
        &self,
        store: &Store,
        district: &DistrictCode,
        probe: &Probe<'_>,
        now: Timestamp,
    ) -> Result<Check, StoreError> {
        self.sync(store, district, now).await?;
        let map = self.duplicates.lock().unwrap_or_else(|e| e.into_inner());
        Ok(map.get(district).map(|d| d.index.check(probe, &Rules::default())).unwrap_or_default())
    }

    /// Keeps the index current with a case this instance just wrote (only once the district's
    /// index exists: building it loads every open case anyway).
    pub fn note_case(&self, c: &Case) {
        let Some(router) = self.routers.read().unwrap_or_else(|e| e.into_inner()).get(&c.district).cloned() else {
            return;
        };
        let mut map = self.duplicates.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(d) = map.get_mut(&c.district) {
            if c.is_open() {
                d.index.insert(open_case(c, &router));
            } else {
                d.index.remove(&c.id.to_string());
            }
        }
    }
}
