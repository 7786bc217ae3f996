//! Reference data shipped with chuishao (see `data/README.md` for sources): Dongcheng's streets
//! and communities (NBS 2023 codes), its departments and utilities, and the demo duty catalog.

use anyhow::{anyhow, bail, Context, Result};
use chuishao_domain::catalog::{DutyItem, Owner};
use chuishao_domain::org::{Community, Department, DepartmentKind, District, Street, Unit};
use chuishao_domain::{CommunityCode, DepartmentId, DistrictCode, StreetCode};
use chuishao_store::OrgData;
use std::collections::HashSet;

const STREETS: &str = include_str!("../data/dongcheng_streets_2023.csv");
const COMMUNITIES: &str = include_str!("../data/dongcheng_communities_2023.csv");
const DEPARTMENTS: &str = include_str!("../data/departments.csv");
const CATALOG: &str = include_str!("../data/duty_catalog.csv");

pub const DONGCHENG: &str = "110101";

fn records(text: &str) -> Result<Vec<csv::StringRecord>> {
    let mut r = csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes());
    r.records().map(|x| x.map_err(Into::into)).collect()
}

/// Parses the duty catalog CSV (the shipped one; imports read theirs the same way).
pub fn parse_catalog(text: &str) -> Result<Vec<DutyItem>> {
    chuishao_domain::catalog::parse_csv(text).map_err(|e| anyhow!("duty catalog: {e:?}"))
}

pub fn parse_departments(text: &str) -> Result<Vec<Department>> {
    records(text)?
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let line = i + 2;
            let get = |n: usize| r.get(n).map(str::trim).ok_or_else(|| anyhow!("line {line}: missing column {n}"));
            Ok(Department {
                id: DepartmentId::parse(get(0)?).map_err(|e| anyhow!("line {line}: {e}"))?,
                name: get(1)?.to_string(),
                short_name: get(2)?.to_string(),
                kind: DepartmentKind::parse(get(3)?).ok_or_else(|| anyhow!("line {line}: bad kind"))?,
                category: get(4)?.to_string(),
            })
        })
        .collect()
}

/// "多福巷社区居委会" → "多福巷社区": the residents' committee is the community's office.
fn community_name(official: &str) -> String {
    official.strip_suffix("居委会").unwrap_or(official).to_string()
}

/// Dongcheng as shipped: 17 streets, 169 communities, 12 units per street (the 2018 template),
/// its departments and utilities, and the 106-item demo catalog.
pub fn dongcheng() -> Result<OrgData> {
    let district = DistrictCode::parse(DONGCHENG).map_err(|e| anyhow!(e))?;
    let streets = records(STREETS)?
        .iter()
        .map(|r| Ok(Street { code: StreetCode::parse(&r[0]).map_err(|e| anyhow!(e))?, name: r[1].trim().to_string() }))
        .collect::<Result<Vec<_>>>()?;
    let communities = records(COMMUNITIES)?
        .iter()
        .map(|r| {
            let code = CommunityCode::parse(&r[0]).map_err(|e| anyhow!(e))?;
            let street = StreetCode::parse(&r[2]).map_err(|e| anyhow!(e))?;
            if code.street() != street {
                bail!("community {code} is not inside street {street}");
            }
            Ok(Community { code, street, name: community_name(r[1].trim()) })
        })
        .collect::<Result<Vec<_>>>()?;
    let units = streets.iter().flat_map(|s| Unit::default_units(&s.code)).collect();
    let departments = parse_departments(DEPARTMENTS)?;
    let duty_items = parse_catalog(CATALOG)?;
    let org = OrgData {
        district: District { code: district, name: "东城区".into() },
        streets,
        communities,
        units,
        departments,
        duty_items,
    };
    check(&org)?;
    Ok(org)
}

