use crate::helpers::*;
use chuishao_domain::DistrictCode;
use chuishao_store::{CaseFilter, Visibility};

#[tokio::test]
async fn folding_the_stored_events_reproduces_every_projected_case() {
    let app = spawn_app_with(300).await;
    let district = DistrictCode::parse("110101").unwrap();
    let all = app
        .store
        .list_cases(
            &district,
            &Visibility::District(district.clone()),
            &CaseFilter { page: 1, per_page: 200, ..Default::default() },
        )
        .await
        .unwrap();
    assert_eq!(all.total, 300);
    let mut checked = 0;
    for page in 1..=2 {
        let listed = app
            .store
            .list_cases(
                &district,
                &Visibility::District(district.clone()),
                &CaseFilter { page, per_page: 200, ..Default::default() },
            )
            .await
            .unwrap();
        for projected in listed.items {
            let (folded, events) = app.store.load_case(&district, projected.id).await.unwrap().expect("events");
            assert_eq!(folded, projected, "case {}", projected.number);
            assert_eq!(folded.version as usize, events.len());
            checked += 1;
        }
    }
    assert_eq!(checked, 300);

    // Whistles too: the demo blows some, and their stored events fold to their projection.
    let whistles = app
        .store
        .list_whistles(
            &district,
            &Visibility::District(district.clone()),
            &chuishao_store::WhistleFilter { page: 1, per_page: 200, ..Default::default() },
        )
        .await
        .unwrap();
    assert!(whistles.total > 0, "the demo blows whistles");
    for projected in whistles.items {
        let (folded, events) = app.store.load_whistle(&district, projected.id).await.unwrap().expect("events");
        assert_eq!(folded, projected);
        assert_eq!(folded.version as usize, events.len());
        if let Some(case) = &projected.case {
            let (c, _) = app.store.load_case(&district, case.id).await.unwrap().expect("its case");
            assert_eq!(c.number, case.number);
        }
    }

    // The simulated history is varied: returns, extensions, reopenings, callbacks, overdue work.
    let count = |status: &str| {
        let f = CaseFilter {
            status: vec![chuishao_domain::CaseStatus::parse(status).unwrap()],
            page: 1,
            per_page: 1,
            ..Default::default()
        };
        let store = app.store.clone();
        let d = district.clone();
        async move { store.list_cases(&d, &Visibility::District(d.clone()), &f).await.unwrap().total }
    };
    assert!(count("closed").await > 150);
    let dispatcher = app.login("dispatcher").await;
    let mine = app.get(&dispatcher, "/api/v1/cases?per_page=200").await.body;
    assert!(mine["total"].as_u64().unwrap() > 0, "the demo street has cases");
    assert!(mine["items"].as_array().unwrap().iter().all(|c| c["street"]["code"] == DZM));
}
