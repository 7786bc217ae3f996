//! Places by name: communities, roads, hutongs and landmarks, for requests that give an address
//! but no coordinates. The longest name found in the text wins (东四十条 over 东四).

/// A named place and the community it lies in.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    pub name: String,
    /// community | road | hutong | landmark
    pub kind: String,
    pub community: String,
}

#[derive(Debug, Clone, Default)]
pub struct Gazetteer {
    /// Longest names first, so the first match is the most specific.
    places: Vec<Place>,
}

impl Gazetteer {
    pub fn new(mut places: Vec<Place>) -> Gazetteer {
        places.retain(|p| p.name.chars().count() >= 2);
        places.sort_by(|a, b| b.name.chars().count().cmp(&a.name.chars().count()).then(a.name.cmp(&b.name)));
        Gazetteer { places }
    }

    /// Reads `name,kind,community_code` CSV (with a header).
    pub fn from_csv(text: &str) -> Result<Gazetteer, String> {
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let mut places = vec![];
        for (i, row) in reader.records().enumerate() {
            let row = row.map_err(|e| format!("line {}: {e}", i + 2))?;
            let field = |n: usize| row.get(n).map(str::trim).unwrap_or("").to_string();
            let (name, kind, community) = (field(0), field(1), field(2));
            if name.is_empty() || community.len() != 12 {
                return Err(format!("line {}: a name and a 12-digit community code are needed", i + 2));
            }
            places.push(Place { name, kind, community });
        }
        Ok(Gazetteer::new(places))
    }

    pub fn len(&self) -> usize {
        self.places.len()
    }

    pub fn is_empty(&self) -> bool {
        self.places.is_empty()
    }

    /// The most specific place named in `text`.
    pub fn find(&self, text: &str) -> Option<&Place> {
        self.places.iter().find(|p| text.contains(p.name.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_name_in_the_text_wins() {
        let g = Gazetteer::from_csv(
            "name,kind,community_code\n东四,road,110101006001\n东四十条,road,110101006004\n十字坡社区,community,110101009008\n",
        )
        .unwrap();
        assert_eq!(g.find("东四十条路口积水").unwrap().community, "110101006004");
        assert_eq!(g.find("东四北大街有人摆摊").unwrap().community, "110101006001");
        assert_eq!(g.find("家住十字坡社区3号楼").unwrap().kind, "community");
        assert!(g.find("朝阳区三里屯").is_none());
        assert!(Gazetteer::from_csv("name,kind,community_code\n东四,road,123\n").unwrap_err().contains("line 2"));
    }
}
