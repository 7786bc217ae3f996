//! Has someone reported it already? Open cases indexed by place (a grid of ~500 m buckets) with
//! a SimHash of their text: a new request of the same matter nearby, within a time window and
//! with near-identical words, is proposed for merging; the same phone on the same matter is a
//! repeat request (重复件).

use crate::coords::{distance_m, LatLon};
use std::collections::HashMap;

/// 64-bit SimHash over character 3-gram shingles of the text's letters and characters
/// (punctuation and spaces dropped, so retyping does not change it).
pub fn simhash(text: &str) -> u64 {
    let chars: Vec<char> = text.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect();
    if chars.is_empty() {
        return 0;
    }
    let mut weights = [0i32; 64];
    let shingles: Vec<&[char]> = if chars.len() < 3 { vec![&chars[..]] } else { chars.windows(3).collect() };
    for sh in shingles {
        let h = fnv1a(sh.iter().flat_map(|c| (*c as u32).to_le_bytes()));
        for (bit, w) in weights.iter_mut().enumerate() {
            *w += if h >> bit & 1 == 1 { 1 } else { -1 };
        }
    }
    weights.iter().enumerate().fold(0u64, |acc, (bit, w)| if *w > 0 { acc | 1 << bit } else { acc })
}

fn fnv1a(bytes: impl IntoIterator<Item = u8>) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// A phone number as a key for spotting repeats (kept in memory only, never shown).
pub fn phone_key(phone: &str) -> u64 {
    fnv1a(phone.bytes().filter(u8::is_ascii_digit))
}

/// Bits in which two hashes differ.
pub fn hamming(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

/// An open case as the index knows it.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenCase {
    pub id: String,
    pub number: String,
    pub item: Option<String>,
    pub at: Option<LatLon>,
    /// Milliseconds since the epoch.
    pub received_ms: i64,
    pub simhash: u64,
    pub phone: Option<u64>,
}

/// What a new request is checked as.
#[derive(Debug, Clone)]
pub struct Probe<'a> {
    pub text: &'a str,
    /// The matters it may be about (the classifier's likeliest items, or the one given).
    pub items: Vec<&'a str>,
    pub at: Option<LatLon>,
    pub received_ms: i64,
    pub phone: Option<u64>,
}

#[derive(Debug, Clone, Copy)]
pub struct Rules {
    pub radius_m: f64,
    pub window_ms: i64,
    /// At most this many differing bits of 64 count as near-identical.
    pub max_bits: u32,
    pub repeat_window_ms: i64,
}

impl Default for Rules {
    fn default() -> Self {
        let day = 24 * 3_600_000;
        Rules { radius_m: 300.0, window_ms: 7 * day, max_bits: 12, repeat_window_ms: 30 * day }
    }
}

/// A case proposed for merging.
#[derive(Debug, Clone, PartialEq)]
pub struct Duplicate {
    pub id: String,
    pub number: String,
    pub distance_m: f64,
    /// 1 − differing bits / 64.
    pub similarity: f64,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Check {
    /// Most similar first.
    pub duplicates: Vec<Duplicate>,
    /// Earlier open cases from the same phone on the same matter.
    pub repeat_of: Vec<(String, String)>,
}

/// About 550 m north–south; checking the 3×3 neighbourhood covers any radius up to that.
const BUCKET_DEG: f64 = 0.005;

fn bucket(p: LatLon) -> (i32, i32) {
    ((p.lat / BUCKET_DEG).floor() as i32, (p.lon / BUCKET_DEG).floor() as i32)
}

/// The open cases of a district, kept current as cases arrive and close.
#[derive(Debug, Default)]
pub struct DuplicateIndex {
    cases: Vec<Option<OpenCase>>,
    by_id: HashMap<String, usize>,
    by_place: HashMap<(String, (i32, i32)), Vec<usize>>,
    by_phone: HashMap<u64, Vec<usize>>,
}

impl DuplicateIndex {
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// Adds (or replaces) an open case.
    pub fn insert(&mut self, case: OpenCase) {
        self.remove(&case.id);
        let i = self.cases.len();
        if let (Some(item), Some(at)) = (&case.item, case.at) {
            self.by_place.entry((item.clone(), bucket(at))).or_default().push(i);
        }
        if let Some(p) = case.phone {
            self.by_phone.entry(p).or_default().push(i);
        }
        self.by_id.insert(case.id.clone(), i);
        self.cases.push(Some(case));
    }

