use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn two_commands_at_the_same_version_exactly_one_wins() {
    let app = spawn_app().await;
    let dispatcher = app.login("dispatcher").await;
    let staff = app.login("unit_staff").await;
    let case = app.new_case(&dispatcher, json!({"duty_item": "C-001"})).await;
    let c = app.ok(&dispatcher, &case, "dispatch", json!({"unit": CITY_OFFICE})).await;
    let v = c["version"].as_i64().unwrap();

    // The unit accepts while the dispatcher redispatches, both at version v.
    let (a, b) = tokio::join!(
        app.act(&staff, &case, "accept", json!({"expected_version": v})),
        app.act(&dispatcher, &case, "dispatch", json!({"unit": LIVELIHOOD, "expected_version": v})),
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT], "{} / {}", a.body, b.body);
    let loser = if a.status == StatusCode::CONFLICT { &a } else { &b };
    assert_eq!(loser.code(), "version_conflict");
    assert_eq!(app.case(&dispatcher, &case).await.body["version"], v + 1);

    // Many writers, one version: one success, the rest conflicts, and no gap in the stream.
    let v = v + 1;
    let tries = (0..12)
        .map(|i| app.act(&dispatcher, &case, "add-note", json!({"text": format!("备注{i}"), "expected_version": v})));
    let replies = futures_join_all(tries).await;
    assert_eq!(replies.iter().filter(|r| r.status == StatusCode::OK).count(), 1);
    assert!(replies.iter().filter(|r| r.status != StatusCode::OK).all(|r| r.code() == "version_conflict"));
    let got = app.case(&dispatcher, &case).await.body;
    let seqs: Vec<i64> = got["timeline"].as_array().unwrap().iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert_eq!(seqs, (1..=v + 1).collect::<Vec<_>>());

    // Without an expected version, concurrent notes all land, one after another.
    let tries = (0..8).map(|i| app.act(&staff, &case, "add-note", json!({"text": format!("并发{i}")})));
    let replies = futures_join_all(tries).await;
    assert!(replies.iter().all(|r| r.status == StatusCode::OK));
    assert_eq!(app.case(&dispatcher, &case).await.body["notes"], 9);
}

#[tokio::test]
async fn the_systems_own_alerts_do_not_make_a_client_stale_and_refusals_come_before_conflicts() {
    let app = spawn_app().await;
    let dispatcher = app.login("dispatcher").await;
    let case = app.new_case(&dispatcher, json!({"duty_item": "C-001"})).await;
    let seen = app.ok(&dispatcher, &case, "dispatch", json!({"unit": CITY_OFFICE})).await["version"].as_i64().unwrap();
    // The ticker warns (a quarter of the response time left) while the dispatcher looks away.
    app.clock.set(at("2026-11-28T04:00:00+08:00"));
    assert_eq!(app.store.tick(app.state.now(), &app.state.calendar()).await.unwrap(), 1);
    let dispatcher = app.login("dispatcher").await; // sessions last 12 hours
    let c = app.ok(&dispatcher, &case, "add-note", json!({"text": "已督办", "expected_version": seen})).await;
    assert_eq!(c["version"], seen + 2, "the warning and the note");
    // A command the user may not give at all is refused as such, even at an old version.
    let liaison = app.login("liaison").await;
    let r = app.act(&liaison, &case, "dispatch", json!({"unit": LIVELIHOOD, "expected_version": seen})).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "role_not_permitted"));
    // A command that was fine at the version seen, but others have changed it since: conflict.
    let r = app.act(&dispatcher, &case, "add-note", json!({"text": "再次督办", "expected_version": seen})).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "version_conflict"));
}

/// Runs futures concurrently on this task and collects their outputs in order.
async fn futures_join_all<F: std::future::Future>(futs: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    let futs: Vec<_> = futs.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = futs.iter().map(|_| None).collect();
    let mut pending: Vec<(usize, std::pin::Pin<Box<F>>)> = futs.into_iter().enumerate().collect();
    std::future::poll_fn(|cx| {
        pending.retain_mut(|(i, f)| match f.as_mut().poll(cx) {
            std::task::Poll::Ready(v) => {
                outputs[*i] = Some(v);
                false
            }
            std::task::Poll::Pending => true,
        });
        if pending.is_empty() {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    outputs.into_iter().map(|o| o.expect("every future finished")).collect()
}