/// Every owner the catalog names must exist.
pub fn check(org: &OrgData) -> Result<()> {
    let roles: HashSet<&str> = chuishao_domain::org::DEFAULT_UNIT_TEMPLATE.iter().map(|(r, _, _)| *r).collect();
    let depts: HashSet<&DepartmentId> = org.departments.iter().map(|d| &d.id).collect();
    for item in &org.duty_items {
        for o in std::iter::once(&item.owner).chain(&item.cooperating) {
            match o {
                Owner::UnitRole(r) if !roles.contains(r.as_str()) => bail!("{}: unknown unit role {r}", item.code),
                Owner::Department(d) if !depts.contains(d) => bail!("{}: unknown department {d}", item.code),
                _ => {}
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dongcheng_is_complete() {
        let org = dongcheng().unwrap();
        assert_eq!(org.streets.len(), 17);
        assert_eq!(org.communities.len(), 169);
        assert_eq!(org.units.len(), 17 * 12);
        assert_eq!(org.duty_items.len(), 106);
        assert!(org.departments.len() >= 15);
        let utilities: Vec<_> =
            org.departments.iter().filter(|d| d.kind == DepartmentKind::Utility).map(|d| d.category.as_str()).collect();
        for needed in ["water", "power", "gas", "heating", "telecom"] {
            assert!(utilities.contains(&needed), "utility {needed} missing");
        }
        let dzm = org.streets.iter().find(|s| s.code.as_str() == "110101009").unwrap();
        assert_eq!(dzm.name, "东直门街道");
        let szp = org.communities.iter().find(|c| c.code.as_str() == "110101009008").unwrap();
        assert_eq!(szp.name, "十字坡社区");
    }

    #[test]
    fn catalog_deadlines_follow_beijing_practice() {
        use chuishao_domain::DeadlineSpec;
        let org = dongcheng().unwrap();
        let allowed = ["2h", "24h", "3wd", "7wd", "15wd"];
        for i in &org.duty_items {
            assert!(
                allowed.contains(&i.resolution_deadline.to_string().as_str()),
                "{}: {}",
                i.code,
                i.resolution_deadline
            );
            assert!(i.keywords.len() >= 3, "{} has too few keywords", i.code);
        }
        assert!(org.duty_items.iter().any(|i| i.resolution_deadline == DeadlineSpec::hours(2)));
    }
}

const CENTROIDS: &str = include_str!("../data/dongcheng_community_centroids.csv");
const GAZETTEER: &str = include_str!("../data/dongcheng_gazetteer.csv");
const ROUTING_TRAIN: &str = include_str!("../data/routing_train.csv");

/// Approximate boundaries for the demo: Voronoi cells around the communities' approximate
/// centroids inside the district, streets as their union, 250 m grid cells. Replaced by
/// importing surveyed ones.
pub fn demo_boundaries(org: &OrgData) -> Result<Vec<chuishao_routing::Area>> {
    let mut sites = vec![];
    for (code, (lat, lon)) in community_centroids()? {
        let community = org
            .communities
            .iter()
            .find(|c| c.code == code)
            .ok_or_else(|| anyhow!("centroids: unknown community {code}"))?;
        let street = org
            .streets
            .iter()
            .find(|s| s.code == community.street)
            .ok_or_else(|| anyhow!("centroids: no street for {code}"))?;
        sites.push(chuishao_routing::voronoi::Site {
            code: code.to_string(),
            name: community.name.clone(),
            street: street.code.to_string(),
            street_name: street.name.clone(),
            at: chuishao_routing::LatLon::new(lat, lon),
        });
    }
    Ok(chuishao_routing::voronoi::demo_areas(&sites, 600.0, 250.0))
}

/// The communities' approximate centres (latitude, longitude; WGS-84), in file order.
pub fn community_centroids() -> Result<Vec<(CommunityCode, (f64, f64))>> {
    let mut out = vec![];
    for (i, r) in records(CENTROIDS)?.iter().enumerate() {
        let line = i + 2;
        let get = |n: usize| r.get(n).map(str::trim).ok_or_else(|| anyhow!("centroids line {line}: column {n}"));
        let code = CommunityCode::parse(get(0)?).map_err(|e| anyhow!("centroids line {line}: {e}"))?;
        let lat: f64 = get(2)?.parse().with_context(|| format!("centroids line {line}: lat"))?;
        let lon: f64 = get(3)?.parse().with_context(|| format!("centroids line {line}: lon"))?;
        out.push((code, (lat, lon)));
    }
    Ok(out)
}

/// Road, hutong, landmark and community names of the district and where they are.
pub fn gazetteer() -> Result<Vec<chuishao_store::GazetteerEntry>> {
    records(GAZETTEER)?
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let get = |n: usize| r.get(n).map(str::trim).ok_or_else(|| anyhow!("gazetteer line {}: column {n}", i + 2));
            Ok(chuishao_store::GazetteerEntry { name: get(0)?.into(), kind: get(1)?.into(), community: get(2)?.into() })
        })
        .collect()
}

/// A labelled request of `routing_train.csv` / `routing_heldout.csv`:
/// `text,lat,lon,expected_owner[,duty_item]`.
#[derive(Debug, Clone)]
pub struct LabelledRequest {
    pub line: usize,
    pub text: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub expected_owner: String,
    pub duty_item: Option<String>,
}

/// Reads a labelled set; a bad line is named.
pub fn labelled_requests(text: &str) -> Result<Vec<LabelledRequest>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes());
    let headers = reader.headers().context("reading the header line")?.clone();
    let column = |name: &str| headers.iter().position(|h| h.trim() == name);
    let (t, la, lo, owner) = match (column("text"), column("lat"), column("lon"), column("expected_owner")) {
        (Some(t), Some(la), Some(lo), Some(o)) => (t, la, lo, o),
        _ => bail!("line 1: the columns must include text, lat, lon, expected_owner"),
    };
    let item = column("duty_item");
    let mut out = vec![];
    for (i, r) in reader.records().enumerate() {
        let line = i + 2;
        let r = r.with_context(|| format!("line {line}"))?;
        let get = |n: usize| r.get(n).map(str::trim).unwrap_or("");
        let num = |n: usize, what: &str| -> Result<Option<f64>> {
            match get(n) {
                "" => Ok(None),
                s => s.parse::<f64>().map(Some).map_err(|_| anyhow!("line {line}: {what} `{s}` is not a number")),
            }
        };
        if get(t).is_empty() || get(owner).is_empty() {
            bail!("line {line}: text and expected_owner are required");
        }
        out.push(LabelledRequest {
            line,
            text: get(t).to_string(),
            lat: num(la, "lat")?,
            lon: num(lo, "lon")?,
            expected_owner: get(owner).to_string(),
            duty_item: item.map(|c| get(c).to_string()).filter(|s| !s.is_empty()),
        });
    }
    Ok(out)
}

/// The demo's labelled training requests that name their duty item, as classifier examples.
pub fn routing_examples() -> Result<Vec<chuishao_store::LabelledText>> {
    Ok(labelled_requests(ROUTING_TRAIN)?
        .into_iter()
        .filter_map(|r| Some(chuishao_store::LabelledText { duty_item: r.duty_item?, text: r.text }))
        .collect())
}