    /// Forgets a case (closed, merged, terminated). Its slot stays empty; lists skip it.
    pub fn remove(&mut self, id: &str) {
        if let Some(i) = self.by_id.remove(id) {
            self.cases[i] = None;
        }
    }

    pub fn check(&self, probe: &Probe, rules: &Rules) -> Check {
        let hash = simhash(probe.text);
        let mut out = Check::default();
        if let Some(at) = probe.at {
            let (r, c) = bucket(at);
            for item in &probe.items {
                for dr in -1..=1 {
                    for dc in -1..=1 {
                        let Some(list) = self.by_place.get(&(item.to_string(), (r + dr, c + dc))) else { continue };
                        for oc in list.iter().filter_map(|i| self.cases[*i].as_ref()) {
                            if (probe.received_ms - oc.received_ms).abs() > rules.window_ms {
                                continue;
                            }
                            let bits = hamming(hash, oc.simhash);
                            let Some(there) = oc.at.filter(|_| bits <= rules.max_bits) else { continue };
                            let d = distance_m(at, there);
                            if d <= rules.radius_m && !out.duplicates.iter().any(|x| x.id == oc.id) {
                                out.duplicates.push(Duplicate {
                                    id: oc.id.clone(),
                                    number: oc.number.clone(),
                                    distance_m: (d * 10.0).round() / 10.0,
                                    similarity: 1.0 - f64::from(bits) / 64.0,
                                });
                            }
                        }
                    }
                }
            }
        }
        out.duplicates
            .sort_by(|a, b| b.similarity.total_cmp(&a.similarity).then(a.distance_m.total_cmp(&b.distance_m)));
        if let Some(phone) = probe.phone {
            for oc in self.by_phone.get(&phone).into_iter().flatten().filter_map(|i| self.cases[*i].as_ref()) {
                let recent = (probe.received_ms - oc.received_ms).abs() <= rules.repeat_window_ms;
                if recent && oc.item.as_deref().is_some_and(|i| probe.items.contains(&i)) {
                    out.repeat_of.push((oc.id.clone(), oc.number.clone()));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "东直门外大街十字坡路口有人摆摊占道经营，晚上还很吵";

    fn open(id: &str, text: &str, item: &str, at: LatLon, received_ms: i64, phone: Option<&str>) -> OpenCase {
        OpenCase {
            id: id.into(),
            number: format!("N-{id}"),
            item: Some(item.into()),
            at: Some(at),
            received_ms,
            simhash: simhash(text),
            phone: phone.map(phone_key),
        }
    }

    #[test]
    fn near_identical_texts_hash_close_and_different_ones_far() {
        assert_eq!(hamming(simhash(TEXT), simhash("东直门外大街十字坡路口有人摆摊占道经营 晚上还很吵！")), 0);
        assert!(hamming(simhash(TEXT), simhash("东直门外大街十字坡路口有人摆摊占道经营，晚上很吵")) <= 12);
        assert!(hamming(simhash(TEXT), simhash("楼道灯坏了三天了，老人晚上出门看不见台阶")) > 16);
    }

    #[test]
    fn the_same_complaint_nearby_and_recent_is_proposed_and_the_same_phone_is_a_repeat() {
        let here = LatLon::new(39.9405, 116.4330);
        let day = 86_400_000;
        let mut index = DuplicateIndex::default();
        index.insert(open("a", TEXT, "C-031", here, 0, Some("13812345678")));
        index.insert(open("far", TEXT, "C-031", LatLon::new(39.95, 116.45), 0, None));
        index.insert(open("old", TEXT, "C-031", here, -30 * day, None));
        index.insert(open("other-item", TEXT, "C-020", here, 0, None));
        index.insert(open("other-text", "楼道灯坏了三天了", "C-031", here, 0, None));
        let probe = Probe {
            text: TEXT,
            items: vec!["C-031"],
            at: Some(LatLon::new(39.9406, 116.4331)),
            received_ms: day,
            phone: Some(phone_key("138-1234-5678")),
        };
        let check = index.check(&probe, &Rules::default());
        assert_eq!(check.duplicates.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(), ["a"]);
        assert_eq!(check.repeat_of, [("a".to_string(), "N-a".to_string())]);
        index.remove("a");
        assert!(index.check(&probe, &Rules::default()).duplicates.is_empty());
        assert_eq!(index.len(), 4);
    }
}
