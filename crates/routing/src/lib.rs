//! Who owns this request? Where it is (boundaries, R-tree, WGS-84/GCJ-02, a gazetteer of names),
//! what it is (Chinese text to duty items), and whether someone reported it already.
//! Pure computation over data handed in; the store and the server feed it.

pub mod atlas;
pub mod boundaries;
pub mod classify;
pub mod coords;
pub mod duplicates;
pub mod gazetteer;
pub mod router;
pub mod voronoi;

pub use atlas::{Area, Atlas, Found, Level, Location, Nearest};
pub use classify::{Classifier, Scored, Segmenter, TrainingDoc};
pub use coords::{Crs, LatLon};
pub use duplicates::{Check, DuplicateIndex, OpenCase, Probe, Rules};
pub use gazetteer::{Gazetteer, Place};
pub use router::{Directory, OwnerKind, OwnerPick, PlaceMethod, Placement, Request, Routed, Router};
