//! From a request to its owner: place (polygon, nearest community, or a name in the address),
//! matter (the classifier's top items), and owner by the duty catalog — the street's unit, the
//! department or utility the item names, or the district (兜底) when either is unclear.

use crate::atlas::{Atlas, Level};
use crate::classify::{Classifier, Segmenter, TrainingDoc};
use crate::coords::LatLon;
use crate::gazetteer::Gazetteer;
use chuishao_domain::catalog::{DutyItem, Owner};
use serde::Serialize;
use std::collections::HashMap;

/// What the organisation knows, to name owners.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    pub items: Vec<DutyItem>,
    pub streets: HashMap<String, String>,
    pub communities: HashMap<String, String>,
    /// (street code, role key) → (unit id, unit name)
    pub units: HashMap<(String, String), (String, String)>,
    pub departments: HashMap<String, String>,
    pub district: (String, String),
}

/// How the place was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PlaceMethod {
    /// Inside a community's boundary.
    Polygon,
    /// Just outside every boundary: the nearest community.
    Nearest,
    /// A community, road, hutong or landmark named in the address or text.
    Gazetteer,
    /// The codes the request gave.
    Given,
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Named {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Placement {
    pub method: PlaceMethod,
    pub street: Option<Named>,
    pub community: Option<Named>,
    pub grid: Option<Named>,
    /// For `nearest`: metres to the community's boundary.
    pub distance_m: Option<f64>,
    /// For `gazetteer`: the name found.
    pub matched: Option<String>,
    /// The boundaries used are approximate (the demo's).
    pub approximate: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemScore {
    pub code: String,
    pub name: String,
    pub category: String,
    pub probability: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OwnerKind {
    Unit,
    Department,
    /// The district's 接诉即办 office, which takes what is unclear (兜底).
    District,
}

/// Why the district takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Fallback {
    /// No duty item is likely enough.
    UnclearMatter,
    /// A street's unit owns the matter but the place is unknown.
    UnknownPlace,
    /// The street has no unit with the item's role.
    NoSuchUnit,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OwnerPick {
    pub kind: OwnerKind,
    pub id: String,
    pub name: String,
    pub fallback: Option<Fallback>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Routed {
    pub place: Placement,
    /// The top items, most probable first.
    pub items: Vec<ItemScore>,
    pub owner: OwnerPick,
    /// The item the owner was chosen by, and its probability.
    pub item: Option<ItemScore>,
}

/// A request to route: its words and whatever place it gives (coordinates in WGS-84).
#[derive(Debug, Clone, Default)]
pub struct Request<'a> {
    pub text: &'a str,
    pub at: Option<LatLon>,
    pub address: Option<&'a str>,
    pub street: Option<&'a str>,
    pub community: Option<&'a str>,
}

pub struct Router {
    pub atlas: Atlas,
    pub gazetteer: Gazetteer,
    pub classifier: Classifier,
    pub directory: Directory,
    /// A point at most this far outside every community still goes to the nearest one.
    pub nearest_max_m: f64,
    /// Below this probability the matter counts as unclear.
    pub min_confidence: f64,
}

/// The catalog as training documents: each item's name (twice), keywords and examples.
pub fn catalog_docs(items: &[DutyItem]) -> Vec<TrainingDoc> {
    let mut docs = vec![];
    for i in items {
        let doc = |text: &str, weight: f32| TrainingDoc { label: i.code.clone(), text: text.to_string(), weight };
        docs.push(doc(&i.name, 2.0));
        docs.push(doc(&format!("{} {}", i.category, i.name), 1.0));
        docs.extend(i.keywords.iter().map(|k| doc(k, 1.0)));
        docs.extend(i.examples.iter().map(|e| doc(e, 1.0)));
    }
    docs
}

/// A segmenter that knows the catalog's keywords and names as words.
pub fn catalog_segmenter(items: &[DutyItem]) -> Segmenter {
    Segmenter::new(items.iter().flat_map(|i| i.keywords.iter().map(String::as_str).chain([i.name.as_str()])))
}

impl Router {
    pub fn place(&self, r: &Request) -> Placement {
        let d = &self.directory;
        let named = |code: &str, names: &HashMap<String, String>| Named {
            code: code.to_string(),
            name: names.get(code).cloned().unwrap_or_default(),
        };
        let mut place = Placement {
            method: PlaceMethod::Unknown,
            street: None,
            community: None,
            grid: None,
            distance_m: None,
            matched: None,
            approximate: false,
        };
        if let Some(p) = r.at {
            let at = self.atlas.locate(p);
            if let Some(c) = &at.community {
                place.method = PlaceMethod::Polygon;
                place.approximate = c.approximate;
                place.community = Some(named(&c.code, &d.communities));
                place.street = at.street.as_ref().map(|s| named(&s.code, &d.streets));
                place.grid = at.grid.as_ref().map(|g| Named { code: g.code.clone(), name: g.name.clone() });
                return place;
            }
            if let Some(n) = self.atlas.nearest_community(p, self.nearest_max_m) {
                place.method = PlaceMethod::Nearest;
                place.approximate = n.community.approximate;
                place.distance_m = Some(n.distance_m);
                place.street = n.street_code.as_deref().map(|s| named(s, &d.streets));
                place.community = Some(named(&n.community.code, &d.communities));
                return place;
            }
            if let Some(s) = at.street {
                place.method = PlaceMethod::Polygon;
                place.approximate = s.approximate;
                place.street = Some(named(&s.code, &d.streets));
                return place;
            }
        }
        if let Some(code) = r.community.filter(|c| d.communities.contains_key(*c)) {
            place.method = PlaceMethod::Given;
            place.community = Some(named(code, &d.communities));
            place.street = Some(named(&code[..9.min(code.len())], &d.streets));
            return place;
        }
        let haystack = format!("{} {}", r.address.unwrap_or(""), r.text);
        if let Some(found) = self.gazetteer.find(&haystack).filter(|p| d.communities.contains_key(&p.community)) {
            place.method = PlaceMethod::Gazetteer;
            place.matched = Some(found.name.clone());
            place.community = Some(named(&found.community, &d.communities));
            place.street = Some(named(&found.community[..9], &d.streets));
            return place;
        }
        if let Some(code) = r.street.filter(|s| d.streets.contains_key(*s)) {
            place.method = PlaceMethod::Given;
            place.street = Some(named(code, &d.streets));
        }
        place
    }

    pub fn route(&self, r: &Request) -> Routed {
        let place = self.place(r);
        let d = &self.directory;
        let items: Vec<ItemScore> = self
            .classifier
            .rank(r.text, 3)
            .into_iter()
            .filter_map(|s| {
                let item = d.items.iter().find(|i| i.code == s.label)?;
                Some(ItemScore {
                    code: item.code.clone(),
                    name: item.name.clone(),
                    category: item.category.clone(),
                    probability: (s.probability * 1000.0).round() / 1000.0,
                })
            })
            .collect();
        let top = items.first().filter(|i| i.probability >= self.min_confidence).cloned();
        let owner = match &top {
            None => self.district(Fallback::UnclearMatter),
            Some(t) => self.owner_of(&t.code, &place),
        };
        Routed { place, items, owner, item: top }
    }

    fn district(&self, fallback: Fallback) -> OwnerPick {
        let d = &self.directory;
        OwnerPick {
            kind: OwnerKind::District,
            id: d.district.0.clone(),
            name: d.district.1.clone(),
            fallback: Some(fallback),
        }
    }

    /// Who owns a duty item at a place: the department it names, or its street's unit.
    pub fn owner_of(&self, item: &str, place: &Placement) -> OwnerPick {
        let d = &self.directory;
        let Some(item) = d.items.iter().find(|i| i.code == item) else { return self.district(Fallback::UnclearMatter) };
        match &item.owner {
            Owner::Department(id) => OwnerPick {
                kind: OwnerKind::Department,
                id: id.to_string(),
                name: d.departments.get(id.as_str()).cloned().unwrap_or_else(|| id.to_string()),
                fallback: None,
            },
            Owner::UnitRole(role) => match &place.street {
                None => self.district(Fallback::UnknownPlace),
                Some(s) => match d.units.get(&(s.code.clone(), role.clone())) {
                    Some((id, name)) => {
                        OwnerPick { kind: OwnerKind::Unit, id: id.clone(), name: name.clone(), fallback: None }
                    }
                    None => self.district(Fallback::NoSuchUnit),
                },
            },
        }
    }

    /// How many boundaries of each level it knows.
    pub fn boundaries(&self) -> [(Level, usize); 3] {
        Level::ALL.map(|l| (l, self.atlas.count(l)))
    }
}
